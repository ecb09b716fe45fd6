// list: every container under the root, with computed status.
import { readdirSync } from 'node:fs'
import { findContainer, ociState } from './container'

export function listContainers(root: string): ReturnType<typeof ociState>[] {
  let ids: string[]
  try { ids = readdirSync(root) } catch { return [] }
  const out: ReturnType<typeof ociState>[] = []
  for (const id of ids.sort()) {
    try {
      const c = findContainer(root, id, false)
      if (c) out.push(ociState(c))
    } catch { /* not a container dir */ }
  }
  return out
}
