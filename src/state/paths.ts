// Where a container's state lives: <root>/<id>/{state.json, exec.fifo, lock}.
import { join } from 'node:path'
import { ERR, TsrunError } from '../errors'

export const DEFAULT_ROOT = '/run/tsrun'

const ID = /^[A-Za-z0-9_+.-]+$/

/** runc's rule (factory_linux.go validateID): [A-Za-z0-9_+.-]+, and not "." or "..". */
export function checkId(id: string | undefined): string {
  if (id === undefined || id === '') throw new TsrunError('container id cannot be empty')
  if (!ID.test(id) || id === '.' || id === '..') throw new TsrunError(`${ERR.invalidId}: ${JSON.stringify(id)}`)
  return id
}

export interface ContainerPaths { dir: string; state: string; fifo: string; lock: string; config: string }

export function containerPaths(root: string, id: string): ContainerPaths {
  const dir = join(root, id)
  return { dir, state: join(dir, 'state.json'), fifo: join(dir, 'exec.fifo'), lock: join(dir, 'lock'), config: join(dir, 'config.json') }
}
