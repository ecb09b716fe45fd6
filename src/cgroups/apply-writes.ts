// Perform translated writes, retrying once at the end those the kernel refused with EINVAL.
import { CgroupError } from './cgroup-error'
import { writeCgroupFile } from './cgroupfs'
import type { CgroupWrites } from './file-writes'

/**
 * Write every entry to `dirOf(file)/file` in order. Some pairs must be written in the order that suits
 * the current values (v1 period/quota, memory/memsw; v2 cpu.max.burst before or after cpu.max): the
 * kernel answers EINVAL to the wrong order, so those writes are retried once after the others.
 */
export function applyWrites(writes: CgroupWrites, dirOf: (file: string) => string): void {
  const deferred: Array<[string, string]> = []
  for (const [file, value] of Object.entries(writes)) {
    try {
      writeCgroupFile(dirOf(file), file, value)
    } catch (err) {
      if (!(err instanceof CgroupError) || err.code !== 'EINVAL') throw err
      deferred.push([file, value])
    }
  }
  for (const [file, value] of deferred) writeCgroupFile(dirOf(file), file, value)
}

/** Write a pid to cgroup.procs, retrying EINVAL a few times (a task still being forked is refused). */
export function writePid(dir: string, pid: number, sleep: (ms: number) => void): void {
  // "0" would move the writing process itself (tsrun) into the container's cgroup
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new CgroupError(`cgroup: refusing to move pid ${pid} into ${dir}`)
  for (let attempt = 0; ; attempt++) {
    try {
      writeCgroupFile(dir, 'cgroup.procs', String(pid))
      return
    } catch (err) {
      if (!(err instanceof CgroupError) || err.code !== 'EINVAL' || attempt >= 4) throw err
      sleep(30)
    }
  }
}
