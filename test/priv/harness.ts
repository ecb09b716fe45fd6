// Privileged test harness: bundles on the busybox fixture, a private --root and cgroup parent, cleanup.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildBusyboxRootfs, defaultBusyboxRootfsDir } from '../../rootfs-fixtures/busybox'
import { defaultSpec, type Spec } from '../../src/spec'

export const repo = join(__dirname, '..', '..')
export const tsrunBin = process.env.TSRUN_TEST_RUNTIME ?? join(repo, 'cmd', 'tsrun')
export const isRoot = process.getuid?.() === 0

/** `test` when the condition holds, otherwise a skip whose title says why. */
export function requires(reason: string | null): { title: (t: string) => string; ok: boolean } {
  return { ok: reason === null, title: (t) => (reason ? `${t} (skipped: ${reason})` : t) }
}
export const rootReason = isRoot ? null : 'requires root'

export interface Env {
  dir: string
  root: string
  cgroupParent: string
  run(args: string[], opts?: { input?: string; timeout?: number; env?: NodeJS.ProcessEnv }): SpawnSyncReturns<string>
  bundle(id: string, edit?: (s: Spec) => void): string
  cleanup(): void
}

let rootfs: string | undefined
export function fixtureRootfs(): string {
  if (!rootfs) { buildBusyboxRootfs(defaultBusyboxRootfsDir); rootfs = defaultBusyboxRootfsDir }
  return rootfs
}

/** A config for the fixture: no terminal, explicit cgroupsPath under this env's parent, all namespaces but user/time. */
export function baseSpec(rootfsPath: string, cgroupsPath: string, args: string[]): Spec {
  const s = defaultSpec({ rootless: false })
  s.root = { path: rootfsPath, readonly: false }
  s.process!.terminal = false
  s.process!.args = args
  s.linux!.cgroupsPath = cgroupsPath
  s.linux!.resources = undefined
  return s
}

export function makeEnv(): Env {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-test-'))
  const root = join(dir, 'state')
  const cgroupParent = `/tsrun-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  const ids = new Set<string>()
  const env: Env = {
    dir, root, cgroupParent,
    run(args, opts = {}) {
      // stdout/stderr go to files, not pipes: a detached container keeps its stdio open, and spawnSync
      // would wait for pipes to close (the containerd shim passes fifos for the same reason)
      const out = join(dir, 'out'), err = join(dir, 'err')
      const fo = openSync(out, 'w'), fe = openSync(err, 'w')
      try {
        const r = spawnSync(tsrunBin, ['--root', root, ...args], {
          encoding: 'utf8', input: opts.input ?? '', timeout: opts.timeout ?? 30_000, env: opts.env ?? process.env,
          stdio: ['pipe', fo, fe],
        })
        return { ...r, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') }
      } finally {
        closeSync(fo); closeSync(fe)
      }
    },
    bundle(id, edit) {
      ids.add(id)
      const b = join(dir, `bundle-${id}`)
      mkdirSync(b, { recursive: true })
      const s = baseSpec(fixtureRootfs(), `${cgroupParent}/${id}`, ['/checker'])
      edit?.(s)
      writeFileSync(join(b, 'config.json'), JSON.stringify(s, null, 2))
      return b
    },
    cleanup() {
      for (const id of ids) env.run(['delete', '--force', id])
      removeCgroupParent(cgroupParent)
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return env
}

/** Every cgroup hierarchy mount point on this host. */
export function cgroupMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .filter((l) => / - cgroup2? /.test(l)).map((l) => l.split(' ')[4]!)
}

/** Dirs of a cgroup path that exist in any hierarchy. */
export function cgroupLeftovers(path: string): string[] {
  return cgroupMounts().map((m) => join(m, path)).filter((p) => existsSync(p))
}

function removeCgroupParent(path: string): void {
  for (const dir of cgroupLeftovers(path)) {
    for (const child of readdirSync(dir, { withFileTypes: true })) if (child.isDirectory()) try { rmdirSync(join(dir, child.name)) } catch { /* busy */ }
    try { rmdirSync(dir) } catch { /* busy */ }
  }
}

/** Mount lines that mention a path (leak detection). */
export function mountsMentioning(path: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(path))
}

/** Processes living in a cgroup under `cgroupPath` (leak detection: a container or helper left behind). */
export function processesIn(cgroupPath: string): number[] {
  const out: number[] = []
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue
    try {
      // zombies hold nothing but their pid; their reaper here is pid 1 (a subreaper such as the shim reaps them)
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${p}/status`, 'utf8'))) continue
      if (readFileSync(`/proc/${p}/cgroup`, 'utf8').includes(`${cgroupPath}/`)) out.push(Number(p))
    } catch { /* gone */ }
  }
  return out
}

export function parseState(stdout: string): { status: string; pid: number; id: string; bundle: string } {
  return JSON.parse(stdout) as { status: string; pid: number; id: string; bundle: string }
}

/** The msg of the last logrus-style error line on stderr (`time="…" level=error msg="…"`). */
export function errorMsg(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => l.includes('level=error'))
  const last = lines.pop()
  if (!last) return stderr.trim()
  const m = /msg=("(?:[^"\\]|\\.)*"|\S+)/.exec(last)
  return m ? (m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : m[1]!) : last
}

/** Wait until cond() or time out (for asynchronous exits). */
export function waitFor(cond: () => boolean, ms = 5000): boolean {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (cond()) return true
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10)
  }
  return cond()
}
