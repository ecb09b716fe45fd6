// errno → "ENOENT: no such file or directory", the libc wording callers match on.
import { getSystemErrorMap } from 'node:util'
import { errnoName } from './errors'

export function errnoText(errno: number): string {
  const entry = getSystemErrorMap().get(-errno)
  return entry ? `${entry[0]}: ${entry[1]}` : errnoName(errno)
}

export function errnoMessage(errno: number): string {
  return getSystemErrorMap().get(-errno)?.[1] ?? errnoName(errno)
}
