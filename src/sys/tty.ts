// Terminal ioctls the relay needs.
import { check, lazyFn } from './libc'

const TIOCSWINSZ = 0x5414
const ioctlPtr = lazyFn<(fd: number, req: number, arg: Buffer) => number>('int ioctl(int, unsigned long, void *)')

export function setWindowSize(fd: number, rows: number, cols: number): void {
  const ws = Buffer.alloc(8)
  ws.writeUInt16LE(rows, 0)
  ws.writeUInt16LE(cols, 2)
  check('ioctl(TIOCSWINSZ)', () => ioctlPtr()(fd, TIOCSWINSZ, ws))
}
