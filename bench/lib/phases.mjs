// Where tsrun's time goes: a start-up ladder (node → bundle → koffi → verbs), landmarks inside each verb
// (preload hook), a CPU profile of `create` attributed to source modules, and strace summaries.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { measure } from './measure.mjs'
import { BENCH_DIR, OUT_DIR, REPO } from './env.mjs'
import { cbench, childEnv, log, median, tick, which } from './util.mjs'

const HOOK = join(BENCH_DIR, 'lib', 'phase-hook.cjs')
// the private copy of the build (env.mjs snapshotTsrun); set by setTsrunDir
let BUNDLE = join(REPO, 'dist', 'tsrun.js')
let LAUNCHER = join(REPO, 'cmd', 'tsrun')
let HELPER = join(REPO, 'native', 'build', 'tsrun-init')
export function setTsrunDir(dir) {
  BUNDLE = join(dir, 'dist', 'tsrun.js')
  LAUNCHER = join(dir, 'cmd', 'tsrun')
  HELPER = join(dir, 'native', 'build', 'tsrun-init')
}

/** The flags the launcher passes to node (read from cmd/tsrun's exec line, so the ladder follows it). */
export function launcherFlags() {
  try {
    const m = /exec "\$node" (.*?)"\$dir\/\.\.\/dist\/tsrun\.js"/.exec(readFileSync(LAUNCHER, 'utf8'))
    return m ? m[1].trim().split(/\s+/).filter(Boolean) : []
  } catch {
    return []
  }
}

export function startupLadder(ctx, tsrun, runningId) {
  const node = ctx.node
  const flags = launcherFlags()
  const koffi = join(REPO, 'node_modules', 'koffi')
  const m = (name, argv, expect) => ({ name, crunNs: false, argv, expect })
  const members = [
    m('/bin/true (exec floor)', ['/bin/true']),
    m('node --version (no JS)', [node, '--version']),
    m('node -e 0', [node, '-e', '0']),
    ...(flags.length ? [m(`node ${flags.join(' ')} -e 0`, [node, ...flags, '-e', '0'])] : []),
    m('node -e require(child_process)', [node, '-e', 'require("child_process")']),
    ...(flags.length ? [m(`node ${flags.join(' ')} -e require(child_process)`, [node, ...flags, '-e', 'require("child_process")'])] : []),
    m('node -e require(koffi)', [node, '-e', `require(${JSON.stringify(koffi)})`]),
    m('node -e require(koffi).load(libc)', [node, '-e', `require(${JSON.stringify(koffi)}).load('libc.so.6')`]),
    m('node dist/tsrun.js --version', [node, ...flags, BUNDLE, '--version']),
    m('cmd/tsrun --version (launcher)', [LAUNCHER, '--version']),
    m('node dist/tsrun.js state <missing>', [node, ...flags, BUNDLE, '--root', tsrun.root, 'state', 'bench-missing'], [1]),
    m('cmd/tsrun state <missing>', [LAUNCHER, '--root', tsrun.root, 'state', 'bench-missing'], [1]),
    ...(runningId ? [m('cmd/tsrun state <running>', [LAUNCHER, '--root', tsrun.root, 'state', runningId])] : []),
    m('cmd/tsrun list', [LAUNCHER, '--root', tsrun.root, 'list']),
  ]
  return measure(ctx, {
    id: 'ladder', title: 'tsrun start-up ladder', rounds: ctx.plan.rounds, warmup: 1, members, ref: 'node -e 0',
    make: (mm) => ({ steps: [mm.argv], expect: mm.expect }),
  })
}

