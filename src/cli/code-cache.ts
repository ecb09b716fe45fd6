// Load a bundled verb module with a V8 code cache (<file>.cache next to it): node 20 has no compile cache of
// its own. A missing or rejected cache is written at exit (atomically), after the verb ran, so it also holds
// the functions the verb compiled lazily.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import Module from 'node:module'
import { dirname } from 'node:path'
import { Script } from 'node:vm'

const pending: [Script, string][] = []
let hooked = false

export function requireWithCodeCache<T>(filename: string): T {
  const cacheFile = `${filename}.cache`
  let cachedData: Buffer | undefined
  try { cachedData = readFileSync(cacheFile) } catch { /* first run */ }
  const script = new Script(Module.wrap(readFileSync(filename, 'utf8')), { filename, cachedData })
  if (!cachedData || script.cachedDataRejected) {
    pending.push([script, cacheFile])
    if (!hooked) { hooked = true; process.once('exit', writeCaches) }
  }
  const mod = { exports: {} as T, filename, id: filename, loaded: false }
  const fn = script.runInThisContext() as (e: unknown, r: NodeRequire, m: unknown, f: string, d: string) => void
  fn.call(mod.exports, mod.exports, Module.createRequire(filename), mod, filename, dirname(filename))
  return mod.exports
}

function writeCaches(): void {
  for (const [script, file] of pending) {
    try {
      const tmp = `${file}.${process.pid}`
      writeFileSync(tmp, script.createCachedData())
      renameSync(tmp, file)
    } catch { /* read-only install: run without a cache */ }
  }
}
