// Experiment only (bench/lib/experiments.mjs): run a CJS bundle with a V8 code cache.
//   node cc-loader.cjs BUNDLE [args...]
// The cache (BUNDLE.cache) is written at exit when missing or rejected, after the run, so it also holds
// the functions this verb compiled lazily. This is the mechanism tsrun could use in its launcher.
'use strict'
const fs = require('node:fs')
const vm = require('node:vm')
const path = require('node:path')
const Module = require('node:module')

const file = path.resolve(process.argv[2])
process.argv.splice(1, 1) // argv[1] is now the bundle, as if node ran it directly
const cacheFile = `${file}.cache`
const src = fs.readFileSync(file, 'utf8')
let cachedData
try { cachedData = fs.readFileSync(cacheFile) } catch { /* first run */ }
const script = new vm.Script(Module.wrap(src), { filename: file, cachedData })
const mod = new Module(file, null)
mod.filename = file
mod.paths = Module._nodeModulePaths(path.dirname(file))
if (!cachedData || script.cachedDataRejected) {
  process.on('exit', () => { try { fs.writeFileSync(cacheFile, script.createCachedData()) } catch { /* read-only */ } })
}
script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file))
