// Send a signal to a list of pids, ignoring those that already exited.
import { CgroupError, fsErrorCode } from './cgroup-error'

export function signalPids(pids: readonly number[], signal: number): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal)
    } catch (err) {
      const code = fsErrorCode(err)
      if (code !== 'ESRCH') throw new CgroupError(`cgroup: kill ${pid} with signal ${signal}: ${code ?? String(err)}`, { code, cause: err })
    }
  }
}
