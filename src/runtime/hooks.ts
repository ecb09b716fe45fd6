// OCI hooks: run from the runtime's namespace with the state JSON on stdin, with spec 1.3 failure rules.
import { spawnSync } from 'node:child_process'
import type { Hook, HookName, Hooks } from '../spec'
import { TsrunError } from '../errors'
import { log } from '../log/logger'

export interface HookState { ociVersion: string; id: string; status: string; pid?: number; bundle: string; annotations?: Record<string, string> }

/** Run one hook; returns an error text or undefined. */
function runHook(h: Hook, state: HookState): string | undefined {
  const [argv0, ...rest] = h.args?.length ? h.args : [h.path]
  const r = spawnSync(h.path, rest, {
    argv0, env: Object.fromEntries((h.env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
    input: JSON.stringify(state), encoding: 'utf8', timeout: h.timeout ? h.timeout * 1000 : undefined, killSignal: 'SIGKILL',
  })
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code
  // EPIPE: the hook exited without reading its stdin; its exit status still decides
  if (r.error && !(code === 'EPIPE' && r.status !== null)) return code === 'ETIMEDOUT' ? `timeout after ${h.timeout}s` : r.error.message
  if (r.status !== 0) return `exit status ${r.status ?? `signal ${r.signal}`}, stdout: ${r.stdout.trim()}, stderr: ${r.stderr.trim()}`
  return undefined
}

/** Run every hook of `phase` in order; the first failure throws (runc: `error running <phase> hook #N`). */
export function runHooks(hooks: Hooks | undefined, phase: HookName, state: HookState): void {
  for (const [i, h] of (hooks?.[phase] ?? []).entries()) {
    const err = runHook(h, state)
    if (err) throw new TsrunError(`error running ${phase} hook #${i}: ${h.path}: ${err}`)
  }
}

/** poststop: failures are only warnings (spec: "the runtime MUST log a warning"). */
export function runHooksWarnOnly(hooks: Hooks | undefined, phase: HookName, state: HookState): void {
  for (const [i, h] of (hooks?.[phase] ?? []).entries()) {
    const err = runHook(h, state)
    if (err) log.warn(`error running ${phase} hook #${i}: ${h.path}: ${err}`)
  }
}

export const CREATE_HOOKS: readonly HookName[] = ['prestart', 'createRuntime', 'createContainer']

export function hasHooks(hooks: Hooks | undefined, phases: readonly HookName[]): boolean {
  return phases.some((p) => (hooks?.[p]?.length ?? 0) > 0)
}
