// Mount flag constants (linux/mount.h) and the option vocabulary runc accepts.
export const MS = {
  RDONLY: 1, NOSUID: 2, NODEV: 4, NOEXEC: 8, SYNCHRONOUS: 16, REMOUNT: 32, MANDLOCK: 64, DIRSYNC: 128,
  NOATIME: 1024, NODIRATIME: 2048, BIND: 4096, MOVE: 8192, REC: 16384, SILENT: 32768,
  UNBINDABLE: 1 << 17, PRIVATE: 1 << 18, SLAVE: 1 << 19, SHARED: 1 << 20, RELATIME: 1 << 21, STRICTATIME: 1 << 24,
} as const

/** Options that set (clear=false) or clear (clear=true) a flag. */
export const FLAG_OPTIONS: Readonly<Record<string, { clear: boolean; flag: number }>> = {
  async: { clear: true, flag: MS.SYNCHRONOUS },
  atime: { clear: true, flag: MS.NOATIME },
  bind: { clear: false, flag: MS.BIND },
  defaults: { clear: false, flag: 0 },
  dev: { clear: true, flag: MS.NODEV },
  diratime: { clear: true, flag: MS.NODIRATIME },
  dirsync: { clear: false, flag: MS.DIRSYNC },
  exec: { clear: true, flag: MS.NOEXEC },
  mand: { clear: false, flag: MS.MANDLOCK },
  noatime: { clear: false, flag: MS.NOATIME },
  nodev: { clear: false, flag: MS.NODEV },
  nodiratime: { clear: false, flag: MS.NODIRATIME },
  noexec: { clear: false, flag: MS.NOEXEC },
  nomand: { clear: true, flag: MS.MANDLOCK },
  norelatime: { clear: true, flag: MS.RELATIME },
  nostrictatime: { clear: true, flag: MS.STRICTATIME },
  nosuid: { clear: false, flag: MS.NOSUID },
  rbind: { clear: false, flag: MS.BIND | MS.REC },
  relatime: { clear: false, flag: MS.RELATIME },
  remount: { clear: false, flag: MS.REMOUNT },
  ro: { clear: false, flag: MS.RDONLY },
  rw: { clear: true, flag: MS.RDONLY },
  silent: { clear: false, flag: MS.SILENT },
  loud: { clear: true, flag: MS.SILENT },
  strictatime: { clear: false, flag: MS.STRICTATIME },
  suid: { clear: true, flag: MS.NOSUID },
  sync: { clear: false, flag: MS.SYNCHRONOUS },
}

export const PROPAGATION_OPTIONS: Readonly<Record<string, number>> = {
  private: MS.PRIVATE, rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED, rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE, rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE, runbindable: MS.UNBINDABLE | MS.REC,
}

export interface ParsedOptions { flags: number; propagation: number[]; data: string[] }

/** Split OCI mount options into flags, propagation changes and filesystem data. */
export function parseMountOptions(options: readonly string[] = []): ParsedOptions {
  let flags = 0
  const propagation: number[] = []
  const data: string[] = []
  for (const o of options) {
    const f = FLAG_OPTIONS[o]
    if (f) flags = f.clear ? flags & ~f.flag : flags | f.flag
    else if (o in PROPAGATION_OPTIONS) propagation.push(PROPAGATION_OPTIONS[o]!)
    else data.push(o)
  }
  return { flags, propagation, data }
}
