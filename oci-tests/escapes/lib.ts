// Shared glue for the escape regression suite: one file per CVE, each attempting the escape against the
// runtime under test (tsrun by default, any runc-compatible binary via TSRUN_TEST_RUNTIME) and asserting
// that it fails and that the host is untouched.
//
//   npx ava --serial oci-tests/escapes/cve-2024-21626.test.ts
//   TSRUN_TEST_RUNTIME=/usr/sbin/runc npx ava --serial oci-tests/escapes/
//
// Attack rootfs variants are copies of the busybox fixture (rootfs-fixtures/busybox.ts) made per test in
// the env's temp dir, with /escape-tool (fixtures/escape-tool.c, static) installed. The C fixtures are
// compiled once per source hash into $TMPDIR/tsrun-escapes-<hash>/.
import test, { type ExecutionContext } from 'ava'
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  closeSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync,
  realpathSync, renameSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import type { Hook, Spec } from '../../src/spec'
import { fixtureRootfs, makeEnv, mountsMentioning, repo, rootReason, tsrunBin, type Env } from '../../test/priv/harness'

export { waitFor } from '../../test/priv/harness'
export type { Env, Spec }

/** The runtime under test, as given (the repo's cmd/tsrun unless TSRUN_TEST_RUNTIME is set). */
export const runtime = tsrunBin
export const runtimeName = basename(runtime)
export const isTsrun = runtimeName === 'tsrun'
export const isRunc = runtimeName === 'runc'

export const fixturesDir = join(__dirname, 'fixtures')

export type T = ExecutionContext

/** `test.serial` when running as root (and `skip` is null), else a skip whose title names the reason. */
export function escapeTest(title: string, fn: (t: T) => void | Promise<void>, skip: string | null = null): void {
  const reason = rootReason ?? skip
  if (reason) test.serial.skip(`${title} (skipped: ${reason})`, fn)
  else test.serial(title, fn)
}

/** Compile fixtures/<name>.c statically (cached by source hash); returns the binary's path. */
export function buildFixture(name: string): string {
  const src = join(fixturesDir, `${name}.c`)
  const hash = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 12)
  const dir = join(tmpdir(), `tsrun-escapes-${hash}`)
  const out = join(dir, name)
  if (existsSync(out)) return out
  mkdirSync(dir, { recursive: true })
  const tmp = `${out}.tmp.${process.pid}`
  execFileSync('gcc', ['-static', '-O2', '-Wall', '-Wextra', '-Werror', '-pthread', '-o', tmp, src], { stdio: ['ignore', 'ignore', 'pipe'] })
  renameSync(tmp, out)
  return out
}

export interface RunOptions { input?: string; timeout?: number; runtime?: string }

/**
 * An env (private --root, cgroup parent, temp dir; test/priv/harness.ts) plus attack rootfs variants.
 * One per test file: `const e = escapeEnv()`.
 */
export class EscapeEnv {
  private ref: Env | undefined
  private readonly ids = new Set<string>()

  constructor() {
    test.before(() => { if (!rootReason) { fixtureRootfs(); this.ref = makeEnv() } })
    test.after.always(() => {
      if (!this.ref) return
      for (const id of this.ids) this.rt(['delete', '--force', id])
      this.ref.cleanup()
    })
  }

  get env(): Env {
    if (!this.ref) throw new Error('escape env used before test.before ran')
    return this.ref
  }

  get dir(): string { return this.env.dir }

  /** A copy of the busybox fixture with /escape-tool, changed by `edit(rootfsPath)`. */
  rootfs(name: string, edit?: (root: string) => void): string {
    const root = join(this.dir, `rootfs-${name}`)
    cpSync(fixtureRootfs(), root, { recursive: true, verbatimSymlinks: true })
    copyFileSync(buildFixture('escape-tool'), join(root, 'escape-tool'))
    execFileSync('chmod', ['0755', join(root, 'escape-tool')])
    edit?.(root)
    return root
  }

  /** A bundle whose config is the harness's base spec on `rootfs`, changed by `edit`. */
  bundle(id: string, rootfs: string, edit?: (s: Spec) => void): string {
    this.ids.add(id)
    return this.env.bundle(id, (s) => {
      s.root = { path: rootfs, readonly: false }
      s.process!.rlimits = [...(s.process!.rlimits ?? []), { type: 'RLIMIT_CORE', soft: 0, hard: 0 }]
      edit?.(s)
    })
  }