/** Landmarks inside create/start/delete/state/exec of tsrun (node -r phase-hook.cjs dist/tsrun.js …). */
export async function verbTimelines(ctx, tsrun, runningId) {
  const dir = join(ctx.world.tmp, 'hook')
  mkdirSync(dir, { recursive: true })
  const flags = launcherFlags()
  const hooked = (...args) => [ctx.node, ...flags, '-r', HOOK, BUNDLE, '--root', tsrun.root, ...args]
  const byVerb = {}
  const rounds = Math.max(3, Math.min(ctx.plan.rounds, 10))
  for (let r = 0; r < rounds + 1; r++) {
    await tick()
    for (const f of readdirSync(dir)) rmSync(join(dir, f))
    const b = ctx.world.bundle('tsrun', 'timeline', 'true')
    const id = `timeline-${r}`
    const pid = join(ctx.world.tmp, 'pids', id)
    const steps = [hooked('create', '--pid-file', pid, '--bundle', b, id), hooked('start', id), ['@wait', pid], hooked('delete', id),
      hooked('state', 'bench-missing')]
    if (runningId) steps.push(hooked('state', runningId), hooked('exec', runningId, '/bin/true'))
    const rb = ctx.world.bundle('tsrun', 'timeline-run', 'true')
    steps.push(hooked('run', '--bundle', rb, `timeline-run-${r}`))
    let res
    try {
      res = cbench(ctx.tools.cbench, steps, { env: { TSRUN_BENCH_HOOK_DIR: dir }, err: join(ctx.world.tmp, 'logs', 'timeline.err') })
    } catch (e) {
      if (e.interrupted) throw e
      log(`timeline: ${e.message}`)
      continue
    }
    if (r === 0) continue // warm-up
    const files = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
    const verbOf = (argv) => {
      const i = argv.findIndex((a) => ['create', 'start', 'delete', 'state', 'exec', 'run'].includes(a))
      if (i < 0) return '?'
      return argv[i] === 'state' ? (argv[i + 1] === 'bench-missing' ? 'state <missing>' : 'state <running>') : argv[i]
    }
    const stepVerb = (s) => verbOf(s)
    steps.forEach((s, i) => {
      if (s[0] === '@wait') return
      const v = stepVerb(s)
      const f = files.find((x) => verbOf(x.argv) === v)
      if (!f) return
      const t = Object.fromEntries(f.marks.map((x) => [x.name, x.t]))
      const spawns = f.marks.filter((x) => x.name === 'spawn-start').length
      ;(byVerb[v] ??= []).push({ wall: res.steps[i].wallMs, cpu: res.steps[i].cpuMs, exit: res.steps[i].exit, t, spawns })
    })
  }
  // intervals (medians) per verb
  const out = {}
  for (const [v, xs] of Object.entries(byVerb)) {
    const iv = (a, b) => median(xs.map((x) => (x.t[a] !== undefined && x.t[b] !== undefined ? x.t[b] - x.t[a] : NaN)))
    const end = (x) => x.t['exit-called'] ?? x.t['exit-event']
    const row = {
      n: xs.length,
      wallMs: median(xs.map((x) => x.wall)),
      cpuMs: median(xs.map((x) => x.cpu)),
      koffiLoaded: xs.filter((x) => x.t['koffi-start'] !== undefined).length,
      helperSpawns: median(xs.map((x) => x.spawns)),
      phases: {
        'node start → preload (node bootstrap)': median(xs.map((x) => x.t.hook)),
        'preload → bundle compile (hook + read)': iv('hook', 'bundle-start'),
        'entry start → verb chunk require (entry compile, args)': iv('bundle-start', 'chunk-start'),
        'verb chunk compile + top level': iv('chunk-start', 'chunk-end'),
        'bundle start → config.json read (bundle eval, args, verb module)': iv('bundle-start', 'config-read'),
        'config read → koffi require (spec, validation, cgroups)': iv('config-read', 'koffi-start'),
        'bundle start → koffi require': v === 'create' || v === 'run' ? NaN : iv('bundle-start', 'koffi-start'),
        'koffi require + load': iv('koffi-start', 'koffi-end'),
        'koffi → helper spawn() (seccomp, plan)': iv('koffi-end', 'spawn-start'),
        'helper copy + spawn → init at SYNC(setup)': iv('spawn-start', 'spawn-end'),
        'SYNC(setup) → state.json written (cgroups, init set-up)': iv('spawn-end', 'state-written'),
        'state.json → exit()': iv('state-written', 'exit-called'),
        'koffi / bundle start → exit() (verb work)': iv(xs.some((x) => x.t['koffi-end'] !== undefined) ? 'koffi-end' : 'bundle-start', 'exit-called'),
        'exit() → process gone (teardown, wait for children)': median(xs.map((x) => x.wall - (end(x) ?? NaN))),
      },
    }
    for (const k of Object.keys(row.phases)) if (!Number.isFinite(row.phases[k])) delete row.phases[k]
    out[v] = row
  }
  return { rounds, verbs: out, hookOverheadNote: 'the preload hook itself adds ~5 ms before the bundle starts' }
}

/**
 * A non-minified copy of the build (same layout: one file, or the entry plus one file per verb as in dist/),
 * whose `// src/…` comments attribute profile lines to source modules.
 */
