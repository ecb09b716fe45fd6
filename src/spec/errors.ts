/**
 * A config that does not satisfy the runtime-spec: `path` is the JSON path of the offending value
 * (`linux.namespaces[2].type`, empty for the document itself), `reason` says what is wrong with it.
 */
export class SpecError extends Error {
  readonly path: string
  readonly reason: string

  constructor(path: string, reason: string) {
    super(path === '' ? reason : `${path}: ${reason}`)
    this.name = 'SpecError'
    this.path = path
    this.reason = reason
  }
}
