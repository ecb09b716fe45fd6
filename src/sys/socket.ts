// Sockets the parent needs: a SOCK_SEQPACKET socketpair to the init helper, and sendmsg with SCM_RIGHTS.
import { readSync, writeSync } from 'node:fs'
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

/** Receive one datagram (blocking). Returns an empty buffer on EOF. */
export function receive(sock: number, max = 4096): Buffer {
  const buf = Buffer.alloc(max)
  const n = readSync(sock, buf, 0, max, null)
  return buf.subarray(0, n)
}

/** Send one datagram without fds. */
export function send(sock: number, data: Uint8Array): void {
  writeSync(sock, data)
}
