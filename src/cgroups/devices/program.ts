// DevicePolicy → a BPF_PROG_TYPE_CGROUP_DEVICE program (what runc's devicefilter and crun's ebpf.c build).
import { EbpfAssembler } from '../../bpf/ebpf-asm'
import type { EbpfInsn } from '../../bpf/ebpf-insn'
import type { DevicePolicy } from './policy'

/** bpf_cgroup_dev_ctx.access_type low half: BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_DEV_CHAR. */
export const DEVCG_DEV_BLOCK = 1
export const DEVCG_DEV_CHAR = 2

/** Byte offsets in struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }. */
const CTX_ACCESS_TYPE = 0
const CTX_MAJOR = 4
const CTX_MINOR = 8

/**
 * Registers after the prologue: r2 = device type, r3 = requested access bits, r4 = major, r5 = minor;
 * r1 is scratch. Each exception is a block that jumps to the next block on any mismatch and otherwise
 * returns the opposite of the default; the last block returns the default (1 allows, 0 denies).
 * Allow-exceptions need the requested access to be a subset of theirs, deny-exceptions an overlap.
 */
export function deviceProgram(policy: DevicePolicy): EbpfInsn[] {
  const a = new EbpfAssembler()
  a.load(4, 2, 1, CTX_ACCESS_TYPE).alu32('and', 2, 0xffff)
  a.load(4, 3, 1, CTX_ACCESS_TYPE).alu32('rsh', 3, 16)
  a.load(4, 4, 1, CTX_MAJOR)
  a.load(4, 5, 1, CTX_MINOR)
  const verdict = policy.defaultAllow ? 0 : 1
  policy.exceptions.forEach((e, i) => {
    const next = `rule${i + 1}`
    a.label(`rule${i}`)
    a.jmp32('jne', 2, e.type === 'b' ? DEVCG_DEV_BLOCK : DEVCG_DEV_CHAR, next)
    a.alu32Reg('mov', 1, 3)
    if (policy.defaultAllow) {
      a.alu32('and', 1, e.access).jmp32('jeq', 1, 0, next)
    } else {
      a.alu32('and', 1, ~e.access).jmp32('jne', 1, 0, next)
    }
    if (e.major !== undefined) a.jmp32('jne', 4, e.major, next)
    if (e.minor !== undefined) a.jmp32('jne', 5, e.minor, next)
    a.alu64('mov', 0, verdict).exit()
  })
  a.label(`rule${policy.exceptions.length}`)
  a.alu64('mov', 0, policy.defaultAllow ? 1 : 0).exit()
  return a.assemble()
}

/** bpf_cgroup_dev_ctx bytes for one access, to run a program in the interpreter. */
export function deviceContext(type: 'c' | 'b', major: number, minor: number, access: number): Uint8Array {
  const ctx = new Uint8Array(12)
  const view = new DataView(ctx.buffer)
  view.setUint32(CTX_ACCESS_TYPE, (access << 16) | (type === 'b' ? DEVCG_DEV_BLOCK : DEVCG_DEV_CHAR), true)
  view.setUint32(CTX_MAJOR, major, true)
  view.setUint32(CTX_MINOR, minor, true)
  return ctx
}
