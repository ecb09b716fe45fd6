// The messages on the parent <-> helper/init socket. Every message is one SOCK_SEQPACKET datagram:
// u32 type, u32 a, u32 b, then an optional payload. docs/protocol.md has the table.

export const PROTOCOL_VERSION = 1
export const PROTOCOL_MAGIC = 0x5453524e // "TSRN"

export const MESSAGES = [
  { name: 'PLAN', code: 1, from: 'parent', a: 'magic', b: 'protocol version', payload: 'the encoded plan', fds: 'every fd the plan references, in index order', reply: 'PID or ERROR' },
  { name: 'PID', code: 2, from: 'helper', a: 'pid of the container init (host pid namespace)', b: '-', payload: '-', fds: '-', reply: '-' },
  { name: 'SYNC', code: 3, from: 'init', a: 'sync tag', b: '-', payload: '-', fds: '-', reply: 'ACK' },
  { name: 'ACK', code: 4, from: 'parent', a: '-', b: '-', payload: '-', fds: '-', reply: '-' },
  { name: 'READY', code: 5, from: 'init', a: '-', b: '-', payload: '-', fds: '-', reply: '-' },
  { name: 'SECCOMP_FD', code: 7, from: 'init', a: '-', b: '-', payload: '-', fds: 'the seccomp notify fd (SECCOMP_FILTER_FLAG_NEW_LISTENER)', reply: '- (tsrun passes it to linux.seccomp.listenerPath)' },
  { name: 'ERROR', code: 6, from: 'helper or init', a: 'op index (0xffffffff: protocol mismatch)', b: 'errno (or the helper\'s protocol version)', payload: '-', fds: '-', reply: '-' },
] as const

export type MessageName = (typeof MESSAGES)[number]['name']
export const MSG = Object.fromEntries(MESSAGES.map((m) => [m.name, m.code])) as { [K in MessageName]: number }

export const HEADER_SIZE = 12
export const OP_INDEX_PROTOCOL = 0xffffffff

export interface Message { type: number; a: number; b: number; payload: Buffer }

export function encodeMessage(type: number, a = 0, b = 0, payload?: Uint8Array): Buffer {
  const head = Buffer.alloc(HEADER_SIZE)
  head.writeUInt32LE(type, 0)
  head.writeUInt32LE(a >>> 0, 4)
  head.writeUInt32LE(b >>> 0, 8)
  return payload ? Buffer.concat([head, payload]) : head
}

export function decodeMessage(buf: Buffer): Message | undefined {
  if (buf.length < HEADER_SIZE) return undefined
  return { type: buf.readUInt32LE(0), a: buf.readUInt32LE(4), b: buf.readUInt32LE(8), payload: buf.subarray(HEADER_SIZE) }
}
