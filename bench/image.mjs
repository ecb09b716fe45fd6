#!/usr/bin/env node
// npm run bench:image [-- OPTIONS]: tsrun's image paths side by side with the tools they stand in for.
//
//   1. unpack a ~200 MB layer to tmpfs:  tar -xf layer.tar            vs  tsrun image load --store /dev/shm/… LAYOUT
//   2. the same layer gzip'ed:           tar -xzf layer.tar.gz        vs  tsrun image load (tar+gzip layout)
//   3. second container from an image:   tsrun run (plain rootfs dir)  vs  tsrun run (bundle create's overlay rootfs)
//
//   --quick            smoke run: 3 rounds; docs/performance-images.md is not written
//   --rounds=N         measured rounds (full: 7, quick: 3); always after one warm-up round
//   --only=a,b         subset of unpack,gzip,second
//   --no-profile       skip the CPU profile of one `image load`
//   --docs / --no-docs write (or not) docs/performance-images.md (default: full runs that measure everything)
//   --keep             keep the temp dir (layouts, stores, bundles, logs, profiles)
//
// Needs root, a built tree (`npm run build`), gcc (for bench/cbench), GNU tar and gzip. Everything it makes lives in
// /tmp/tsrun-bench-img-<pid>-*, /dev/shm/tsrun-bench-img-<pid> and cgroups /tsrun-bench-img-<pid>/ in every
// hierarchy; all of it is removed at the end and on SIGINT/SIGTERM.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadavg } from 'node:os'
import { FIXTURE, REPO, buildTools, launcherNode, snapshotTsrun } from './lib/env.mjs'
import { removeCgroups } from './lib/cleanup.mjs'
import { measure } from './lib/measure.mjs'
import { launcherFlags, setTsrunDir } from './lib/phases.mjs'
import { childEnv, log, parseOptions, tick } from './lib/util.mjs'
import { compareTrees, fileDigest, generateTree, listTree, tarTree, writeLayout } from './lib/image-tree.mjs'
import { machineLine, profileLines, profileTop, runBreakdown, table, unpackBreakdown, writeImageDoc } from './lib/image-report.mjs'

delete process.env.NODE_EXTRA_CA_CERTS

const opt = parseOptions(process.argv.slice(2), ['quick', 'rounds', 'only', 'no-profile', 'docs', 'no-docs', 'keep', 'help'], 'bench:image')
if (opt('help')) {
  console.log('usage: npm run bench:image [-- --quick] [--rounds=N] [--only=unpack,gzip,second] [--no-profile] [--docs|--no-docs] [--keep]')
  process.exit(0)
}
const quick = !!opt('quick')
const only = typeof opt('only') === 'string' ? opt('only').split(',') : undefined
const want = (g) => !only || only.includes(g)
const plan = { quick, rounds: quick ? 3 : 7, warmup: 1 }
if (typeof opt('rounds') === 'string') plan.rounds = Math.max(1, Number(opt('rounds')) || 1)
const writeDocs = opt('no-docs') ? false : opt('docs') ? true : !quick && !only
const TARGETS = { unpack: 2, gzip: 1.5, second: 1.2 }

