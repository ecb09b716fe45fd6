// Sockets the parent needs: a SOCK_SEQPACKET socketpair to the init helper, and sendmsg with SCM_RIGHTS.
import { closeSync, writeSync } from 'node:fs'
import { check, koffi, lazyFn, libc } from './libc'

const AF_UNIX = 1
const SOCK_SEQPACKET = 5
const SOCK_CLOEXEC = 0o2000000
const SOL_SOCKET = 1
const SCM_RIGHTS = 1

const socketpairFn = lazyFn<(d: number, t: number, p: number, sv: Int32Array) => number>(
  'int socketpair(int, int, int, _Out_ int *sv)',
)

/** A connected SOCK_SEQPACKET pair, both ends close-on-exec. */
export function seqpacketPair(): [number, number] {
  const sv = new Int32Array(2)
  check('socketpair', () => socketpairFn()(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
  return [sv[0]!, sv[1]!]
}

type SendMsg = (fd: number, msg: unknown, flags: number) => number | bigint
let sendmsgFn: SendMsg | undefined
function sendmsg(): SendMsg {
  if (sendmsgFn) return sendmsgFn
  const k = koffi()
  const iovec = k.struct('tsrun_iovec', { base: 'void *', len: 'size_t' })
  const msghdr = k.struct('tsrun_msghdr', {
    name: 'void *', namelen: 'uint32', iov: k.pointer(iovec), iovlen: 'size_t',
    control: 'void *', controllen: 'size_t', flags: 'int',
  })
  sendmsgFn = libc().func('long sendmsg(int, const tsrun_msghdr *, int)') as unknown as SendMsg
  void msghdr
  return sendmsgFn
}

/** Send one message with the given fds attached as SCM_RIGHTS. */
export function sendWithFds(sock: number, data: Uint8Array, fds: readonly number[]): void {
  let control: Buffer | null = null
  if (fds.length > 0) {
    const len = 16 + 4 * fds.length // CMSG_LEN
    control = Buffer.alloc((len + 7) & ~7) // CMSG_SPACE
    control.writeBigUInt64LE(BigInt(len), 0)
    control.writeInt32LE(SOL_SOCKET, 8)
    control.writeInt32LE(SCM_RIGHTS, 12)
    fds.forEach((fd, i) => control!.writeInt32LE(fd, 16 + 4 * i))
  }
  const msg = {
    name: null, namelen: 0, iov: [{ base: Buffer.from(data), len: data.length }], iovlen: 1,
    control, controllen: control ? control.length : 0, flags: 0,
  }
  check('sendmsg', () => Number(sendmsg()(sock, msg, 0)))
}

/** Send one datagram without fds. */
export function send(sock: number, data: Uint8Array): void {
  writeSync(sock, data)
}

const SOCK_STREAM = 1
const socketFn = lazyFn<(d: number, t: number, p: number) => number>('int socket(int, int, int)')
const connectFn = lazyFn<(fd: number, addr: Buffer, len: number) => number>('int connect(int, void *, uint32_t)')

/** A connected AF_UNIX stream socket to path (close-on-exec). */
export function connectUnix(path: string): number {
  const name = Buffer.from(path)
  if (name.length >= 108) throw new Error(`socket path too long: ${path}`)
  const addr = Buffer.alloc(110)
  addr.writeUInt16LE(AF_UNIX, 0)
  name.copy(addr, 2)
  const fd = check('socket', () => socketFn()(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0))
  try {
    check('connect', () => connectFn()(fd, addr, 2 + name.length + 1), path)
  } catch (e) {
    closeSync(fd)
    throw e
  }
  return fd
}

/** A connected AF_UNIX stream pair (close-on-exec): the relay side of a terminal. */
export function streamPair(): [number, number] {
  const sv = new Int32Array(2)
  check('socketpair', () => socketpairFn()(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
  return [sv[0]!, sv[1]!]
}

type RecvMsg = (fd: number, msg: unknown, flags: number) => number | bigint
let recvmsgFn: RecvMsg | undefined

/** Receive one message with any fds it carries (SCM_RIGHTS, close-on-exec). An empty payload means EOF. */
export function receiveWithFds(sock: number, max = 4096): { data: Buffer; fds: number[] } {
  sendmsg() // declares the struct types
  recvmsgFn ??= libc().func('long recvmsg(int, _Inout_ tsrun_msghdr *, int)') as unknown as RecvMsg
  const data = Buffer.alloc(max)
  const control = Buffer.alloc(64)
  const msg = { name: null, namelen: 0, iov: [{ base: data, len: data.length }], iovlen: 1, control, controllen: control.length, flags: 0 }
  const n = check('recvmsg', () => Number(recvmsgFn!(sock, msg, 0x40000000 /* MSG_CMSG_CLOEXEC */)))
  const fds: number[] = []
  const clen = Number(control.readBigUInt64LE(0))
  if (msg.controllen > 0 && clen >= 16 && control.readInt32LE(8) === SOL_SOCKET && control.readInt32LE(12) === SCM_RIGHTS)
    for (let off = 16; off + 4 <= clen; off += 4) fds.push(control.readInt32LE(off))
  return { data: data.subarray(0, n), fds }
}

/** Receive one message carrying one fd; returns the payload and the fd. */
export function receiveFd(sock: number): { data: Buffer; fd: number } {
  const { data, fds } = receiveWithFds(sock)
  if (fds.length !== 1) throw new Error(`recvmsg: expected one fd, got ${fds.length}`)
  return { data, fd: fds[0]! }
}
