// run: create + start in one call; in the foreground, wait and return the process's exit status.
import { closeSync } from 'node:fs'
import { constants } from 'node:os'
import { signalProcess } from '../sys/process'
import { createContainer, type CreateOptions } from './create'
import { notifySocket, releaseInit, runStartHooks } from './start'
import { loadContainer } from './container'
import { deleteContainer } from './delete'
import { helperExited, reaped } from './launch'
import { relayTerminal } from './terminal'
import { log } from '../log/logger'

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGCONT'] as const

export async function runContainer(o: Omit<CreateOptions, 'wait'> & { detach: boolean; keep: boolean }): Promise<number> {
  const notifyHost = process.env.NOTIFY_SOCKET
  const created = createContainer({ ...o, wait: !o.detach })
  closeSync(created.launched.sock)
  const { pid, startTime } = created.record
  const loaded = loadContainer(o.root, o.id, false)
  // sd_notify (runc): bound before the init is released; READY=1 is forwarded with MAINPID=<init> when detached
  let listener: import('./notify-socket').ReadyListener | undefined
  try {
    listener = notifyHost ? notifySocket().ReadyListener.open(loaded.paths.dir, notifyHost) : undefined
  } catch (e) {
    deleteContainer(o.root, o.id, true)
    throw e
  }
  const start = (): void => runStartHooks(loaded, () => releaseInit(created.fifo, pid, startTime))
  if (o.detach) {
    try {
      start()
      if (listener) {
        try { listener.waitSync({ pid, startTime }, pid) } catch (e) { deleteContainer(o.root, o.id, true); throw e }
      }
    } finally {
      listener?.close()
    }
    await reaped(created.launched)
    return 0
  }
  const exited = helperExited(created.launched)
  const handlers = FORWARDED.map((name) => {
    const h = (): void => { signalProcess(pid, constants.signals[name]) }
    process.on(name, h)
    return [name, h] as const
  })
  try {
    start()
  } catch (e) {
    listener?.close()
    deleteContainer(o.root, o.id, true)
    throw e
  }
  // in the foreground MAINPID is tsrun itself (runc); the wait runs alongside the relay and signal forwarding
  const notified = listener?.waitAsync({ pid, startTime }, process.pid).then(
    (r) => { if (r === 'exited') log.warn('container init exited before it sent READY=1 on NOTIFY_SOCKET') },
    (e: Error) => { log.warn(e.message) })
  const status = created.relayFd !== undefined ? await relayTerminal(created.relayFd, exited) : await exited
  listener?.close() // the process is gone: a READY it sent is queued and still forwarded
  await notified
  for (const [name, h] of handlers) process.off(name, h)
  if (!o.keep) deleteContainer(o.root, o.id, true)
  return status
}
