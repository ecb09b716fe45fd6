// A client daemon (containerd, dockerd) started for a test: in a private mount namespace, its own process group,
// logging to a file, and SIGKILLed if the test runner exits without stopping it.
import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'

export interface Daemon {
  pid: number
  /** Whether the daemon process has exited. */
  exited(): boolean
  /** Stop watching for the runner's exit (call before stopping the daemon yourself). */
  release(): void
}

export function startDaemon(binary: string, args: string[], logPath: string, env?: NodeJS.ProcessEnv): Daemon {
  const log = openSync(logPath, 'a')
  const child = spawn('/usr/bin/unshare', ['-m', '--propagation', 'private', binary, ...args], {
    stdio: ['ignore', log, log],
    detached: true, // its own process group: a Ctrl-C of the test runner goes to us, not to it
    env,
  })
  closeSync(log)
  const pid = child.pid
  if (pid === undefined) throw new Error(`spawning ${binary} failed`)
  let exited = false
  child.on('exit', () => (exited = true))
  child.unref()
  const killOnExit = (): void => {
    try {
      if (!exited) process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  process.on('exit', killOnExit)
  return { pid, exited: () => exited, release: () => { process.off('exit', killOnExit) } }
}
