// Mount flag constants (linux/mount.h) and the option vocabulary runc accepts.
export const MS = {
  RDONLY: 1, NOSUID: 2, NODEV: 4, NOEXEC: 8, SYNCHRONOUS: 16, REMOUNT: 32, MANDLOCK: 64, DIRSYNC: 128,
  NOATIME: 1024, NODIRATIME: 2048, BIND: 4096, MOVE: 8192, REC: 16384, SILENT: 32768,
  NOSYMFOLLOW: 256, POSIXACL: 1 << 16,
  UNBINDABLE: 1 << 17, PRIVATE: 1 << 18, SLAVE: 1 << 19, SHARED: 1 << 20, RELATIME: 1 << 21, I_VERSION: 1 << 23,
  STRICTATIME: 1 << 24, LAZYTIME: 1 << 25,
} as const

/** mount_setattr(2) attributes (linux/mount.h). The atime values share one field, MOUNT_ATTR__ATIME. */
export const MOUNT_ATTR = {
  RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8, _ATIME: 0x70, RELATIME: 0, NOATIME: 0x10, STRICTATIME: 0x20,
  NODIRATIME: 0x80, IDMAP: 0x100000, NOSYMFOLLOW: 0x200000,
} as const

/** Options that set (clear=false) or clear (clear=true) a flag. */
export const FLAG_OPTIONS: Readonly<Record<string, { clear: boolean; flag: number }>> = {
  acl: { clear: false, flag: MS.POSIXACL },
  async: { clear: true, flag: MS.SYNCHRONOUS },
  atime: { clear: true, flag: MS.NOATIME },
  bind: { clear: false, flag: MS.BIND },
  defaults: { clear: false, flag: 0 },
  dev: { clear: true, flag: MS.NODEV },
  diratime: { clear: true, flag: MS.NODIRATIME },
  dirsync: { clear: false, flag: MS.DIRSYNC },
  exec: { clear: true, flag: MS.NOEXEC },
  iversion: { clear: false, flag: MS.I_VERSION },
  lazytime: { clear: false, flag: MS.LAZYTIME },
  mand: { clear: false, flag: MS.MANDLOCK },
  noacl: { clear: true, flag: MS.POSIXACL },
  noatime: { clear: false, flag: MS.NOATIME },
  nodev: { clear: false, flag: MS.NODEV },
  nodiratime: { clear: false, flag: MS.NODIRATIME },
  noexec: { clear: false, flag: MS.NOEXEC },
  noiversion: { clear: true, flag: MS.I_VERSION },
  nolazytime: { clear: true, flag: MS.LAZYTIME },
  nomand: { clear: true, flag: MS.MANDLOCK },
  norelatime: { clear: true, flag: MS.RELATIME },
  nostrictatime: { clear: true, flag: MS.STRICTATIME },
  nosuid: { clear: false, flag: MS.NOSUID },
  nosymfollow: { clear: false, flag: MS.NOSYMFOLLOW },
  rbind: { clear: false, flag: MS.BIND | MS.REC },
  relatime: { clear: false, flag: MS.RELATIME },
  remount: { clear: false, flag: MS.REMOUNT },
  ro: { clear: false, flag: MS.RDONLY },
  rw: { clear: true, flag: MS.RDONLY },
  silent: { clear: false, flag: MS.SILENT },
  loud: { clear: true, flag: MS.SILENT },
  strictatime: { clear: false, flag: MS.STRICTATIME },
  suid: { clear: true, flag: MS.NOSUID },
  symfollow: { clear: true, flag: MS.NOSYMFOLLOW },
  sync: { clear: false, flag: MS.SYNCHRONOUS },
}

/**
 * Recursive attributes (runc's `r*` options), applied with mount_setattr(AT_RECURSIVE) to the whole tree at the
 * destination. An atime option replaces the atime field as a whole: the mount_setattr atime values are exclusive.
 */
