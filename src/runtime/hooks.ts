// OCI hooks: run from the runtime's namespace with the state JSON on stdin, with spec 1.3 failure rules.
import type { Hook, HookName, Hooks } from '../spec'
import { TsrunError } from '../errors'
import { log } from '../log/logger'

export interface HookState { ociVersion: string; id: string; status: string; pid?: number; bundle: string; annotations?: Record<string, string> }

/**
 * Where a hook runs: the runtime's namespaces, or (createContainer, startContainer) the container's, entered
 * with util-linux nsenter: the mount namespace (before pivot_root host paths still resolve there, as the spec
 * wants for createContainer), or every namespace and the container's root and cwd (startContainer).
 */
export type HookPlace = { in: 'runtime' } | { in: 'container-mount'; pid: number } | { in: 'container'; pid: number }

function command(h: Hook, place: HookPlace): { file: string; args: string[]; argv0: string } {
  const [argv0 = h.path, ...rest] = h.args?.length ? h.args : [h.path]
  if (place.in === 'runtime') return { file: h.path, args: rest, argv0 }
  const enter = place.in === 'container' ? ['--all', '--root', '--wd'] : ['--mount']
  // nsenter execs the hook with argv[0] = its path (nsenter cannot set argv[0])
  return { file: NSENTER, args: ['--target', String(place.pid), ...enter, '--', h.path, ...rest], argv0: NSENTER }
}

const NSENTER = '/usr/bin/nsenter'

/** Run one hook; returns an error text or undefined. */
function runHook(h: Hook, state: HookState, place: HookPlace = { in: 'runtime' }): string | undefined {
  const { file, args, argv0 } = command(h, place)
  // required here, not at the top: create, run and exec load this module, and most containers have no hooks
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process')
  const r = spawnSync(file, args, {
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
export function runHooks(hooks: Hooks | undefined, phase: HookName, state: HookState, place?: HookPlace): void {
  for (const [i, h] of (hooks?.[phase] ?? []).entries()) {
    const err = runHook(h, state, place)
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
