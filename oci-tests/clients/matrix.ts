// Shared pieces of the client matrix: which runtime is under test, how an operation is declared
// (its ava title is "<client>: <operation>", which oci-tests/clients/report.ts turns into the
// docs/clients.md table), terminals through script(1), and polling.
import type { ExecutionContext, TestFn } from 'ava'
import { existsSync, readFileSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { runCommand, type CommandOptions, type CommandResult } from './command'

/** The runtime binary under test: TSRUN_TEST_RUNTIME, default the repo's cmd/tsrun. */
export const runtime = process.env.TSRUN_TEST_RUNTIME ?? resolve(__dirname, '..', '..', 'cmd', 'tsrun')
/** Its name as clients see it (podman matches it against runtime_supports_json). */
export const runtimeName = basename(runtime)
export const scriptBinary = '/usr/bin/script'

export type Op = (t: ExecutionContext) => Promise<void>

/**
 * Declares the operations of one client. `skip` (a reason) skips them all, e.g. when not root or
 * the client is not installed. Operations run serially in declaration order.
 */
export function client(name: string, skip: string | null): (operation: string, fn: Op) => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const test = (require('ava') as { default: TestFn }).default // lazily: harness modules also run outside ava
  return (operation, fn) => {
    const title = `${name}: ${operation}`
    if (skip !== null) test.serial.skip(`${title} (skipped: ${skip})`, fn)
    else test.serial(title, fn)
  }
}

/** Why nothing can run: not root, runtime missing. */
export function commonSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'requires root'
  if (!existsSync(runtime)) return `runtime under test not found: ${runtime}`
  return null
}

/** Quotes words for `sh -c`. */
export function shellQuote(words: string[]): string {
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ')
}

/** Runs a command line under `script -qec … /dev/null`, i.e. with a terminal as its stdin/stdout. */
export function withTerminal(argv: string[], opts: CommandOptions = {}): Promise<CommandResult> {
  return runCommand(scriptBinary, ['-qec', shellQuote(argv), '/dev/null'], { input: '', ...opts })
}

/** Polls `probe` until it returns a value other than undefined, or `ms` pass. */
export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, ms = 10_000, every = 100): Promise<T | undefined> {
  const end = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > end) return undefined
    await sleep(every)
  }
}

/** The first line of cgroup file `file` of cgroup path `path` in v1 controller `controller`, or undefined. */
export function cgroupValue(controller: string, path: string, file: string): string | undefined {
  try {
    return readFileSync(`/sys/fs/cgroup/${controller}${path}/${file}`, 'utf8').trim()
  } catch {
    return undefined
  }
}

/** Host cgroup path of pid in v1 controller `controller` (from /proc/PID/cgroup). */
export function cgroupOf(pid: number, controller = 'memory'): string | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.split(':')[1]?.split(',').includes(controller))
    return line?.split(':').slice(2).join(':')
  } catch {
    return undefined
  }
}

export function isAlive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z')
  } catch {
    return false
  }
}

/** /proc/PID/cmdline ('' when gone). */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {
    return ''
  }
}
