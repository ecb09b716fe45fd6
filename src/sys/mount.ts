// Mounting in the runtime's own mount namespace (image root filesystems): the new mount API (fsopen, fsconfig,
// fsmount, move_mount) and classic mount(2)/umount2(2).
import { check, lazyFn } from './libc'

const syscallFn = lazyFn<(...args: unknown[]) => number>('long syscall(long, ...)')
const mountFn = lazyFn<(src: string, target: string, fstype: string | null, flags: number, data: string | null) => number>(
  'int mount(const char *, const char *, const char *, unsigned long, const char *)')
const umount2Fn = lazyFn<(target: string, flags: number) => number>('int umount2(const char *, int)')

const NR: Record<string, { fsopen: number; fsconfig: number; fsmount: number; move_mount: number }> = {
  x64: { move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432 },
  arm64: { move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432 },
}

function nr(): { fsopen: number; fsconfig: number; fsmount: number; move_mount: number } {
  const n = NR[process.arch]
  if (!n) throw new Error(`the new mount API: no syscall numbers known for ${process.arch}`)
  return n
}

const FSOPEN_CLOEXEC = 1
const FSCONFIG_SET_STRING = 1
const FSCONFIG_CMD_CREATE = 6
const FSMOUNT_CLOEXEC = 1
const MOVE_MOUNT_F_EMPTY_PATH = 4
const AT_FDCWD = -100
export const MNT_DETACH = 2

/** fsopen(2): a filesystem context fd for `fstype`. */
export function fsopen(fstype: string): number {
  return check('fsopen', () => Number(syscallFn()(nr().fsopen, 'str', fstype, 'uint', FSOPEN_CLOEXEC)), fstype)
}

/** fsconfig(2) FSCONFIG_SET_STRING key=value; the error names the key (and value). */
export function fsconfigString(fsfd: number, key: string, value: string): void {
  check('fsconfig', () => Number(syscallFn()(nr().fsconfig, 'int', fsfd, 'uint', FSCONFIG_SET_STRING, 'str', key, 'str', value, 'int', 0)),
    `${key}=${value}`)
}

/** fsconfig(2) FSCONFIG_CMD_CREATE, then fsmount(2): a detached mount fd. */
export function fsCreateAndMount(fsfd: number, what: string): number {
  check('fsconfig', () => Number(syscallFn()(nr().fsconfig, 'int', fsfd, 'uint', FSCONFIG_CMD_CREATE, 'void *', null, 'void *', null, 'int', 0)), what)
  return check('fsmount', () => Number(syscallFn()(nr().fsmount, 'int', fsfd, 'uint', FSMOUNT_CLOEXEC, 'uint', 0)), what)
}

/** move_mount(2) of a detached mount fd onto `target`. */
export function moveMountFd(mfd: number, target: string): void {
  check('move_mount', () => Number(syscallFn()(nr().move_mount, 'int', mfd, 'str', '', 'int', AT_FDCWD, 'str', target, 'uint', MOVE_MOUNT_F_EMPTY_PATH)), target)
}

/** mount(2). */
export function mount(source: string, target: string, fstype: string | null, flags: number, data: string | null): void {
  check('mount', () => mountFn()(source, target, fstype, flags, data), target)
}

/** umount2(2). */
export function umount2(target: string, flags: number): void {
  check('umount2', () => umount2Fn()(target, flags), target)
}
