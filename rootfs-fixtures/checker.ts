// Builds (via make) the static in-container checker program and tells where it is.
// The JSON it prints is described by CheckerReport in checker-report.ts.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

export const checkerSourceDir = join(__dirname, 'checker')
export const checkerBinaryPath = join(__dirname, 'out', 'checker')

/** Runs `make` for the checker (a no-op when up to date) and returns the binary's path. */
export function buildChecker(): string {
  try {
    execFileSync('make', ['-s', '-C', checkerSourceDir, `OUT=${join(__dirname, 'out')}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer }
    const detail = e.code === 'ENOENT' ? 'make not found' : String(e.stderr ?? e.message).trim()
    throw new Error(
      `building the checker (${checkerSourceDir}) failed: ${detail}; ` +
        'it needs a static C toolchain: apt-get install gcc make libc6-dev',
    )
  }
  return checkerBinaryPath
}
