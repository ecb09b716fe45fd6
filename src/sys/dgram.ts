// AF_UNIX datagram sockets (the sd_notify proxy): socket, bind, recv, sendto, poll. Loaded only when NOTIFY_SOCKET is set.
import { closeSync, openSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import { check, errno, lazyFn } from './libc'
import { SyscallError } from './errors'
import { O_CLOEXEC, O_DIRECTORY, O_PATH } from './fs'

const AF_UNIX = 1
const SOCK_DGRAM = 2
const SOCK_NONBLOCK = 0o4000
const SOCK_CLOEXEC = 0o2000000
const MSG_DONTWAIT = 0x40
const MSG_NOSIGNAL = 0x4000
const EAGAIN = 11
const EINTR = 4
const POLLIN = 1
/** sizeof(sun_path) */
const SUN_PATH = 108

const socketFn = lazyFn<(d: number, t: number, p: number) => number>('int socket(int, int, int)')
const bindFn = lazyFn<(fd: number, addr: Buffer, len: number) => number>('int bind(int, void *, uint32_t)')
const recvFn = lazyFn<(fd: number, buf: Buffer, len: number, flags: number) => number | bigint>('long recv(int, void *, size_t, int)')
const sendtoFn = lazyFn<(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, alen: number) => number | bigint>(
  'long sendto(int, void *, size_t, int, void *, uint32_t)',
)
const pollFn = lazyFn<(fds: Buffer, n: number, timeout: number) => number>('int poll(void *, unsigned long, int)')

/** A sockaddr_un for a path, or for an abstract name written `@name` (as sd_notify reads NOTIFY_SOCKET). */
function sockaddr(path: string): { addr: Buffer; len: number } | undefined {
  const abstract = path.startsWith('@')
  const name = Buffer.from(abstract ? path.slice(1) : path)
  if (name.length + 1 > SUN_PATH) return undefined
  const addr = Buffer.alloc(2 + SUN_PATH)
  addr.writeUInt16LE(AF_UNIX, 0)
  name.copy(addr, abstract ? 3 : 2)
  return { addr, len: abstract ? 3 + name.length : 2 + name.length + 1 }
}

/** An unbound AF_UNIX SOCK_DGRAM socket, close-on-exec (and non-blocking when asked). */
export function dgramSocket(nonBlocking: boolean): number {
  return check('socket', () => socketFn()(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | (nonBlocking ? SOCK_NONBLOCK : 0), 0))
}

/**
 * bind(2) to a filesystem path. A path longer than sun_path is reached through its directory's fd
 * (/proc/self/fd/N/name), so deep state dirs still work.
 */
export function bindUnix(fd: number, path: string): void {
  const direct = sockaddr(path)
  if (direct) { check('bind', () => bindFn()(fd, direct.addr, direct.len), path); return }
  const dirFd = openSync(dirname(path), O_PATH | O_DIRECTORY | O_CLOEXEC)
  try {
    const via = sockaddr(`/proc/self/fd/${dirFd}/${basename(path)}`)
    if (!via) throw new SyscallError('bind', 36 /* ENAMETOOLONG */, path)
    check('bind', () => bindFn()(fd, via.addr, via.len), path)
  } finally {
    closeSync(dirFd)
  }
}

/** One datagram, or undefined when none is queued (never blocks). */
export function recvDatagram(fd: number, max = 4096): Buffer | undefined {
  const buf = Buffer.alloc(max)
  for (;;) {
    const n = Number(recvFn()(fd, buf, max, MSG_DONTWAIT))
    if (n >= 0) return buf.subarray(0, n)
    const e = errno()
    if (e === EAGAIN) return undefined
    if (e !== EINTR) throw new SyscallError('recv', e)
  }
}

/** sendto(2) one datagram to a path or an `@abstract` name (no SIGPIPE). */
export function sendDatagram(fd: number, data: Uint8Array, path: string): void {
  const a = sockaddr(path)
  if (!a) throw new SyscallError('sendto', 36 /* ENAMETOOLONG */, path)
  const buf = Buffer.from(data)
  check('sendto', () => Number(sendtoFn()(fd, buf, buf.length, MSG_NOSIGNAL, a.addr, a.len)), path)
}

/** poll(2) for readability: which of fds are readable (or hung up) within timeoutMs (-1: no limit). */
export function pollReadable(fds: readonly number[], timeoutMs: number): boolean[] {
  const set = Buffer.alloc(8 * fds.length) // struct pollfd { int fd; short events; short revents; }
  fds.forEach((fd, i) => { set.writeInt32LE(fd, 8 * i); set.writeInt16LE(POLLIN, 8 * i + 4) })
  const n = pollFn()(set, fds.length, timeoutMs)
  if (n === -1) {
    const e = errno()
    if (e === EINTR) return fds.map(() => false)
    throw new SyscallError('poll', e)
  }
  return fds.map((_, i) => set.readInt16LE(8 * i + 6) !== 0)
}
