// Runs a client command (ctr, podman, docker...) and collects its exit status and output.
import { spawn } from 'node:child_process'
import { constants } from 'node:os'

export interface CommandOptions {
  /** written to stdin, which is then closed (default: stdin is /dev/null) */
  input?: string
  /** the child is killed (SIGKILL, by pid) after this long; default 60 s */
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
  cwd?: string
}

export interface CommandResult {
  /** exit status, or 128+signal when killed by a signal (as a shell reports it) */
  code: number
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
}

export function runCommand(file: string, args: string[], opts: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
    }, opts.timeoutMs ?? 60_000)
    child.stdout?.on('data', (b: Buffer) => out.push(b))
    child.stderr?.on('data', (b: Buffer) => err.push(b))
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(new Error(`${file}: ${e.message}`))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({
        code: code ?? 128 + signalNumber(signal),
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      })
    })
    if (opts.input !== undefined) child.stdin?.end(opts.input)
  })
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : constants.signals[signal]
}

/** One-line description of a result for assertion messages. */
export function describeResult(what: string, r: CommandResult): string {
  const status = r.timedOut ? 'timed out' : `exit ${r.code}`
  return `${what}: ${status}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`
}