  /** Run the runtime (stdout/stderr through files: a detached container keeps them open). */
  rt(args: string[], opts: RunOptions = {}): SpawnSyncReturns<string> {
    const out = join(this.dir, 'rt-out'), err = join(this.dir, 'rt-err')
    const fo = openSync(out, 'w'), fe = openSync(err, 'w')
    try {
      const r = spawnSync(opts.runtime ?? runtime, ['--root', this.env.root, ...args], {
        encoding: 'utf8', input: opts.input ?? '', timeout: opts.timeout ?? 30_000, stdio: ['pipe', fo, fe],
      })
      return { ...r, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') }
    } finally {
      closeSync(fo); closeSync(fe)
    }
  }

  /** Run the runtime asynchronously with a stdin it keeps open until `holdMs` have passed (exec races). */
  async rtHeld(args: string[], holdMs: number, runtimePath = runtime): Promise<{ status: number | null; stderr: string }> {
    const errPath = join(this.dir, `rt-held-err-${Math.random().toString(36).slice(2, 8)}`)
    const fe = openSync(errPath, 'w')
    const child = spawn(runtimePath, ['--root', this.env.root, ...args], { stdio: ['pipe', 'ignore', fe] })
    closeSync(fe)
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)))
    await new Promise((res) => setTimeout(res, holdMs))
    child.stdin!.end()
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    const status = await exited
    clearTimeout(timer)
    return { status, stderr: readFileSync(errPath, 'utf8') }
  }

  track(id: string): void { this.ids.add(id) }

  /** The host pid of a created or running container's init. */
  pid(id: string): number {
    const st = this.rt(['state', id])
    if (st.status !== 0) throw new Error(`state ${id}: ${st.stderr}`)
    return (JSON.parse(st.stdout) as { pid: number }).pid
  }
}

/** A createRuntime hook running `script` with /bin/sh (the state JSON on stdin; $pid is set from it). */
export function shHook(script: string): Hook {
  return { path: '/bin/sh', args: ['sh', '-c', `pid=$(sed -n 's/.*"pid": *\\([0-9]*\\).*/\\1/p'); ${script}`] }
}

// ---- host state: what "the host is untouched" means ----

/** Everything about a tree that an escape could change: type, mode, owner, size, mtime, content hash, link target. */
export function fingerprint(path: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (p: string, rel: string): void => {
    let st
    try { st = lstatSync(p) } catch { out.set(rel, 'missing'); return }
    const base = `mode=${st.mode.toString(8)} uid=${st.uid} gid=${st.gid} mtime=${st.mtimeMs}`
    if (st.isSymbolicLink()) out.set(rel, `${base} link=${readlinkSync(p)}`)
    else if (st.isFile()) out.set(rel, `${base} size=${st.size} sha=${createHash('sha256').update(readFileSync(p)).digest('hex')}`)
    else if (st.isDirectory()) {
      out.set(rel, base)
      for (const name of readdirSync(p).sort()) walk(join(p, name), `${rel}/${name}`)
    } else out.set(rel, `${base} rdev=${st.rdev}`)
  }
  walk(path, '')
  return out
}

/** Differences between two fingerprints, as readable lines (empty: identical). */
export function fingerprintDiff(before: Map<string, string>, after: Map<string, string>): string[] {
  const diff: string[] = []
  for (const [k, v] of before) if (after.get(k) !== v) diff.push(`${k || '/'}: ${v} → ${after.get(k) ?? 'missing'}`)
  for (const [k, v] of after) if (!before.has(k)) diff.push(`${k || '/'}: new ${v}`)
  return diff
}

/** Host mounts whose line mentions `path` (a redirected mount that reached the host's namespace). */
export function hostMountsOn(path: string): string[] {
  return mountsMentioning(path)
}

/** Host-global procfs values an escape through procfs would change (read before and after). */
export const HOST_SYSCTLS = ['/proc/sys/kernel/core_pattern', '/proc/sys/kernel/printk_ratelimit_burst', '/proc/sys/net/ipv4/ip_forward', '/proc/sys/kernel/hostname', '/proc/sys/kernel/domainname']
export function hostSysctls(): Record<string, string> {
  return Object.fromEntries(HOST_SYSCTLS.filter((p) => existsSync(p)).map((p) => [p, readFileSync(p, 'utf8')]))
}

