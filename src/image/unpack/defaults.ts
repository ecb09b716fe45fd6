// What a file made by this process gets without asking, so that the unpack can skip a chown or chmod that would
// change nothing (two syscalls per file of the usual root-owned 0644/0755 kind): the owner is the effective
// uid/gid (or the directory's group, under a setgid directory), the mode is the creation mode less the umask.

export interface CreationDefaults {
  /** euid and egid are both 0: a new inode is root:root unless its directory is setgid */
  rootOwned: boolean
  /** the process umask, or undefined when it cannot be read without changing it */
  umask: number | undefined
}

/** The umask, from /proc/self/status ("Umask:\t0022"; process.umask() would have to set it to read it). */
export function readUmask(status: string): number | undefined {
  const m = /^Umask:\s*([0-7]+)$/m.exec(status)
  return m ? parseInt(m[1]!, 8) : undefined
}

export function creationDefaults(procStatus: () => string): CreationDefaults {
  let umask: number | undefined
  try {
    umask = readUmask(procStatus())
  } catch {
    umask = undefined
  }
  return { rootOwned: process.geteuid?.() === 0 && process.getegid?.() === 0, umask }
}

/** Whether a file created with permission bits `mode & 0o777` already has exactly `mode` (no chmod needed). */
export function modeIsDefault(mode: number, d: CreationDefaults): boolean {
  return (mode & 0o7000) === 0 && d.umask !== undefined && (mode & d.umask) === 0
}
