// Start a child with posix_spawn and reap it with waitpid, for the tsrun-init helper.
//
// node's child_process forks: the kernel copies node's page tables (~50 MB resident) and every page node
// writes afterwards takes a copy-on-write fault; loading child_process also compiles net, stream and dgram.
// glibc's posix_spawn uses clone(CLONE_VM|CLONE_VFORK), so a spawn costs ~1 ms instead of ~5 (create, run
// and exec all spawn the helper). The child is not known to libuv: callers reap it with waitSync/wait.
import { closeSync } from 'node:fs'
import { errnoName, SyscallError } from './errors'
import { check, errno, lazyFn } from './libc'

const F_DUPFD_CLOEXEC = 1030
const POSIX_SPAWN_SETSIGDEF = 0x04
const POSIX_SPAWN_SETSIGMASK = 0x08
// glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128: room to spare
const OPAQUE = 1024

type Fn<A extends unknown[]> = (...args: A) => number
const posixSpawn = lazyFn<Fn<[Int32Array, string, Buffer, Buffer, (string | null)[], (string | null)[]]>>(
  'int posix_spawn(_Out_ int *pid, const char *path, void *actions, void *attr, const char **argv, const char **envp)')
const actionsInit = lazyFn<Fn<[Buffer]>>('int posix_spawn_file_actions_init(void *)')
const actionsDup2 = lazyFn<Fn<[Buffer, number, number]>>('int posix_spawn_file_actions_adddup2(void *, int, int)')
const actionsDestroy = lazyFn<Fn<[Buffer]>>('int posix_spawn_file_actions_destroy(void *)')
const attrInit = lazyFn<Fn<[Buffer]>>('int posix_spawnattr_init(void *)')
const attrFlags = lazyFn<Fn<[Buffer, number]>>('int posix_spawnattr_setflags(void *, short)')
const attrSigmask = lazyFn<Fn<[Buffer, Buffer]>>('int posix_spawnattr_setsigmask(void *, const void *)')
const attrSigdefault = lazyFn<Fn<[Buffer, Buffer]>>('int posix_spawnattr_setsigdefault(void *, const void *)')
const attrDestroy = lazyFn<Fn<[Buffer]>>('int posix_spawnattr_destroy(void *)')
const sigemptyset = lazyFn<Fn<[Buffer]>>('int sigemptyset(void *)')
const sigfillset = lazyFn<Fn<[Buffer]>>('int sigfillset(void *)')
const fcntl3 = lazyFn<Fn<[number, number, number]>>('int fcntl(int, int, int)')
const waitpidFn = lazyFn<Fn<[number, Int32Array, number]>>('int waitpid(int, _Out_ int *status, int)')
const WNOHANG = 1
const EINTR = 4

/** A posix_spawn'd child: reap it exactly once, with waitSync or wait. Statuses are shell-style (128+signal). */
export interface SpawnedChild {
  readonly pid: number
  /** Block until the child exits (for helpers that exit right away). */
  waitSync(): number
  /** Wait while the event loop runs (signal forwarding, terminal relay). */
  wait(): Promise<number>
}

function statusOf(st: number): number {
  const sig = st & 0x7f
  return sig === 0 ? (st >> 8) & 0xff : 128 + sig
}

/**
 * Run `path` with `argv` and node's environment; child fd i is a copy of parent fd fds[i] (0..fds.length-1),
 * every other fd of ours is close-on-exec as node and tsrun open them. Signal dispositions are reset and the
 * signal mask cleared, as child_process does (node ignores SIGPIPE, which would otherwise be inherited).
 */
export function spawnChild(path: string, argv: readonly string[], fds: readonly number[]): SpawnedChild {
  // copies above every target first, so that placing fd i never clobbers a source still to be placed
  const high: number[] = []
  const actions = Buffer.alloc(OPAQUE), attr = Buffer.alloc(OPAQUE), none = Buffer.alloc(OPAQUE), all = Buffer.alloc(OPAQUE)
  let actionsMade = false, attrMade = false
  try {
    for (const fd of fds) high.push(check('fcntl(F_DUPFD_CLOEXEC)', () => fcntl3()(fd, F_DUPFD_CLOEXEC, fds.length)))
    spawnCheck('posix_spawn_file_actions_init', actionsInit()(actions))
    actionsMade = true
    high.forEach((fd, i) => spawnCheck('posix_spawn_file_actions_adddup2', actionsDup2()(actions, fd, i)))
    spawnCheck('posix_spawnattr_init', attrInit()(attr))
    attrMade = true
    sigemptyset()(none)
    sigfillset()(all)
    spawnCheck('posix_spawnattr_setsigmask', attrSigmask()(attr, none))
    spawnCheck('posix_spawnattr_setsigdefault', attrSigdefault()(attr, all))
    spawnCheck('posix_spawnattr_setflags', attrFlags()(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    const env: (string | null)[] = []
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env.push(`${k}=${v}`)
    env.push(null)
    const pidOut = new Int32Array(1)
    spawnCheck(`posix_spawn ${path}`, posixSpawn()(pidOut, path, actions, attr, [...argv, null], env))
    return reaper(pidOut[0]!)
  } finally {
    if (actionsMade) actionsDestroy()(actions)
    if (attrMade) attrDestroy()(attr)
    for (const fd of high) closeSync(fd)
  }
}

/** posix_spawn and friends return the error number instead of setting errno. */
function spawnCheck(what: string, r: number): void {
  if (r !== 0) throw new Error(`${what}: ${errnoName(r)}`)
}

function reaper(pid: number): SpawnedChild {
  let status: number | undefined
  let pending: Promise<number> | undefined
  const done = (st: number): number => (status = statusOf(st))
  const waitSync = (): number => {
    if (status !== undefined) return status
    const st = new Int32Array(1)
    check('waitpid', () => waitpidFn()(pid, st, 0))
    return done(st[0]!)
  }
  const wait = (): Promise<number> => {
    if (status !== undefined) return Promise.resolve(status)
    // SIGCHLD, then waitpid(WNOHANG): no thread blocked in waitpid, which would hold up the exit of a tsrun
    // that gives up waiting (libuv joins its threads at exit). The interval keeps the event loop alive
    // (signal listeners do not) and covers a SIGCHLD that arrived before the listener.
    pending ??= new Promise<number>((resolve, reject) => {
      const finish = (): void => {
        process.off('SIGCHLD', poll)
        clearInterval(timer)
      }
      const poll = (): void => {
        try {
          if (status === undefined) {
            const st = new Int32Array(1)
            const r = waitpidFn()(pid, st, WNOHANG)
            if (r === 0 || (r === -1 && errno() === EINTR)) return
            if (r !== pid) throw new SyscallError('waitpid', errno(), String(pid))
            done(st[0]!)
          }
          finish()
          resolve(status!)
        } catch (e) {
          finish()
          reject(e)
        }
      }
      const timer = setInterval(poll, 1000)
      process.on('SIGCHLD', poll)
      poll()
    })
    return pending
  }
  return { pid, waitSync, wait }
}
