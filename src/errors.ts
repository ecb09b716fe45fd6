// Errors the CLI reports. The message is the interface: callers match substrings of it (contract.md §5).

/** An error meant for the user: printed as is, exit status 1 (or `exitCode`). */
export class TsrunError extends Error {
  readonly exitCode: number
  constructor(message: string, exitCode = 1, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TsrunError'
    this.exitCode = exitCode
  }
}

/**
 * Whether e is a TsrunError. Checked by name, not instanceof: each verb is its own bundle (see
 * scripts/build.mjs), so the class the CLI entry sees is a different copy from the one a verb threw.
 */
export function isTsrunError(e: unknown): e is TsrunError {
  return e instanceof Error && e.name === 'TsrunError' && typeof (e as TsrunError).exitCode === 'number'
}

/** runc's libcontainer error texts (libcontainer/error.go); clients match on them. */
export const ERR = {
  exists: 'container with given ID already exists',
  invalidId: 'invalid container ID format',
  notExist: 'container does not exist',
  paused: 'container paused',
  running: 'container still running',
  notRunning: 'container not running',
  notPaused: 'container not paused',
} as const