const pid = process.pid
const ctx = {
  plan, keep: !!opt('keep'), roots: [], cleaned: false,
  shm: `/dev/shm/tsrun-bench-img-${pid}`,
  world: { tmp: undefined, cgroupParent: `tsrun-bench-img-${pid}` },
}
let interrupted = false
const onSignal = (sig) => {
  if (interrupted) return
  interrupted = true
  log(`${sig}: cleaning up`)
  cleanup()
  process.exit(130)
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

/** Mount points under our dirs (deepest first), from /proc/self/mountinfo. */
function ourMounts() {
  const mine = [ctx.world.tmp, ctx.shm].filter(Boolean)
  let info = ''
  try { info = readFileSync('/proc/self/mountinfo', 'utf8') } catch { return [] }
  return info.split('\n').map((l) => l.split(' ')[4]).filter((m) => m && mine.some((d) => m === d || m.startsWith(`${d}/`)))
    .sort((a, b) => b.length - a.length)
}

function cleanup() {
  if (ctx.cleaned) return
  ctx.cleaned = true
  const tsrun = ctx.tsrun
  for (const root of ctx.roots) {
    let ids = []
    try { ids = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name) } catch { /* none */ }
    for (const id of ids) {
      log(`cleanup: container ${id} left in ${root}: delete -f`)
      spawnSync(tsrun, ['--root', root, 'delete', '-f', id], { env: childEnv(), stdio: 'ignore', timeout: 30000 })
    }
  }
  for (const m of ourMounts()) {
    log(`cleanup: unmounting ${m}`)
    spawnSync('umount', ['-l', m], { stdio: 'ignore' })
  }
  const left = removeCgroups(ctx.world.cgroupParent)
  if (left.length) log(`cleanup: could not remove ${left.length} cgroup dir(s), e.g. ${left[0]}`)
  if (ourMounts().length) {
    log(`cleanup: still mounted: ${ourMounts().join(', ')}; leaving ${ctx.world.tmp} and ${ctx.shm}`)
    return
  }
  if (ctx.keep) {
    log(`kept ${ctx.world.tmp} and ${ctx.shm}`)
    return
  }
  for (const d of [ctx.world.tmp, ctx.shm]) {
    if (!d) continue
    try { rmSync(d, { recursive: true, force: true }) } catch (e) { log(`cleanup: rm ${d}: ${e.message}`) }
  }
}

