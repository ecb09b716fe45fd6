// The benchmark's world: tools it compiles, the runtimes, a private temp dir with a rootfs copy and bundles.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cbench, childEnv, log, newer, sh, which } from './util.mjs'

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
export const REPO = join(BENCH_DIR, '..')
export const OUT_DIR = join(BENCH_DIR, 'out')
export const FIXTURE = join(REPO, 'rootfs-fixtures', 'out', 'busybox')
export const CLIENT_CONFIGS = process.env.TSRUN_CLIENT_CONFIGS ?? join(REPO, '..', 'shared', 'client-configs')

/** Compile bench/cbench.c and bench/getppid.c into bench/out/bin when missing or stale. */
export function buildTools() {
  const bin = join(OUT_DIR, 'bin')
  mkdirSync(bin, { recursive: true })
  const gcc = which('gcc') ?? which('cc')
  if (!gcc) throw new Error('gcc not found: run `npm run setup` (installs gcc, make, libc6-dev)')
  const tools = {
    cbench: { src: join(BENCH_DIR, 'cbench.c'), out: join(bin, 'cbench'), flags: ['-O2'] },
    getppid: { src: join(BENCH_DIR, 'getppid.c'), out: join(bin, 'getppid'), flags: ['-O2', '-static'] },
  }
  for (const t of Object.values(tools)) {
    if (newer(t.src, t.out)) execFileSync(gcc, [...t.flags, '-Wall', '-o', t.out, t.src], { stdio: 'inherit' })
  }
  return { cbench: tools.cbench.out, getppid: tools.getppid.out }
}

/**
 * A private copy of the built tsrun (launcher, bundle, node-path, helper; node_modules linked) so that a
 * rebuild of dist/ or native/build/ by someone else during the run cannot mix versions or break calls.
 */
export function snapshotTsrun(tmp) {
  const dir = join(tmp, 'tsrun')
  for (const d of ['cmd', 'native/build']) mkdirSync(join(dir, d), { recursive: true })
  copyFileSync(join(REPO, 'cmd', 'tsrun'), join(dir, 'cmd', 'tsrun'))
  execFileSync('cp', ['-a', join(REPO, 'dist'), join(dir, 'dist')]) // one bundle or one per verb: whatever the build made
  copyFileSync(join(REPO, 'native', 'build', 'tsrun-init'), join(dir, 'native', 'build', 'tsrun-init'))
  execFileSync('chmod', ['755', join(dir, 'cmd', 'tsrun'), join(dir, 'native', 'build', 'tsrun-init')])
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'))
  // a build older than the sources measures old code: say so
  const built = statSync(join(REPO, 'dist', 'tsrun.js')).mtimeMs
  const newest = newestMtime(join(REPO, 'src'))
  if (newest > built) log(`warning: dist/tsrun.js is older than src/ (by ${((newest - built) / 1000).toFixed(0)} s): run \`npm run build\` to measure the current code`)
  const files = readdirSync(join(dir, 'dist')).filter((f) => f.endsWith('.js')).map((f) => ({ file: f, bytes: statSync(join(dir, 'dist', f)).size }))
  return { dir, builtAt: new Date(built).toISOString(), staleBySeconds: newest > built ? Math.round((newest - built) / 1000) : 0, files }
}

function newestMtime(dir) {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) t = Math.max(t, newestMtime(p))
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs)
  }
  return t
}

/** The node that the launcher runs (dist/node-path), for the `node -e 0` reference. */
export function launcherNode() {
  try {
    const p = readFileSync(join(REPO, 'dist', 'node-path'), 'utf8').trim()
    if (p && existsSync(p)) return p
  } catch { /* fall through */ }
  return process.execPath
}

export function checkPrereqs() {
  const missing = []
  if (!existsSync(join(REPO, 'dist', 'tsrun.js'))) missing.push('dist/tsrun.js (run `npm run build`)')
  if (!existsSync(join(REPO, 'native', 'build', 'tsrun-init'))) missing.push('native/build/tsrun-init (run `npm run build`)')
  if (!existsSync(join(FIXTURE, 'bin', 'busybox')) && !existsSync(join(FIXTURE, 'bin', 'sh')))
    missing.push('the busybox fixture (run `node --import tsx rootfs-fixtures/busybox.ts`)')
  if (process.getuid?.() !== 0) missing.push('root (containers with cgroups need root)')
  if (missing.length) throw new Error(`missing prerequisites:\n  - ${missing.join('\n  - ')}\n(\`npm run setup\` does all of this)`)
}

/**
 * The runtimes under test. Each has its own state root under the temp dir; crun runs in a private
 * mount namespace with the cgroup2 mount covered (cbench --crun-ns; the trick itself is not timed).
 */
export function runtimes(tmp, only, tsrunDir) {
  const all = [
    { name: 'tsrun', bin: join(tsrunDir, 'cmd', 'tsrun'), crunNs: false },
    { name: 'runc', bin: which('runc'), crunNs: false },
    { name: 'crun', bin: which('crun'), crunNs: true },
  ]
  const out = []
  for (const r of all) {
    if (only && !only.includes(r.name)) continue
    if (!r.bin) {
      log(`${r.name} not found on PATH: skipped (apt-get install ${r.name})`)
      continue
    }
    r.root = join(tmp, 'state', r.name)
    r.cmd = (...args) => [r.bin, '--root', r.root, ...args]
    r.bare = (...args) => [r.bin, ...args]
    r.version = firstLine(sh(r.bin, ['--version']))
    out.push(r)
  }
  return out
}