export const REC_ATTR_OPTIONS: Readonly<Record<string, { clear: boolean; attr: number } | { atime: number }>> = {
  rro: { clear: false, attr: MOUNT_ATTR.RDONLY },
  rrw: { clear: true, attr: MOUNT_ATTR.RDONLY },
  rnosuid: { clear: false, attr: MOUNT_ATTR.NOSUID },
  rsuid: { clear: true, attr: MOUNT_ATTR.NOSUID },
  rnodev: { clear: false, attr: MOUNT_ATTR.NODEV },
  rdev: { clear: true, attr: MOUNT_ATTR.NODEV },
  rnoexec: { clear: false, attr: MOUNT_ATTR.NOEXEC },
  rexec: { clear: true, attr: MOUNT_ATTR.NOEXEC },
  rnodiratime: { clear: false, attr: MOUNT_ATTR.NODIRATIME },
  rdiratime: { clear: true, attr: MOUNT_ATTR.NODIRATIME },
  rnosymfollow: { clear: false, attr: MOUNT_ATTR.NOSYMFOLLOW },
  rsymfollow: { clear: true, attr: MOUNT_ATTR.NOSYMFOLLOW },
  rnoatime: { atime: MOUNT_ATTR.NOATIME },
  rstrictatime: { atime: MOUNT_ATTR.STRICTATIME },
  rrelatime: { atime: MOUNT_ATTR.RELATIME },
  // "not noatime", "not relatime", "not strictatime": the kernel's default, relatime
  ratime: { atime: MOUNT_ATTR.RELATIME },
  rnorelatime: { atime: MOUNT_ATTR.RELATIME },
  rnostrictatime: { atime: MOUNT_ATTR.RELATIME },
}

/** Options that are neither flags nor filesystem data: handled by the planner. */
export const EXTENSION_OPTIONS = ['tmpcopyup', 'idmap', 'ridmap'] as const


export const PROPAGATION_OPTIONS: Readonly<Record<string, number>> = {
  private: MS.PRIVATE, rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED, rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE, rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE, runbindable: MS.UNBINDABLE | MS.REC,
}

/** Every option name tsrun understands (for the features document). */
export const MOUNT_OPTION_NAMES: readonly string[] = [
  ...Object.keys(FLAG_OPTIONS), ...Object.keys(PROPAGATION_OPTIONS), ...Object.keys(REC_ATTR_OPTIONS), ...EXTENSION_OPTIONS,
].sort()

export interface ParsedOptions {
  /** MS_* flags the options set. */
  flags: number
  /** MS_* flags the options explicitly clear (rw, suid, dev, exec...). */
  cleared: number
  propagation: number[]
  data: string[]
  /** mount_setattr attributes for the r* options, applied recursively; `clr` includes MOUNT_ATTR__ATIME when an atime option was given. */
  recSet: number
  recClr: number
  tmpcopyup: boolean
  idmap?: 'idmap' | 'ridmap'
}

/** Split OCI mount options into flags, propagation changes, recursive attributes, extensions and filesystem data. */
export function parseMountOptions(options: readonly string[] = []): ParsedOptions {
  const p: ParsedOptions = { flags: 0, cleared: 0, propagation: [], data: [], recSet: 0, recClr: 0, tmpcopyup: false }
  for (const o of options) {
    const f = FLAG_OPTIONS[o]
    const r = REC_ATTR_OPTIONS[o]
    if (f) {
      p.flags = f.clear ? p.flags & ~f.flag : p.flags | f.flag
      p.cleared = f.clear ? p.cleared | f.flag : p.cleared & ~f.flag
    } else if (o in PROPAGATION_OPTIONS) p.propagation.push(PROPAGATION_OPTIONS[o]!)
    else if (r && 'atime' in r) {
      p.recSet = (p.recSet & ~MOUNT_ATTR._ATIME) | r.atime
      p.recClr |= MOUNT_ATTR._ATIME
    } else if (r) {
      p.recSet = r.clear ? p.recSet & ~r.attr : p.recSet | r.attr
      p.recClr = r.clear ? p.recClr | r.attr : p.recClr & ~r.attr
    } else if (o === 'tmpcopyup') p.tmpcopyup = true
    else if (o === 'idmap' || o === 'ridmap') p.idmap = o
    else p.data.push(o)
  }
  return p
}
