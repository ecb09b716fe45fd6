/** A `linux.seccomp` configuration the compiler cannot turn into a filter; `path` names the OCI field. */
export class SeccompError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`)
    this.name = 'SeccompError'
  }
}
