/**
 * A cgroup failure: bad resources (`linux.resources.…` named in the message), or a cgroupfs operation
 * that failed (the file, the value and the errno code named in the message).
 */
export class CgroupError extends Error {
  /** The errno code ("EINVAL") when a file operation failed; undefined for invalid input. */
  readonly code: string | undefined
  /** The directory or file involved, when there is one. */
  readonly path: string | undefined

  constructor(message: string, options: { code?: string; path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'CgroupError'
    this.code = options.code
    this.path = options.path
  }
}

/** The errno code of a node:fs error ("ENOENT"), or undefined. */
export function fsErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}
