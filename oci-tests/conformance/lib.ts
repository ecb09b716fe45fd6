// Shared glue for the OCI conformance suite: black-box, CLI-only tests of a runtime (tsrun by
// default, any runc-compatible binary via TSRUN_TEST_RUNTIME), one file per runtime-spec section.
//
//   npx ava --serial --concurrency=1 oci-tests/conformance/                   (tsrun)
//   TSRUN_TEST_RUNTIME=/usr/sbin/runc npx ava --serial --concurrency=1 oci-tests/conformance/
//   node --import tsx oci-tests/conformance/report.ts                          (both; updates docs)
//
// Every file gets a private --root and cgroup parent (test/priv/harness.ts makeEnv), declares its
// cases with `suite.test` (or `suite.runcDeviation` for spec behaviour runc 1.1 does not have), and
// ends with `suite.finish()`, a last case asserting that nothing was left behind.
import test, { type ExecutionContext } from 'ava'
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { parseCheckerReport, type CheckerReport } from '../../rootfs-fixtures/checker-report'
import { cgroupMounts, errorMsg, fixtureRootfs, makeEnv, rootReason, tsrunBin, waitFor, type Env } from '../../test/priv/harness'
import type { Spec } from '../../src/spec'

export { fixtureRootfs, waitFor }
export type { CheckerReport, Spec }

/** The runtime under test and its short name ("tsrun", "runc"). */
export const runtime = tsrunBin
export const runtimeName = basename(runtime)
export const isRunc = runtimeName === 'runc'

export interface RtResult {
  status: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** files that held the runtime's stdout and stderr (a detached container keeps writing to them) */
  outPath: string
  errPath: string
  /** the msg of the last error line, without the "<runtime> <verb> failed: " prefix */
  msg: string
}

export interface RtOptions {
  input?: string
  env?: NodeJS.ProcessEnv
  timeout?: number
  /** extra file descriptors given to the runtime as fd 3, 4, … */
  extraFds?: number[]
  cwd?: string
  /** run the runtime through `sh -c 'PREFIX exec "$@"'` (e.g. to set LISTEN_PID=$$) */
  shellPrefix?: string
}

export function hostNs(name: string): number {
  return statSync(`/proc/self/ns/${name}`).ino
}

/** The process's cgroup lines of /proc/<pid>/cgroup as "controllers:path". */
export function procCgroups(pid: number | 'self'): string[] {
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n').map((l) => l.replace(/^\d+:/, ''))
}

export class Suite {
  readonly section: string
  private envRef: Env | undefined
  private readonly ids = new Set<string>()
  private seq = 0
  readonly skipReason = rootReason

  constructor(section: string) {
    this.section = section
    test.before(() => {
      if (this.skipReason !== null) return
      if (!existsSync(runtime)) throw new Error(`runtime under test not found: ${runtime}`)
      fixtureRootfs()
      this.envRef = makeEnv()
    })
    test.after.always(() => {
      if (this.envRef === undefined) return
      for (const id of this.ids) this.rt(['delete', '--force', id])
      this.envRef.cleanup()
    })
  }

  get env(): Env {
    if (!this.envRef) throw new Error('environment not set up (see the before hook)')
    return this.envRef
  }

  /** A private scratch directory of this file's environment. */
  scratch(name: string): string {
    const d = join(this.env.dir, `scratch-${name}`)
    mkdirSync(d, { recursive: true })
    return d
  }

  /** A case, run serially; skipped without root. */
  test(title: string, fn: (t: ExecutionContext) => void | Promise<void>): void {
    const name = `${this.section}: ${title}`
    if (this.skipReason !== null) test.serial.skip(`${name} (skipped: ${this.skipReason})`, fn)
    else test.serial(name, fn)
  }

  /**
   * A case for spec behaviour that runc 1.1 does not implement: against runc it is declared
   * `failing` (it must fail there, and is reported as a known deviation); against others it is a
   * normal case. Each one is explained in docs/spec-conformance.md.
   */
  runcDeviation(title: string, why: string, fn: (t: ExecutionContext) => void | Promise<void>): void {
    const name = `${this.section}: ${title} [runc 1.1 deviation: ${why}]`
    if (this.skipReason !== null) test.serial.skip(`${name} (skipped: ${this.skipReason})`, fn)
    else if (isRunc) test.serial.failing(name, fn)
    else test.serial(name, fn)
  }

  /** A unique container id for this file. */
  id(stem: string): string {
    const id = `${stem}-${++this.seq}`
    this.ids.add(id)
    return id
  }

  /** A bundle on the busybox fixture (args default: /checker), edited by `edit`. */
  bundle(id: string, args: string[] = ['/checker'], edit?: (s: Spec) => void): string {
    this.ids.add(id)
    return this.env.bundle(id, (s) => {
      s.process!.args = args
      edit?.(s)
    })
  }

  /** Runs the runtime with this file's --root; stdout/stderr go through files, so detached children never block us. */
  rt(args: string[], opts: RtOptions = {}): RtResult {
    const dir = this.env.dir
    const tag = `${process.pid}-${++this.seq}`
    const outPath = join(dir, `out-${tag}`)
    const errPath = join(dir, `err-${tag}`)
    const out = openSync(outPath, 'w+')
    const err = openSync(errPath, 'w+')
    const argv = ['--root', this.env.root, ...args]
    const [file, fileArgs] = opts.shellPrefix === undefined
      ? [runtime, argv]
      : ['/bin/sh', ['-c', `${opts.shellPrefix} exec "$@"`, 'sh', runtime, ...argv]]
    try {
      const r = spawnSync(file, fileArgs, {
        stdio: [opts.input === undefined ? 'ignore' : 'pipe', out, err, ...(opts.extraFds ?? [])],
        input: opts.input,
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        timeout: opts.timeout ?? 30_000,
        killSignal: 'SIGKILL',
      })
      const stdout = readFileSync(outPath, 'utf8')
      const stderr = readFileSync(errPath, 'utf8')
      return { status: r.status, signal: r.signal, stdout, stderr, outPath, errPath, msg: stripPrefix(errorMsg(stderr)) }
    } finally {
      closeSync(out)
      closeSync(err)
    }
  }