const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { env: childEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts })
/** A tsrun call outside the measurements; throws with its stderr on failure. */
function tsrunCall(args) {
  const r = spawnSync(ctx.tsrun, args, { env: childEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300000 })
  if (r.status !== 0) throw new Error(`tsrun ${args.join(' ')}: exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`)
  return r.stdout
}
const secs = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`

function checkPrereqs() {
  const missing = []
  if (process.getuid?.() !== 0) missing.push('root')
  if (!existsSync(join(REPO, 'dist', 'tsrun.js'))) missing.push('dist/tsrun.js (run `npm run build`)')
  if (!existsSync(join(REPO, 'native', 'build', 'tsrun-init'))) missing.push('native/build/tsrun-init (run `npm run build`)')
  for (const t of ['tar', 'gzip']) if (spawnSync(t, ['--version'], { stdio: 'ignore' }).status !== 0) missing.push(t)
  if (missing.length) throw new Error(`missing prerequisites: ${missing.join(', ')}`)
}

/** The generated layer: tree → layer.tar (+ .gz) → two OCI layouts; the tree itself is removed. */
async function makeLayers() {
  const t = Date.now()
  const dir = join(ctx.world.tmp, 'layer')
  mkdirSync(dir)
  const tree = join(dir, 'tree')
  const stats = generateTree(tree)
  const tarFile = join(dir, 'layer.tar')
  tarTree(tree, tarFile)
  rmSync(tree, { recursive: true, force: true })
  const tarBytes = statSync(tarFile).size
  const diffId = await fileDigest(tarFile)
  const out = { stats, tarBytes, diffId }
  if (want('gzip')) {
    const gz = join(dir, 'layer.tar.gz')
    execFileSync('sh', ['-c', 'gzip -6 -n -c "$1" > "$2"', 'sh', tarFile, gz])
    out.gzip = await writeLayout(join(dir, 'oci-gzip'), gz, { diffId, gzip: true })
  }
  out.tar = await writeLayout(join(dir, 'oci-tar'), tarFile, { diffId })
  log(`layer: ${stats.files} files (${stats.smallFiles} small, ${stats.largeFiles} large), ${stats.dirs} dirs, ${stats.symlinks} symlinks, ` +
    `${stats.hardlinks} hardlinks; tar ${(tarBytes / 1e6).toFixed(0)} MB${out.gzip ? `, gzip ${(out.gzip.layerSize / 1e6).toFixed(0)} MB` : ''} (${secs(t)})`)
  return out
}

/** tar -x[z]f vs tsrun image load vs tsrun --version, fresh target dir / store on /dev/shm each call. */
async function unpackScenario(id, layout, gzip) {
  const members = [{ name: 'tar' }, { name: 'tsrun image load' }, { name: 'tsrun --version' }]
  const listings = {}
  const result = await measure(ctx, {
    id, title: id, rounds: plan.rounds, warmup: plan.warmup, members, ref: 'tsrun --version',
    make: (m, r) => {
      if (m.name === 'tsrun --version') return { steps: [[ctx.tsrun, '--version']] }
      const target = join(ctx.shm, `${id}-${m.name === 'tar' ? 'tar' : 'store'}-${r}`)
      rmSync(target, { recursive: true, force: true })
      const diff = m.name === 'tar' ? target : join(target, 'layers', layout.diffId.slice(7), 'diff')
      const after = () => {
        if (r === 0) {
          try { listings[m.name] = listTree(diff) } catch (e) { listings[m.name] = { error: e.message } }
        }
        rmSync(target, { recursive: true, force: true })
      }
      if (m.name === 'tar') {
        mkdirSync(target)
        return { steps: [['tar', gzip ? '-xzf' : '-xf', layout.layerPath, '-C', target]], after }
      }
      return { steps: [[ctx.tsrun, 'image', 'load', '--store', target, '-q', layout.dir]], after }
    },
  })
  const a = listings.tar
  const b = listings['tsrun image load']
  result.check = !a || !b ? { error: 'a warm-up call failed' } : a.error || b.error ? { error: a.error ?? b.error } : compareTrees(a, b)
  return result
}

function mounted(path) {
  try { return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === path) } catch { return false }
}

/** `run` of an image bundle (overlay rootfs) vs the same config on a plain copy of the rootfs. */
async function secondContainerScenario() {
  const t = Date.now()
  if (!existsSync(join(FIXTURE, 'bin', 'busybox'))) {
    log('building the busybox fixture (node --import tsx rootfs-fixtures/busybox.ts)…')
    execFileSync(process.execPath, ['--import', 'tsx', 'rootfs-fixtures/busybox.ts'], { cwd: REPO, env: childEnv(), stdio: ['ignore', 'ignore', 'inherit'] })
  }
  const base = join(ctx.world.tmp, 'second')
  mkdirSync(base)
  // the fixture copied once: the plain bundle's rootfs, and (tarred) the image's one layer
  const rootfs = join(base, 'rootfs')
  execFileSync('cp', ['-a', FIXTURE, rootfs])
  const tarFile = join(base, 'busybox.tar')
  tarTree(rootfs, tarFile)
  const layout = await writeLayout(join(base, 'oci'), tarFile, { diffId: await fileDigest(tarFile), ref: 'tsrun-bench-busybox:latest', cmd: ['sh'] })
  const store = join(base, 'store')
  tsrunCall(['image', 'load', '--store', store, '-q', layout.dir])
  const imgBundle = join(base, 'image-bundle')
  tsrunCall(['bundle', 'create', '--store', store, '--image', layout.dir, '--cgroups-path', `/${ctx.world.cgroupParent}/bundle-create`, '-q', imgBundle, '/bin/true'])
  const spec = JSON.parse(readFileSync(join(imgBundle, 'config.json'), 'utf8'))
  const plainBundle = join(base, 'plain-bundle')
  mkdirSync(plainBundle)
  const bundles = { image: imgBundle, plain: plainBundle }
  const writeConfig = (m, cg) => {
    const c = JSON.parse(JSON.stringify(spec))
    if (m === 'plain') c.root = { ...c.root, path: rootfs }
    c.linux = { ...(c.linux ?? {}), cgroupsPath: `/${ctx.world.cgroupParent}/${cg}` }
    writeFileSync(join(bundles[m], 'config.json'), JSON.stringify(c, null, '\t'))
  }
  const rootsDir = join(base, 'state')
  mkdirSync(rootsDir)
  const freshRoot = (name) => {
    const root = join(rootsDir, name)
    mkdirSync(root, { recursive: true })
    ctx.roots.push(root)
    return root
  }
  /** after each run: no container in its root, no overlay left on the image bundle's rootfs */
  const leftBehind = (m, root, id) => {
    if (existsSync(join(root, id))) return `container ${id} still in ${root} after run`
    if (m === 'image' && mounted(join(imgBundle, 'rootfs'))) return `${imgBundle}/rootfs still mounted after run`
    return undefined
  }
  for (const m of ['image', 'plain']) { // fail early, with the reason
    writeConfig(m, `preflight-${m}`)
    const root = freshRoot(`preflight-${m}`)
    tsrunCall(['--root', root, 'run', '--bundle', bundles[m], `preflight-${m}`])
    const bad = leftBehind(m, root, `preflight-${m}`)
    if (bad) throw new Error(`preflight: ${bad}`)
  }
  log(`second container: busybox layout, store, image and plain bundles ready (${secs(t)})`)
  return measure(ctx, {
    id: 'second', title: 'second container', rounds: plan.rounds, warmup: plan.warmup, members: [{ name: 'image' }, { name: 'plain' }],
    make: (m, r) => {
      const id = `${m.name}-${r}`
      writeConfig(m.name, id)
      const root = freshRoot(id)
      return {
        steps: [[ctx.tsrun, '--root', root, 'run', '--bundle', bundles[m.name], id]],
        value: (res) => {
          const bad = leftBehind(m.name, root, id)
          if (bad) throw new Error(bad)
          return res.steps[0].wallMs
        },
      }
    },
  })
}

/** One `node --cpu-prof` run of dist/tsrun.js image load per layout; top self-time functions. */
function profile(layouts) {
  const out = {}
  for (const [name, layout] of Object.entries(layouts)) {
    if (!layout) continue
    const dir = join(ctx.world.tmp, 'cpuprof', name)
    mkdirSync(dir, { recursive: true })
    const store = join(ctx.shm, `prof-${name}`)
    const r = spawnSync(launcherNode(), [...launcherFlags(), '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '250',
      join(ctx.tsrunDir, 'dist', 'tsrun.js'), 'image', 'load', '--store', store, '-q', layout.dir], { env: childEnv(), encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] })
    rmSync(store, { recursive: true, force: true })
    if (r.status !== 0) { log(`profile ${name}: exit ${r.status}: ${(r.stderr ?? '').trim().split('\n').pop()}`); continue }
    out[name] = profileTop(dir, 5)
  }
  return out
}

async function main() {
  checkPrereqs()
  ctx.tools = buildTools()
  ctx.world.tmp = mkdtempSync(`/tmp/tsrun-bench-img-${pid}-`)
  mkdirSync(join(ctx.world.tmp, 'logs'))
  mkdirSync(ctx.shm)
  const build = snapshotTsrun(ctx.world.tmp)
  ctx.build = build
  ctx.tsrunDir = build.dir
  ctx.tsrun = join(build.dir, 'cmd', 'tsrun')
  setTsrunDir(build.dir)
  try { tsrunCall(['image', 'ls', '--store', join(ctx.world.tmp, 'probe-store'), '-q']) } catch (e) {
    throw new Error(`this build cannot run \`tsrun image\` (is the image feature built? \`npm run build\`): ${e.message}`)
  }
  log(`${quick ? 'quick' : 'full'} run: ${plan.rounds} rounds after ${plan.warmup} warm-up; temp ${ctx.world.tmp}; tmpfs ${ctx.shm}; cgroups under /${ctx.world.cgroupParent}`)
  const R = {}
  const step = async (name, fn) => {
    if (interrupted) return undefined
    await tick()
    const t = Date.now()
    log(`${name}…`)
    const r = await fn()
    log(`${name}: ${secs(t)}`)
    return r
  }
  if (want('unpack') || want('gzip')) {
    R.layer = await step('layer (generate, tar, gzip, layouts)', makeLayers)
    if (want('unpack')) R.unpack = await step('unpack (tar -xf vs image load)', () => unpackScenario('unpack', R.layer.tar, false))
    if (want('gzip')) R.gzip = await step('gzip (tar -xzf vs image load)', () => unpackScenario('gzip', R.layer.gzip, true))
    if (!opt('no-profile')) R.profile = await step('cpu profile of image load', () => profile({ tar: want('unpack') ? R.layer.tar : undefined, gzip: R.layer.gzip }))
  }
  if (want('second')) R.second = await step('second container (image vs plain bundle)', secondContainerScenario)
  return R
}