async function profBundle(ctx) {
  const dir = join(OUT_DIR, 'prof')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'dist'), { recursive: true })
  const { build } = await import('esbuild')
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'))
  const common = {
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['koffi'], logLevel: 'silent',
    define: { TSRUN_VERSION: JSON.stringify(pkg.version), TSRUN_COMMIT: '"bench-prof"', 'import.meta.url': '__tsrun_import_meta_url' },
    banner: { js: 'var __tsrun_import_meta_url=require("url").pathToFileURL(__filename).href;' },
  }
  const verbs = readdirSync(join(ctx.tsrunDir, 'dist')).filter((f) => f.endsWith('.js') && f !== 'tsrun.js').map((f) => f.slice(0, -3))
    .filter((v) => existsSync(join(REPO, 'src', 'cli', `${v}.ts`)))
  if (verbs.length) await build({ ...common, entryPoints: Object.fromEntries(verbs.map((v) => [v, join(REPO, 'src', 'cli', `${v}.ts`)])), outdir: join(dir, 'dist') })
  await build({ ...common, entryPoints: [join(REPO, 'cmd', 'tsrun.ts')], outfile: join(dir, 'dist', 'tsrun.js') })
  const starts = {}
  for (const f of readdirSync(join(dir, 'dist')).filter((x) => x.endsWith('.js'))) {
    const list = []
    readFileSync(join(dir, 'dist', f), 'utf8').split('\n').forEach((l, i) => {
      const mm = /^\/\/ ((?:src|cmd|node_modules)\/\S+)$/.exec(l)
      if (mm) list.push({ line: i, mod: mm[1] })
    })
    starts[join(dir, 'dist', f)] = list
  }
  return { entry: join(dir, 'dist', 'tsrun.js'), starts, layout: verbs.length ? `entry + ${verbs.length} verb files` : 'one file' }
}

function moduleAt(starts, line) {
  let lo = 0
  let hi = starts.length - 1
  let best = '(bundle prelude)'
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (starts[mid].line <= line) { best = starts[mid].mod; lo = mid + 1 } else hi = mid - 1
  }
  return best
}

