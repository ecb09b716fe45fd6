import { constants } from 'node:os'

const errnoNames = new Map<number, string>()
for (const [name, num] of Object.entries(constants.errno)) if (!errnoNames.has(num)) errnoNames.set(num, name)

/** The symbolic name of an errno value, e.g. 2 → "ENOENT". */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `errno ${errno}`
}

/** The numeric value of an errno name, e.g. "ENOENT" → 2. */
export function errnoNumber(name: string): number | undefined {
  return (constants.errno as Record<string, number>)[name]
}

/** A failed system call: which call, which errno, and on what path (if any). */
export class SyscallError extends Error {
  readonly syscall: string
  readonly errno: number
  readonly code: string
  readonly path: string | undefined

  constructor(syscall: string, errno: number, path?: string) {
    const code = errnoName(errno)
    super(path === undefined ? `${syscall}: ${code}` : `${syscall} ${path}: ${code}`)
    this.name = 'SyscallError'
    this.syscall = syscall
    this.errno = errno
    this.code = code
    this.path = path
  }
}
