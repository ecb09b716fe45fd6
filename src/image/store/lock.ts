// One lock for the whole store: imports and bundle creation share it, garbage collection takes it alone, so a
// layer is never removed between "it is already unpacked" and "the image that uses it is recorded".
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { lockExclusive, lockShared } from '../../sys/fs'
import type { StoreLayout } from './layout'

export async function withStoreLock<T>(s: StoreLayout, mode: 'shared' | 'exclusive', fn: () => Promise<T> | T): Promise<T> {
  mkdirSync(s.root, { recursive: true, mode: 0o711 })
  const path = join(s.root, 'store.lock')
  const fd = openSync(path, 'a', 0o600)
  try {
    if (mode === 'shared') lockShared(fd, path)
    else lockExclusive(fd, path)
    return await fn()
  } finally {
    closeSync(fd)
  }
}
