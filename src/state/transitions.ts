// Which operation is allowed in which status, with runc's error texts.
import type { ContainerStatus } from '../spec'
import { ERR, TsrunError } from '../errors'

export type Operation = 'start' | 'kill' | 'delete' | 'pause' | 'resume' | 'exec'

export class TransitionError extends TsrunError {
  constructor(readonly operation: Operation, readonly status: ContainerStatus, message: string) {
    super(message)
  }
}

/** Throws TransitionError when `op` is not allowed in `status`. */
export function checkTransition(op: Operation, status: ContainerStatus, id: string): void {
  const fail = (m: string): never => { throw new TransitionError(op, status, m) }
  switch (op) {
    case 'start':
      if (status === 'stopped') fail('cannot start a container that has stopped')
      if (status === 'running') fail('cannot start an already running container')
      if (status === 'paused') fail('cannot start a container in the paused state')
      return
    case 'kill':
      if (status === 'stopped') fail(ERR.notRunning)
      return
    case 'delete':
      if (status === 'running' || status === 'paused') fail(`cannot delete container ${id} that is not stopped: ${status}`)
      return
    case 'pause':
      if (status !== 'running' && status !== 'created') fail(ERR.notRunning) // runc says this for paused too
      return
    case 'resume':
      if (status !== 'paused') fail(ERR.notPaused)
      return
    case 'exec':
      if (status === 'stopped') fail('cannot exec in a stopped container')
      if (status === 'paused') fail('cannot exec in a paused container (use --ignore-paused to override)')
      return
  }
}
