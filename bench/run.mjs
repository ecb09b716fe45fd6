#!/usr/bin/env node
// npm run bench [-- OPTIONS]: tsrun side by side with runc and crun (issue 8).
//
//   --quick            smoke run (~1–2 min): few rounds, scale levels 0/50; writes bench/out only
//   --docs / --no-docs write (or not) docs/performance.md and bench/history/ (default: yes for full runs)
//   --only=a,b         only these scenario groups: version,state,exec,run,cycle,podman,seccomp,concurrent,scale,
//                      phases (tsrun breakdown), experiments (start-up variants of the bundle)
//   --runtimes=a,b     subset of tsrun,runc,crun
//   --rounds=N         measured rounds for the single-call scenarios (full: 15, quick: 4)
//   --scale=0,100,500  existing-container levels for the create-scaling scenario
//   --keep             keep the temp dir (bundles, logs, profiles) for inspection
//   --render=FILE      no measurements: re-render the tables from a bench/out JSON (with --docs: into the doc)
//
// Needs root, a built tree (`npm run setup`), gcc, runc and crun. Every runtime gets its own --root and
// cgroups under /tsrun-bench-<pid>/; all of it (containers, cgroups in every hierarchy, temp dir) is removed at the end.
import { execFileSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BENCH_DIR, OUT_DIR, REPO, buildTools, checkPrereqs, launcherNode, makeWorld, runtimes, snapshotTsrun } from './lib/env.mjs'
import { cleanupAll } from './lib/cleanup.mjs'
import {
  concurrentScenarios, cycleScenario, execScenario, preflight, runScenario, scaleScenario, seccompScenarios, startServices,
  stateMissingScenario, stateRunningScenario, stopServices, versionScenario,
} from './lib/scenarios.mjs'
import { cpuProfile, setTsrunDir, startupLadder, straceSummaries, toolVersions, verbTimelines } from './lib/phases.mjs'
import { startupExperiments } from './lib/experiments.mjs'
import { markdown, summaryJson, targets, writeDoc } from './lib/report.mjs'
import { log, parseOptions } from './lib/util.mjs'

delete process.env.NODE_EXTRA_CA_CERTS

const opt = parseOptions(process.argv.slice(2), ['quick', 'docs', 'no-docs', 'only', 'runtimes', 'rounds', 'scale', 'keep', 'render', 'help'], 'bench')
if (opt('help')) {
  console.log('usage: npm run bench [-- --quick] [--docs|--no-docs] [--only=groups] [--runtimes=tsrun,runc,crun] [--rounds=N] [--scale=0,100,500] [--keep]')
  process.exit(0)
}

if (typeof opt('render') === 'string') {
  const { meta, results } = JSON.parse(readFileSync(opt('render'), 'utf8'))
  results.targets = targets(results)
  const md = markdown(results, meta)
  if (opt('docs')) {
    writeDoc(join(REPO, 'docs', 'performance.md'), md)
    const stamp = meta.date.replace(/[:]/g, '').replace(/Z$/, '')
    writeFileSync(join(BENCH_DIR, 'history', `${stamp}${meta.mode === 'quick' ? '-quick' : ''}.json`), `${JSON.stringify(summaryJson(results, meta), null, 1)}\n`)
  }
  console.log(md)
  process.exit(0)
}

const quick = !!opt('quick')
const only = typeof opt('only') === 'string' ? opt('only').split(',') : undefined
const want = (g) => !only || only.includes(g)
const plan = quick
  ? { quick, rounds: 4, warmup: 1, seccompRounds: 2, seccompCalls: 200000, concurrency: [1, 4, 16], concRounds: 2, concRounds16: 1, scaleLevels: [0, 50], scaleRounds: 3 }
  : { quick, rounds: 15, warmup: 2, seccompRounds: 5, seccompCalls: 1000000, concurrency: [1, 4, 16], concRounds: 5, concRounds16: 4, scaleLevels: [0, 100, 500], scaleRounds: 9 }
if (typeof opt('rounds') === 'string') plan.rounds = Math.max(1, Number(opt('rounds')))
if (typeof opt('scale') === 'string') plan.scaleLevels = opt('scale').split(',').map(Number).filter((x) => x >= 0).sort((a, b) => a - b)
const writeDocs = opt('no-docs') ? false : opt('docs') ? true : !quick && !only