  /** `run --bundle` in the foreground. */
  run(id: string, args: string[], edit?: (s: Spec) => void, opts?: RtOptions): RtResult {
    const b = this.bundle(id, args, edit)
    return this.rt(['run', '--bundle', b, id], opts)
  }

  /** `run` of the checker; fails the case when it does not exit 0 with a report. */
  checker(t: ExecutionContext, stem: string, edit?: (s: Spec) => void, opts?: RtOptions): CheckerReport {
    const id = this.id(stem)
    const r = this.run(id, ['/checker'], edit, opts)
    if (r.status !== 0) t.fail(describe(`run ${id}`, r))
    return parseCheckerReport(r.stdout)
  }

  /** `run` of `sh -c script`. */
  sh(stem: string, script: string, edit?: (s: Spec) => void, opts?: RtOptions): RtResult {
    return this.run(this.id(stem), ['sh', '-c', script], edit, opts)
  }

  /** `create` (not started) of `args`; asserts success. */
  create(t: ExecutionContext, id: string, args: string[] = ['sleep', '1000'], edit?: (s: Spec) => void): string {
    const b = this.bundle(id, args, edit)
    const r = this.rt(['create', '--bundle', b, id])
    t.is(r.status, 0, describe(`create ${id}`, r))
    return b
  }

  /** `create` + `start` of a long-running process; returns its host pid. */
  started(t: ExecutionContext, id: string, args: string[] = ['sleep', '1000'], edit?: (s: Spec) => void): number {
    this.create(t, id, args, edit)
    const s = this.rt(['start', id])
    t.is(s.status, 0, describe(`start ${id}`, s))
    return this.state(id)?.pid ?? 0
  }

  /** The parsed `state` JSON, or undefined when `state` fails. */
  state(id: string): (Record<string, unknown> & { status: string; pid: number }) | undefined {
    const r = this.rt(['state', id])
    if (r.status !== 0) return undefined
    return JSON.parse(r.stdout) as Record<string, unknown> & { status: string; pid: number }
  }

  status(id: string): string | undefined {
    return this.state(id)?.status
  }

  /** Waits until `state` reports `status`. */
  waitStatus(id: string, status: string, ms = 5000): boolean {
    return waitFor(() => this.status(id) === status, ms)
  }

  /** Force-deletes a container (ignoring errors). */
  remove(id: string): void {
    this.rt(['delete', '--force', id])
  }

  /**
   * Declares the file's last case: every container deleted, nothing listed, no process left in
   * this file's cgroup tree, no cgroup below the parent, no mount under the private directory.
   */
  finish(): void {
    this.test('nothing is left behind (containers, processes, cgroups, mounts)', (t) => {
      for (const id of this.ids) this.rt(['delete', '--force', id])
      const list = this.rt(['list', '-q'])
      t.is(list.status, 0, describe('list -q', list))
      t.is(list.stdout.trim(), '', 'containers remain in the state root')
      const parent = this.env.cgroupParent
      const dirs = cgroupMounts().map((m) => join(m, parent)).filter((d) => existsSync(d))
      const pids = dirs.flatMap((d) => procsBelow(d))
      t.deepEqual(pids, [], `processes remain in ${parent}`)
      const children = dirs.flatMap((d) => readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(d, e.name)))
      t.deepEqual(children, [], 'container cgroups remain')
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(this.env.dir))
      t.deepEqual(mounts, [], 'mounts remain')
    })
  }
}

function procsBelow(dir: string): number[] {
  const out: number[] = []
  try {
    for (const l of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (l) out.push(Number(l))
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...procsBelow(join(dir, e.name)))
  } catch {
    // removed meanwhile
  }
  return out
}

/** "runc create failed: X" / "tsrun run failed: X" / "exec failed: X" → "X". */
export function stripPrefix(msg: string): string {
  return msg.replace(/^(\S+ )?(create|run|exec) failed: /, '')
}

export function describe(what: string, r: RtResult): string {
  return `${what}: status ${r.status}${r.signal ? ` signal ${r.signal}` : ''}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`
}

/** Writes an executable shell script (hooks, helpers). */
export function writeScript(path: string, body: string): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 })
  return path
}

export interface ConsoleResult {
  name: string | null
  fdMode: string | null
  output: string
  error: string | null
}

export const consoleReceiverMissing = existsSync('/usr/bin/python3') ? null : '/usr/bin/python3 is missing'

/**
 * Starts a --console-socket receiver (console-socket.py) listening on `path`; resolves with what it
 * received once the pty is closed on the container side (or the timeout passed).
 */
export function consoleReceiver(path: string, timeoutS = 15, input = ''): Promise<ConsoleResult> {
  const child = spawn('/usr/bin/python3', [join(__dirname, 'console-socket.py'), path, String(timeoutS), input], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const out: Buffer[] = []
  child.stdout.on('data', (b: Buffer) => out.push(b))
  const done = new Promise<ConsoleResult>((resolve) => {
    child.on('close', () => {
      const text = Buffer.concat(out).toString('utf8')
      try {
        resolve(JSON.parse(text) as ConsoleResult)
      } catch {
        resolve({ name: null, fdMode: null, output: '', error: `receiver printed: ${text}` })
      }
    })
  })
  waitFor(() => existsSync(path), 5000)
  return done
}
