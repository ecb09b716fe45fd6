// Terminals: the console socket a caller gives, or (foreground run/exec without one) a relay by tsrun itself.
import { closeSync, createReadStream, writeSync } from 'node:fs'
import { TsrunError } from '../errors'
import { connectUnix, receiveFd, streamPair } from '../sys/socket'
import { setWindowSize } from '../sys/tty'

export interface TerminalSetup {
  /** The fd handed to the init (closed by the caller after launch). */
  initFd: number
  /** For a relay: tsrun's end, on which the init sends the master. */
  relayFd?: number
}

/** runc's rules: a tty needs a console socket unless tsrun stays in the foreground, and vice versa. */
export function terminalSetup(terminal: boolean, consoleSocket: string | undefined, foreground: boolean): TerminalSetup | undefined {
  if (!terminal) {
    if (consoleSocket) throw new TsrunError('cannot use console socket if tsrun will not detach or allocate tty')
    return undefined
  }
  if (consoleSocket) {
    try { return { initFd: connectUnix(consoleSocket) } } catch (e) {
      throw new TsrunError(`failed to connect to console socket ${consoleSocket}: ${(e as Error).message}`)
    }
  }
  if (!foreground) throw new TsrunError('cannot allocate tty if tsrun will detach without setting console socket')
  const [mine, theirs] = streamPair()
  return { initFd: theirs, relayFd: mine }
}

/** Relay the container's pty to our stdio until `done` settles: raw mode, window size, SIGWINCH. */
export async function relayTerminal(relayFd: number, done: Promise<number>): Promise<number> {
  const { fd: master } = receiveFd(relayFd)
  closeQuietly(relayFd)
  const stdin = process.stdin
  const resize = (): void => {
    const { rows, columns } = process.stdout
    if (process.stdout.isTTY && rows > 0 && columns > 0) try { setWindowSize(master, rows, columns) } catch { /* gone */ }
  }
  resize()
  process.on('SIGWINCH', resize)
  if (stdin.isTTY) stdin.setRawMode(true)
  const onInput = (d: Buffer): void => { try { writeSync(master, d) } catch { /* process gone */ } }
  stdin.on('data', onInput)
  const out = createReadStream('', { fd: master, autoClose: false })
  const drained = new Promise<void>((resolve) => {
    out.on('data', (d) => process.stdout.write(d))
    out.on('error', () => resolve()) // EIO once every slave fd is closed
    out.on('end', () => resolve())
  })
  const code = await done
  await Promise.race([drained, new Promise((r) => setTimeout(r, 200))])
  stdin.off('data', onInput)
  stdin.pause()
  if (stdin.isTTY) stdin.setRawMode(false)
  process.off('SIGWINCH', resize)
  out.destroy()
  closeQuietly(master)
  return code
}

/** The read stream may still hold a threadpool read on the master when we close it: EBADF then is harmless. */
function closeQuietly(fd: number): void {
  try { closeSync(fd) } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EBADF') throw e }
}