/** The files that make up the runtime under test (what CVE-2019-5736 would overwrite). */
export function runtimeFiles(runtimePath = runtime): string[] {
  const real = realpathSync(runtimePath)
  const files = [real]
  if (basename(runtimePath) === 'tsrun') {
    const top = join(real, '..', '..')
    files.push(join(top, 'native', 'build', 'tsrun-init'))
    const dist = join(top, 'dist')
    for (const f of readdirSync(dist)) files.push(join(dist, f))
  }
  return files
}

export function filesFingerprint(files: string[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const f of files) for (const [k, v] of fingerprint(f)) out.set(`${f}${k}`, v)
  return out
}

/**
 * A private copy of the repo's tsrun (cmd/, dist/, native/build/, node_modules linked), so a test that checks
 * the runtime's files are unchanged is not confused by someone rebuilding the checkout meanwhile.
 */
export function tsrunSnapshot(dir: string): string {
  const top = join(dir, 'tsrun-install')
  mkdirSync(join(top, 'cmd'), { recursive: true })
  mkdirSync(join(top, 'native', 'build'), { recursive: true })
  copyFileSync(join(repo, 'cmd', 'tsrun'), join(top, 'cmd', 'tsrun'))
  execFileSync('chmod', ['0755', join(top, 'cmd', 'tsrun')])
  cpSync(join(repo, 'dist'), join(top, 'dist'), { recursive: true })
  copyFileSync(join(repo, 'native', 'build', 'tsrun-init'), join(top, 'native', 'build', 'tsrun-init'))
  execFileSync('chmod', ['0755', join(top, 'native', 'build', 'tsrun-init')])
  symlinkSync(join(repo, 'node_modules'), join(top, 'node_modules'))
  return join(top, 'cmd', 'tsrun')
}

// ---- the container's procfs, seen from the host ----

export interface MountLine { id: number; parent: number; root: string; mountpoint: string; options: string; fstype: string; source: string }

export function parseMountinfo(text: string): MountLine[] {
  return text.split('\n').filter(Boolean).map((l) => {
    const [pre, post] = l.split(' - ')
    const f = pre!.split(' ')
    const g = post!.split(' ')
    const un = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))
    return { id: Number(f[0]), parent: Number(f[1]), root: un(f[3]!), mountpoint: un(f[4]!), options: f[5]!, fstype: g[0]!, source: g[1]! }
  })
}

/** Default maskedPaths files that exist on this kernel (a runtime skips missing ones). */
export function maskableProcFiles(): string[] {
  return ['kcore', 'keys', 'latency_stats', 'timer_list', 'timer_stats', 'sched_debug'].filter((f) => existsSync(`/proc/${f}`))
}

/**
 * Every procfs the container can reach must be protected as the config asked: /sys read-only, the masked
 * files covered. Returns the problems (empty: protected). `mountinfo` is /proc/<pid>/mountinfo of the container.
 */
export function procfsProblems(mountinfo: string): string[] {
  const mounts = parseMountinfo(mountinfo)
  const problems: string[] = []
  const topmost = (mp: string) => mounts.filter((m) => m.mountpoint === mp).pop()
  for (const m of mounts.filter((x) => x.fstype === 'proc' && x.root === '/')) {
    const at = m.mountpoint === '/' ? '' : m.mountpoint
    if (topmost(m.mountpoint) !== m) continue // covered by a later mount: not reachable
    const sys = topmost(`${at}/sys`)
    if (!sys || !sys.options.split(',').includes('ro')) problems.push(`procfs at ${m.mountpoint}: ${at}/sys is not read-only`)
    for (const f of maskableProcFiles()) if (!topmost(`${at}/${f}`)) problems.push(`procfs at ${m.mountpoint}: ${at}/${f} is not masked`)
  }
  if (!mounts.some((x) => x.fstype === 'proc')) problems.push('no procfs in the container')
  return problems
}

/** Make the files of a fake procfs tree (regular files holding "fake\n") under `dir`. */
export function fakeProcTree(dir: string): string[] {
  const files = ['sys/net/ipv4/ip_forward', 'sys/kernel/core_pattern', 'self/oom_score_adj', 'sys/kernel/printk_ratelimit_burst']
  for (const f of files) {
    mkdirSync(join(dir, f, '..'), { recursive: true })
    writeFileSync(join(dir, f), 'fake\n')
  }
  return files.map((f) => join(dir, f))
}

export function readOr(path: string, fallback = ''): string {
  try { return readFileSync(path, 'utf8') } catch { return fallback }
}

export function isDir(path: string): boolean {
  try { return statSync(path).isDirectory() } catch { return false }
}
