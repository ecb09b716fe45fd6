// run: create + start in one call; in the foreground, wait and return the process's exit status.
import { closeSync } from 'node:fs'
import { constants } from 'node:os'
import { signalProcess } from '../sys/process'
import { createContainer, type CreateOptions } from './create'
import { releaseInit, runStartHooks } from './start'
import { loadContainer } from './container'
import { deleteContainer } from './delete'
import { reaped } from './launch'
import { relayTerminal } from './terminal'

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGCONT'] as const

export async function runContainer(o: Omit<CreateOptions, 'wait'> & { detach: boolean; keep: boolean }): Promise<number> {
  const created = createContainer({ ...o, wait: !o.detach })
  closeSync(created.launched.sock)
  const { pid, startTime } = created.record
  const loaded = loadContainer(o.root, o.id, false)
  const start = (): void => runStartHooks(loaded, () => releaseInit(created.fifo, pid, startTime))
  if (o.detach) {
    start()
    await reaped(created.launched)
    return 0
  }
  const exited = new Promise<number>((resolve) => {
    created.launched.child.on('exit', (code, sig) => resolve(code ?? 128 + (sig ? constants.signals[sig] : 0)))
  })
  const handlers = FORWARDED.map((name) => {
    const h = (): void => { signalProcess(pid, constants.signals[name]) }
    process.on(name, h)
    return [name, h] as const
  })
  try {
    start()
  } catch (e) {
    deleteContainer(o.root, o.id, true)
    throw e
  }
  const status = created.relayFd !== undefined ? await relayTerminal(created.relayFd, exited) : await exited
  for (const [name, h] of handlers) process.off(name, h)
  if (!o.keep) deleteContainer(o.root, o.id, true)
  return status
}