const started = Date.now()
const loadStart = loadavg().map((x) => x.toFixed(2)).join(' ')
const ctx = { plan, keepTmp: !!opt('keep') }
let interrupted = false
const onSignal = (sig) => {
  if (interrupted) return
  interrupted = true
  log(`${sig}: cleaning up`)
  cleanupAll(ctx)
  process.exit(130)
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

async function main() {
  checkPrereqs()
  ctx.tools = buildTools()
  ctx.node = launcherNode()
  // the world first (temp dir, rootfs copy), then runtimes rooted in it
  ctx.world = makeWorld(ctx.tools)
  ctx.build = snapshotTsrun(ctx.world.tmp)
  ctx.tsrunDir = ctx.build.dir
  setTsrunDir(ctx.tsrunDir)
  ctx.rts = runtimes(ctx.world.tmp, typeof opt('runtimes') === 'string' ? opt('runtimes').split(',') : undefined, ctx.tsrunDir)
  const tsrun = ctx.rts.find((r) => r.name === 'tsrun')
  log(`${quick ? 'quick' : 'full'} run: ${ctx.rts.map((r) => r.name).join(', ')}; temp ${ctx.world.tmp}; cgroups under /${ctx.world.cgroupParent}`)

  preflight(ctx)
  const R = {}
  const step = async (name, fn) => {
    if (interrupted) return undefined
    const t = Date.now()
    log(`${name}…`)
    const r = await fn()
    log(`${name}: ${((Date.now() - t) / 1000).toFixed(1)} s`)
    return r
  }
  if (want('version')) R.version = await step('version', () => versionScenario(ctx))
  if (want('state')) R['state-missing'] = await step('state (missing)', () => stateMissingScenario(ctx))
  if (want('state') || want('exec') || want('phases') || want('experiments')) {
    const up = await step('services (run -d)', () => startServices(ctx))
    try {
      if (want('state')) R['state-running'] = await step('state (running)', () => stateRunningScenario(ctx, up))
      if (want('exec')) R.exec = await step('exec', () => execScenario(ctx, up))
      if (want('phases') && tsrun) {
        R.phases = {}
        R.phases.ladder = await step('phases: start-up ladder', () => startupLadder(ctx, tsrun, up.tsrun))
        R.phases.timelines = await step('phases: verb landmarks', () => verbTimelines(ctx, tsrun, up.tsrun))
        const t = Date.now()
        log('phases: cpu profile…')
        R.phases.profile = await cpuProfile(ctx, tsrun)
        log(`phases: cpu profile: ${((Date.now() - t) / 1000).toFixed(1)} s`)
        R.phases.strace = await step('phases: strace', () => straceSummaries(ctx, tsrun))
      }
      if (want('experiments') && tsrun) {
        const t = Date.now()
        log('experiments (start-up variants)…')
        ;(R.phases ??= {}).experiments = await startupExperiments(ctx, tsrun)
        log(`experiments: ${((Date.now() - t) / 1000).toFixed(1)} s`)
      }
    } finally {
      stopServices(ctx, up)
    }
  }
  if (want('run')) R.run = await step('run', () => runScenario(ctx))
  if (want('cycle')) R.cycle = await step('cycle', () => cycleScenario(ctx))
  if (want('podman') && ctx.world.hasPodman) {
    R.podman = await step('podman config', () => runScenario(ctx, 'podman'))
    R['podman-nnp'] = await step('podman config + noNewPrivileges', () => runScenario(ctx, 'podmanNnp'))
  }
  if (want('seccomp')) R.seccomp = await step('seccomp getppid', () => seccompScenarios(ctx))
  if (want('concurrent')) R.concurrent = await step('concurrent', () => concurrentScenarios(ctx))
  if (want('scale')) R.scale = await step('scale', () => scaleScenario(ctx))
  R.targets = targets(R)
  return R
}

let R
let failed
try {
  R = await main()
} catch (e) {
  failed = e
} finally {
  if (!interrupted) {
    log('cleanup…')
    cleanupAll(ctx)
  }
}
if (failed) {
  console.error(failed.interrupted ? `bench: ${failed.message}` : `bench: ${failed.stack ?? failed}`)
  process.exit(failed.interrupted ? 130 : 1)
}

const now = new Date()
const meta = {
  date: now.toISOString().replace(/\.\d+Z$/, 'Z'), mode: quick ? 'quick' : only ? `partial (${only.join(',')})` : 'full',
  durationS: (Date.now() - started) / 1000, plan, rounds: plan.rounds, warmup: plan.warmup, cpus: cpus().length,
  loadavg: `${loadStart} → ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  runtimes: ctx.rts.map(({ name, bin, version }) => ({ name, bin, version })), versions: toolVersions(),
  build: ctx.build,
  commit: (() => { try { return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim() } catch { return 'unknown' } })(),
}
const md = markdown(R, meta)
const stamp = meta.date.replace(/[:]/g, '').replace(/Z$/, '')
mkdirSync(OUT_DIR, { recursive: true })
const full = { meta, results: R }
writeFileSync(join(OUT_DIR, `bench-${stamp}.json`), JSON.stringify(full, null, 1))
writeFileSync(join(OUT_DIR, 'latest.json'), JSON.stringify(full, null, 1))
writeFileSync(join(OUT_DIR, 'latest.md'), `${md}\n`)
const summary = summaryJson(R, meta)
if (writeDocs) {
  mkdirSync(join(BENCH_DIR, 'history'), { recursive: true })
  writeFileSync(join(BENCH_DIR, 'history', `${stamp}${quick ? '-quick' : ''}.json`), `${JSON.stringify(summary, null, 1)}\n`)
  writeDoc(join(REPO, 'docs', 'performance.md'), md)
}
console.log(md)
log(`done in ${meta.durationS.toFixed(0)} s; JSON: bench/out/bench-${stamp}.json${writeDocs ? `, bench/history/${stamp}${quick ? '-quick' : ''}.json, docs/performance.md` : ' (docs not written: --docs to write them)'}`)
