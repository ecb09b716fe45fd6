// Experiment only (bench/lib/experiments.mjs): run tsrun's bundle(s) with a V8 code cache.
//   node cc-loader.cjs DIST/tsrun.js [args...]
// Every .js file under DIST (the entry and any per-verb chunk it requires) is compiled through vm.Script with
// FILE.cache as cachedData; a missing or rejected cache is (re)written at exit, after the run, so it also
// holds the functions this verb compiled lazily. This is the mechanism tsrun's launcher could use.
'use strict'
const fs = require('node:fs')
const vm = require('node:vm')
const path = require('node:path')
const Module = require('node:module')

const entry = path.resolve(process.argv[2])
const dist = path.dirname(entry) + path.sep
process.argv.splice(1, 1) // argv[1] is now the entry, as if node ran it directly
const pending = []
const origCompile = Module.prototype._compile
Module.prototype._compile = function (content, filename) {
  if (!filename.startsWith(dist)) return origCompile.call(this, content, filename)
  const cacheFile = `${filename}.cache`
  let cachedData
  try { cachedData = fs.readFileSync(cacheFile) } catch { /* first run */ }
  const script = new vm.Script(Module.wrap(content), { filename, cachedData })
  if (!cachedData || script.cachedDataRejected) pending.push([script, cacheFile])
  const fn = script.runInThisContext()
  return fn.call(this.exports, this.exports, Module.createRequire(filename), this, filename, path.dirname(filename))
}
process.on('exit', () => {
  for (const [script, file] of pending) { try { fs.writeFileSync(file, script.createCachedData()) } catch { /* read-only */ } }
})
require(entry)