/** CPU profile (100 µs sampling) of K creates with the non-minified bundle: self time per module and per function. */
export async function cpuProfile(ctx, tsrun) {
  let pb
  try {
    pb = await profBundle(ctx)
  } catch (e) {
    log(`profile: cannot build the profiling bundle (${e.message.split('\n')[0]}); skipped`)
    return undefined
  }
  const dir = join(ctx.world.tmp, 'cpuprof')
  for (const v of ['create', 'delete']) mkdirSync(join(dir, v), { recursive: true })
  const k = ctx.plan.quick ? 2 : 5
  const flags = launcherFlags()
  const steps = []
  for (let i = 0; i < k + 1; i++) {
    const b = ctx.world.bundle('tsrun', `prof${i}`, 'true')
    const args = (v) => [ctx.node, ...flags, ...(i ? ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', join(dir, v)] : []), pb.entry, '--root', tsrun.root]
    steps.push([...args('create'), 'create', '--bundle', b, `prof-${i}`], [...args('delete'), 'delete', '-f', `prof-${i}`])
  }
  const res = cbench(ctx.tools.cbench, steps, { env: { TSRUN_INIT: HELPER }, err: join(ctx.world.tmp, 'logs', 'prof.err') })
  if (res.steps.some((s) => s.exit !== 0)) log('profile: a profiled create/delete failed (see logs); results may be partial')
  const byModule = {}
  const byFn = {}
  const profiled = { create: [], delete: [] }
  for (const verb of ['create', 'delete']) {
    for (const f of readdirSync(join(dir, verb)).filter((x) => x.endsWith('.cpuprofile'))) {
      const p = JSON.parse(readFileSync(join(dir, verb, f), 'utf8'))
      profiled[verb].push((p.endTime - p.startTime) / 1000)
      if (verb !== 'create') continue
      const nodes = new Map(p.nodes.map((n) => [n.id, n]))
      const self = new Map()
      p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)))
      for (const [id, us] of self) {
        const cf = nodes.get(id).callFrame
        let mod
        const file = cf.url.replace(/^file:\/\//, '')
        if (pb.starts[file]) mod = moduleAt(pb.starts[file], cf.lineNumber)
        else if (cf.url.startsWith('node:')) mod = `node:${cf.url.slice(5).split('/').slice(0, 2).join('/')}`
        else if (cf.url.includes('node_modules/koffi')) mod = 'koffi (js)'
        else if (!cf.url) mod = cf.functionName || '(native)'
        else mod = cf.url.replace(/^file:\/\//, '').replace(`${REPO}/`, '')
        byModule[mod] = (byModule[mod] ?? 0) + us / 1000
        const fn = `${cf.functionName || '(anonymous)'} [${mod}]`
        byFn[fn] = (byFn[fn] ?? 0) + us / 1000
      }
    }
  }
  const creates = profiled.create.length || 1
  const top = (o, n) => Object.entries(o).map(([k2, v]) => [k2, v / creates]).sort((a, b) => b[1] - a[1]).slice(0, n)
  // also the sum by directory (src/seccomp, src/spec, …)
  const byDir = {}
  for (const [mod, ms] of Object.entries(byModule)) {
    const d = /^src\//.test(mod) ? mod.split('/').slice(0, 2).join('/') : mod.startsWith('node:') ? 'node internals' : mod
    byDir[d] = (byDir[d] ?? 0) + ms
  }
  return {
    creates, profiledMsPerCreate: median(profiled.create), profiledMsPerDelete: median(profiled.delete),
    topModules: top(byModule, 15), topDirs: top(byDir, 12), topFunctions: top(byFn, 15),
    note: `self time, 100 µs sampling, non-minified copy of the build (${pb.layout}, bench/out/prof/dist) built now from the working tree; the profile starts after node bootstrap`,
  }
}

/** strace -c of one create (node's own thread) and a process timeline of one run (-f, process syscalls). */
export function straceSummaries(ctx, tsrun) {
  const strace = which('strace')
  if (!strace) return { skipped: 'strace not installed' }
  const flags = launcherFlags()
  const out = {}
  const b = ctx.world.bundle('tsrun', 'strace', 'true')
  const file = join(ctx.world.tmp, 'strace-create.txt')
  const r = spawnSync(strace, ['-c', '-o', file, ctx.node, ...flags, BUNDLE, '--root', tsrun.root, 'create', '--bundle', b, 'strace-1'],
    { env: childEnv(), stdio: 'ignore', timeout: 60000 })
  spawnSync(LAUNCHER, ['--root', tsrun.root, 'delete', '-f', 'strace-1'], { env: childEnv(), stdio: 'ignore' })
  if (r.status === 0 && existsSync(file)) {
    const rows = []
    let totalCalls = 0
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const mm = /^\s*([\d.]+)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(?:(\d+)\s+)?(\S+)$/.exec(line)
      if (mm && mm[6] !== 'total') rows.push({ syscall: mm[6], pct: Number(mm[1]), seconds: Number(mm[2]), calls: Number(mm[4]), errors: Number(mm[5] ?? 0) })
      const tm = /^\S+\s+\S+\s+\S+\s+(\d+)\s+(?:\d+\s+)?total$/.exec(line.trim())
      if (tm) totalCalls = Number(tm[1])
    }
    out.createSyscalls = { total: totalCalls, byCalls: [...rows].sort((a, c) => c.calls - a.calls).slice(0, 12) }
  } else out.createSyscalls = { error: `strace create exited ${r.status ?? r.signal}` }

  const file2 = join(ctx.world.tmp, 'strace-run.txt')
  const b2 = ctx.world.bundle('tsrun', 'strace2', 'true')
  const r2 = spawnSync(strace, ['-f', '-ttt', '-e', 'trace=execve,clone,clone3,vfork,fork,exit_group,wait4,waitid', '-o', file2,
    ctx.node, ...flags, BUNDLE, '--root', tsrun.root, 'run', '--bundle', b2, 'strace-2'],
  { env: childEnv(), stdio: 'ignore', timeout: 60000 })
  if (existsSync(file2)) {
    const lines = readFileSync(file2, 'utf8').split('\n').filter(Boolean)
    const t0 = Number(lines[0]?.split(/\s+/)[1] ?? 0)
    const events = []
    for (const l of lines) {
      const mm = /^(\d+)\s+([\d.]+)\s+(.*)$/.exec(l)
      if (!mm) continue
      const what = mm[3]
      if (/^(execve|clone3?|vfork|fork|exit_group)\(/.test(what) || /\+\+\+ exited/.test(what)) {
        events.push({ ms: Math.round((Number(mm[2]) - t0) * 10000) / 10, pid: Number(mm[1]), what: what.length > 110 ? `${what.slice(0, 110)}…` : what })
      }
    }
    out.runTimeline = { exit: r2.status, events: events.slice(0, 60), execves: events.filter((e) => e.what.startsWith('execve(')).length }
  }
  spawnSync(LAUNCHER, ['--root', tsrun.root, 'delete', '-f', 'strace-2'], { env: childEnv(), stdio: 'ignore' })
  out.note = 'strace slows every syscall; use the counts and the order of events, not the absolute times'
  return out
}

export function toolVersions() {
  const v = (cmd, args) => { try { return execFileSync(cmd, args, { encoding: 'utf8', env: childEnv() }).split('\n')[0].trim() } catch { return undefined } }
  return { node: process.version, kernel: v('uname', ['-r']), strace: v('strace', ['-V']) }
}
