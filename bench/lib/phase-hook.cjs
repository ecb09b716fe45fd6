// Preloaded (`node -r`) into a tsrun process by the phase breakdown: records when node's bootstrap ended,
// when the bundle started, and when tsrun reached a few landmarks (config read, koffi loaded, helper
// spawned, state written, exit). Writes one JSON object to $TSRUN_BENCH_HOOK_DIR/<pid>.json at exit.
// Times are ms since the process's time origin (performance.now()).
'use strict'
const { performance } = require('node:perf_hooks')
const fs = require('node:fs')
const cp = require('node:child_process')
const Module = require('node:module')

const dir = process.env.TSRUN_BENCH_HOOK_DIR
delete process.env.TSRUN_BENCH_HOOK_DIR
const marks = []
const mark = (name, extra) => marks.push({ name, t: performance.now(), ...(extra ?? {}) })
const once = new Set()
const markOnce = (name) => { if (!once.has(name)) { once.add(name); mark(name) } }
mark('hook')

const origCompile = Module.prototype._compile
let entryDir
Module.prototype._compile = function (content, filename) {
  if (/\/tsrun\.js$/.test(filename) && !entryDir) {
    entryDir = filename.slice(0, filename.lastIndexOf('/') + 1)
    markOnce('bundle-start')
    return origCompile.call(this, content, filename)
  }
  // a per-verb chunk next to the entry (split builds): time its compile + top-level evaluation
  if (entryDir && filename.startsWith(entryDir) && !once.has('chunk-start')) {
    markOnce('chunk-start')
    const r = origCompile.call(this, content, filename)
    markOnce('chunk-end')
    return r
  }
  return origCompile.call(this, content, filename)
}

const origLoad = Module._load
Module._load = function (request, parent, isMain) {
  if (request === 'koffi') {
    markOnce('koffi-start')
    const r = origLoad.call(this, request, parent, isMain)
    markOnce('koffi-end')
    return r
  }
  return origLoad.call(this, request, parent, isMain)
}

// tsrun loads koffi's addon directly (src/sys/libc.ts) and falls back to require('koffi')
const origDlopen = process.dlopen
process.dlopen = function (mod, filename, ...rest) {
  if (!/\/koffi\.node$/.test(String(filename))) return origDlopen.call(this, mod, filename, ...rest)
  markOnce('koffi-start')
  const r = origDlopen.call(this, mod, filename, ...rest)
  markOnce('koffi-end')
  return r
}

const origRead = fs.readFileSync
const origWrite = fs.writeFileSync
fs.readFileSync = function (p, ...rest) {
  if (typeof p === 'string' && p.endsWith('/config.json')) markOnce('config-read')
  return origRead.call(this, p, ...rest)
}
for (const fn of ['writeFileSync', 'renameSync']) {
  const orig = fs[fn]
  fs[fn] = function (p, ...rest) {
    const r = orig.call(this, p, ...rest)
    const target = fn === 'renameSync' ? rest[0] : p
    if (typeof target === 'string' && /\/state\.json$/.test(target)) markOnce('state-written')
    return r
  }
}
// tsrun spawns its helper with posix_spawn through koffi (invisible here): the sealed copy of the helper
// (copyFileSync to /proc/self/fd/N) comes right before the spawn, the init's first cgroup.procs write
// (at its SYNC) right after the helper has started and cloned it
const origCopy = fs.copyFileSync
fs.copyFileSync = function (src, dest, ...rest) {
  if (typeof dest === 'string' && dest.startsWith('/proc/self/fd/')) {
    once.add('spawn-start')
    mark('spawn-start', { file: String(src).split('/').pop() })
  }
  return origCopy.call(this, src, dest, ...rest)
}
const origOpen = fs.openSync
fs.openSync = function (p, flags, ...rest) {
  if (typeof p === 'string' && p.endsWith('/cgroup.procs') && typeof flags === 'number' && (flags & 3) !== 0 &&
    once.has('spawn-start') && !once.has('spawn-end')) markOnce('spawn-end')
  return origOpen.call(this, p, flags, ...rest)
}
const origSpawn = cp.spawn
cp.spawn = function (...args) {
  mark('spawn-start', { file: String(args[0]).split('/').pop() })
  const r = origSpawn.apply(this, args)
  mark('spawn-end')
  return r
}
const origExit = process.exit
process.exit = function (code) {
  markOnce('exit-called')
  return origExit.call(this, code)
}
process.on('exit', () => {
  markOnce('exit-event')
  if (!dir) return
  const t = performance.nodeTiming
  const node = { nodeStart: t.nodeStart, v8Start: t.v8Start, environment: t.environment, bootstrapComplete: t.bootstrapComplete }
  const argv = process.argv.slice(2)
  try { origWrite(`${dir}/${process.pid}.json`, JSON.stringify({ argv, code: process.exitCode, node, marks })) } catch { /* best effort */ }
})
