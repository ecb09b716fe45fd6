// bpf(2): load a program and attach it to a cgroup (BPF_PROG_LOAD, BPF_PROG_ATTACH/DETACH/QUERY,
// BPF_PROG_GET_FD_BY_ID). The attr unions are laid out by hand in zeroed buffers.
import { SyscallError } from './errors'
import { check, errno, koffi, lazyFn } from './libc'

const syscallFn = lazyFn<(...args: unknown[]) => number>('long syscall(long, ...)')

const NR_BPF: Record<string, number> = { x64: 321, arm64: 280 }

const BPF_PROG_LOAD = 5
const BPF_PROG_ATTACH = 8
const BPF_PROG_DETACH = 9
const BPF_PROG_GET_FD_BY_ID = 13
const BPF_PROG_QUERY = 16

export const BPF_PROG_TYPE_CGROUP_DEVICE = 15
export const BPF_CGROUP_DEVICE = 6
export const BPF_F_ALLOW_MULTI = 2

/** Big enough for every attr variant used here; the kernel wants the unused tail zeroed. */
const ATTR_SIZE = 128

/** A failed BPF_PROG_LOAD, with the verifier's log when the kernel gave one. */
export class BpfLoadError extends SyscallError {
  readonly log: string

  constructor(errnoValue: number, log: string) {
    super('bpf(BPF_PROG_LOAD)', errnoValue)
    this.name = 'BpfLoadError'
    this.log = log
    if (log !== '') this.message += `\nverifier log:\n${log}`
  }
}

function bpf(cmd: number, attr: Buffer): number {
  const nr = NR_BPF[process.arch]
  if (nr === undefined) throw new Error(`bpf: no syscall number known for ${process.arch}`)
  return syscallFn()(nr, 'int', cmd, 'void *', attr, 'uint', attr.length)
}

function address(buf: Buffer): bigint {
  return koffi().address(buf)
}

/** Load a program; returns its fd (close it when done; attaching keeps the program alive). */
export function bpfProgLoad(progType: number, insns: Uint8Array, license: string, name: string): number {
  const code = Buffer.from(insns)
  const lic = Buffer.from(`${license}\0`)
  const load = (logBuf: Buffer | undefined): number => {
    const attr = Buffer.alloc(ATTR_SIZE)
    attr.writeUInt32LE(progType, 0)
    attr.writeUInt32LE(insns.length / 8, 4)
    attr.writeBigUInt64LE(address(code), 8)
    attr.writeBigUInt64LE(address(lic), 16)
    if (logBuf !== undefined) {
      attr.writeUInt32LE(1, 24)
      attr.writeUInt32LE(logBuf.length, 28)
      attr.writeBigUInt64LE(address(logBuf), 32)
    }
    attr.write(name.slice(0, 15), 48, 'latin1')
    return bpf(BPF_PROG_LOAD, attr)
  }
  const fd = load(undefined)
  if (fd >= 0) return fd
  const first = errno()
  const logBuf = Buffer.alloc(1 << 16)
  const again = load(logBuf)
  if (again >= 0) return again
  const end = logBuf.indexOf(0)
  throw new BpfLoadError(first, logBuf.toString('utf8', 0, end < 0 ? logBuf.length : end).trim())
}

function attachAttr(targetFd: number, progFd: number, attachType: number, flags: number): Buffer {
  const attr = Buffer.alloc(ATTR_SIZE)
  attr.writeUInt32LE(targetFd, 0)
  attr.writeUInt32LE(progFd, 4)
  attr.writeUInt32LE(attachType, 8)
  attr.writeUInt32LE(flags, 12)
  return attr
}

export function bpfProgAttach(targetFd: number, progFd: number, attachType: number, flags: number): void {
  check('bpf(BPF_PROG_ATTACH)', () => bpf(BPF_PROG_ATTACH, attachAttr(targetFd, progFd, attachType, flags)))
}

export function bpfProgDetach(targetFd: number, progFd: number, attachType: number): void {
  check('bpf(BPF_PROG_DETACH)', () => bpf(BPF_PROG_DETACH, attachAttr(targetFd, progFd, attachType, 0)))
}

/** The ids of the programs attached directly to the target (a cgroup fd) with this attach type. */
export function bpfProgQuery(targetFd: number, attachType: number): number[] {
  let capacity = 16
  for (;;) {
    const ids = Buffer.alloc(capacity * 4)
    const attr = Buffer.alloc(ATTR_SIZE)
    attr.writeUInt32LE(targetFd, 0)
    attr.writeUInt32LE(attachType, 4)
    attr.writeBigUInt64LE(address(ids), 16)
    attr.writeUInt32LE(capacity, 24)
    const r = bpf(BPF_PROG_QUERY, attr)
    const count = attr.readUInt32LE(24)
    if (r < 0) {
      const e = errno()
      if (e === 28 /* ENOSPC */ && count > capacity) {
        capacity = count
        continue
      }
      throw new SyscallError('bpf(BPF_PROG_QUERY)', e)
    }
    return Array.from({ length: count }, (_, i) => ids.readUInt32LE(i * 4))
  }
}

export function bpfProgGetFdById(id: number): number {
  const attr = Buffer.alloc(ATTR_SIZE)
  attr.writeUInt32LE(id, 0)
  return check('bpf(BPF_PROG_GET_FD_BY_ID)', () => bpf(BPF_PROG_GET_FD_BY_ID, attr))
}