const firstLine = (s) => s.split('\n').filter(Boolean).slice(0, 1).join('')

/**
 * The bench's temp world: rootfs copy (with /getppid and podman's mount points), a base config from
 * `tsrun spec`, stand-ins for podman's bind sources. Bundles are written per container (unique cgroupsPath).
 */
export function makeWorld(tools) {
  const tmp = mkdtempSync(`/tmp/tsrun-bench-${process.pid}-`)
  const rootfs = join(tmp, 'rootfs')
  execFileSync('cp', ['-a', FIXTURE, rootfs])
  copyFileSync(tools.getppid, join(rootfs, 'getppid'))
  execFileSync('chmod', ['755', join(rootfs, 'getppid')])
  mkdirSync(join(rootfs, 'run'), { recursive: true })
  writeFileSync(join(rootfs, 'run', '.containerenv'), '')
  for (const d of ['logs', 'bundles', 'state', 'pids', 'out', 'standins']) mkdirSync(join(tmp, d), { recursive: true })

  // base config: tsrun's own `spec` (runc's default), made runnable by all three runtimes
  const specDir = join(tmp, 'specgen')
  mkdirSync(specDir)
  execFileSync(join(REPO, 'cmd', 'tsrun'), ['spec', '--bundle', specDir], { env: childEnv(), stdio: ['ignore', 'ignore', 'inherit'] })
  const base = JSON.parse(readFileSync(join(specDir, 'config.json'), 'utf8'))
  base.ociVersion = '1.0.2-dev' // crun 1.8.1 refuses 1.3.0 ("unknown version specified")
  base.process.terminal = false
  base.process.args = ['/bin/true']
  base.root = { path: rootfs, readonly: true }
  base.hostname = 'bench'

  const docker = readJson(join(CLIENT_CONFIGS, 'docker-create-config.json'))
  const podman = readJson(join(CLIENT_CONFIGS, 'podman-create-config.json'))
  const podmanBase = podman ? adaptPodman(podman, rootfs, join(tmp, 'standins')) : undefined

  const cgroupParent = `tsrun-bench-${process.pid}`
  let seq = 0
  const variants = {
    true: () => clone(base),
    sleep: () => withArgs(base, ['sleep', '1000000']),
    getppid: (n) => withArgs(base, ['/getppid', String(n)]),
    getppidDocker: docker ? (n) => ({ ...withArgs(base, ['/getppid', String(n)]), linux: { ...clone(base.linux), seccomp: clone(docker.linux.seccomp) } }) : undefined,
    podman: podmanBase ? () => clone(podmanBase) : undefined,
    podmanNnp: podmanBase ? () => ({ ...clone(podmanBase), process: { ...clone(podmanBase.process), noNewPrivileges: true } }) : undefined,
  }
  /** Write DIR/config.json for a new container of runtime RT (cgroup under /<parent>[/SUB]/); returns the bundle dir. */
  const bundle = (rt, slot, variant, arg, sub) => {
    const dir = join(tmp, 'bundles', `${rt}-${slot}`)
    mkdirSync(dir, { recursive: true })
    const make = variants[variant]
    if (!make) throw new Error(`bundle variant ${variant} unavailable`)
    const c = make(arg)
    c.linux.cgroupsPath = sub ? `/${cgroupParent}/${sub}/${rt}-${++seq}` : `/${cgroupParent}/${rt}-${++seq}`
    writeFileSync(join(dir, 'config.json'), JSON.stringify(c))
    return dir
  }
  return { tmp, rootfs, cgroupParent, bundle, hasDocker: !!docker, hasPodman: !!podmanBase }
}

const clone = (x) => JSON.parse(JSON.stringify(x))
const withArgs = (base, args) => {
  const c = clone(base)
  c.process.args = args
  return c
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    log(`cannot read ${path}: ${e.message} (scenario skipped)`)
    return undefined
  }
}

/** podman's config on our rootfs: bind sources that only existed on podman's machine get stand-ins; no netns path. */
function adaptPodman(p, rootfs, standins) {
  const c = clone(p)
  c.root = { path: rootfs, readonly: c.root?.readonly ?? false }
  c.process.terminal = false
  c.process.args = ['/bin/true']
  let i = 0
  for (const m of c.mounts ?? []) {
    if (m.type !== 'bind' && !(m.options ?? []).includes('bind') && !(m.options ?? []).includes('rbind')) continue
    if (existsSync(m.source)) continue
    const base = m.source.split('/').pop() || 'src'
    const stand = join(standins, `${i++}-${base}`)
    if (m.destination === '/dev/shm' || base === 'shm') mkdirSync(stand, { recursive: true })
    else writeFileSync(stand, base === 'hostname' ? 'bench\n' : base === 'hosts' ? '127.0.0.1 localhost\n' : '')
    m.source = stand
  }
  for (const ns of c.linux?.namespaces ?? []) delete ns.path
  return c
}

/** One runtime call outside the measurements (setup and cleanup), through cbench for crun's namespace. */
export function rtCall(tools, rt, argv, tmp, outFile) {
  const r = cbench(tools.cbench, [argv], { crunNs: rt.crunNs, err: join(tmp, 'logs', `${rt.name}-setup.err`), out: outFile })
  return r.steps[0].exit
}