const started = Date.now()
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ')
const loadStart = load()
let R
let failed
try {
  R = await main()
} catch (e) {
  failed = e
} finally {
  if (!interrupted) {
    log('cleanup…')
    cleanup()
  }
}
if (failed) {
  console.error(failed.interrupted ? `bench:image: ${failed.message}` : `bench:image: ${failed.stack ?? failed}`)
  process.exit(failed.interrupted ? 130 : 1)
}

const rows = []
const mb = (n) => `${(n / 1e6).toFixed(0)} MB`
if (R.unpack) rows.push({ title: `unpack ${mb(R.layer.tarBytes)} layer to tmpfs (tar -xf vs image load)`, summary: R.unpack, ref: 'tar', tsrun: 'tsrun image load', target: TARGETS.unpack })
if (R.gzip) rows.push({ title: `gzip layer (${mb(R.layer.gzip.layerSize)}; tar -xzf vs image load)`, summary: R.gzip, ref: 'tar', tsrun: 'tsrun image load', target: TARGETS.gzip })
if (R.second) rows.push({ title: 'second container, `run` /bin/true (plain rootfs vs image bundle)', summary: R.second, ref: 'plain', tsrun: 'image', target: TARGETS.second })
const lines = [table(rows), '']
if (R.layer) {
  const s = R.layer.stats
  lines.push(`Layer: ${s.files} regular files (${s.smallFiles} of 1–16 KiB, ${s.largeFiles} of 1–8 MiB, half random, half text), ${s.dirs} dirs, ` +
    `${s.symlinks} symlinks, ${s.hardlinks} hardlinks; ${mb(s.bytes)} of file data, ${mb(R.layer.tarBytes)} tar${R.layer.gzip ? `, ${mb(R.layer.gzip.layerSize)} gzip -6` : ''}. ` +
    `${plan.rounds} rounds after ${plan.warmup} warm-up.`, '')
}
lines.push('Breakdown:', '')
if (R.unpack) lines.push(...unpackBreakdown('unpack', R.unpack, { bytes: R.layer.tarBytes, blobBytes: R.layer.tarBytes, check: R.unpack.check }))
if (R.gzip) lines.push(...unpackBreakdown('gzip', R.gzip, { bytes: R.layer.tarBytes, blobBytes: R.layer.gzip.layerSize, check: R.gzip.check }))
if (R.second) lines.push(...runBreakdown(R.second))
if (R.profile) for (const [k, p] of Object.entries(R.profile)) lines.push(...profileLines(k === 'tar' ? 'profile, uncompressed layer' : 'profile, gzip layer', p))
if (ctx.build?.staleBySeconds) lines.push(`- note: dist/ was older than src/ by ${ctx.build.staleBySeconds} s when measured`)
lines.push(`- load average ${loadStart} → ${load()} (1/5/15 min, before → after); ${secs(started)} in all`)
const body = lines.join('\n')
console.log(body)
const failedTargets = rows.filter((r) => !r.pass).length
if (writeDocs) {
  const commit = (() => { try { return sh('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }).trim() } catch { return 'unknown' } })()
  const dirty = (() => { try { return sh('git', ['status', '--porcelain', '--', 'src', 'cmd'], { cwd: REPO }).trim() ? ' (+ uncommitted changes in src/)' : '' } catch { return '' } })()
  writeImageDoc(join(REPO, 'docs', 'performance-images.md'), {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), commit: `${commit}${dirty}`, machine: machineLine(),
    mode: only ? `partial (${only.join(',')})` : quick ? 'quick' : 'full', rounds: plan.rounds, body,
  })
}
log(`done in ${secs(started)}; ${rows.length - failedTargets}/${rows.length} targets met${writeDocs ? '; wrote docs/performance-images.md' : ''}`)
