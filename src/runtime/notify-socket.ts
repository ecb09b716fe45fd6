// sd_notify proxied as runc does (notify_socket.go), loaded only when tsrun's environment has NOTIFY_SOCKET.
//
// create/run: <state dir>/notify/ is bind-mounted read-only (nosuid, noexec, nodev) on /run/notify in the
// container, and the process gets NOTIFY_SOCKET=/run/notify/notify.sock (any NOTIFY_SOCKET of its own is replaced).
// start/run: notify/notify.sock is bound (mode 0777, so a user-namespaced root can send) before the init is released;
// tsrun then waits, with no timeout as runc, for a datagram with a READY= line, and sends that line and MAINPID to
// the host's NOTIFY_SOCKET in one datagram. MAINPID is the container init, except for a foreground `run`, where it
// is tsrun itself (runc: the process systemd started stays the service's main process). Unlike runc, which gives up
// silently, an init that exits before READY makes start (and `run -d`) fail. Other messages are dropped (runc).
// The socket goes away with the state dir.
import { chmodSync, closeSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { TsrunError } from '../errors'
import { log } from '../log/logger'
import type { Spec } from '../spec'
import { checkId, containerPaths } from '../state/paths'
import { lockContainer } from '../state/lock'
import { readProcStat } from '../state/status'
import { bindUnix, dgramSocket, pollReadable, recvDatagram, sendDatagram } from '../sys/dgram'
import { pidfdOpen } from '../sys/process'

const DIR = 'notify'
const SOCK = 'notify.sock'
/** Where the notify dir is mounted in the container (runc 1.x; before 1.0 runc bind-mounted the socket at the host's path). */
export const CONTAINER_DIR = '/run/notify'
export const CONTAINER_SOCKET = `${CONTAINER_DIR}/${SOCK}`

/** create/run: make <state dir>/notify and add its mount and NOTIFY_SOCKET to the spec (before it is planned and saved). */
export function prepareNotify(spec: Spec, stateDir: string): void {
  const dir = join(stateDir, DIR)
  mkdirSync(dir, { mode: 0o755 })
  chmodSync(dir, 0o755) // mkdir's mode passes through the umask
  const options = ['bind', 'nosuid', 'noexec', 'nodev', 'ro']
  // a new user namespace's root cannot walk the state root (0700) to the source: make an idmapped copy of it from the
  // host side instead (runc 1.1 opens bind sources before it enters the user namespace; tsrun's binds do not yet)
  const linux = spec.linux
  if (linux?.namespaces?.some((n) => n.type === 'user' && !n.path) && linux.uidMappings?.length && linux.gidMappings?.length) options.push('idmap')
  spec.mounts = [...(spec.mounts ?? []), { destination: CONTAINER_DIR, source: dir, options }]
  if (spec.process)
    spec.process.env = [...(spec.process.env ?? []).filter((e) => !e.startsWith('NOTIFY_SOCKET=')), `NOTIFY_SOCKET=${CONTAINER_SOCKET}`]
}

/**
 * start: the container's lock, taken before loadContainer (which then re-enters it) so that the caller can drop it
 * while it waits for READY=1: state, kill and delete must not block behind that wait.
 */
export function lockForStart(root: string, id: string): () => void {
  try { return lockContainer(containerPaths(root, checkId(id)).lock) } catch { return () => {} } // missing: loadContainer says so
}

interface Init { pid: number; startTime: string }

function alive(init: Init): boolean {
  const st = readProcStat(init.pid)
  return st !== undefined && st.startTime === init.startTime && st.state !== 'Z'
}

export class ReadyListener {
  private ready: string | undefined

  private constructor(private fd: number, private readonly host: string) {}

  /**
   * Bind <state dir>/notify/notify.sock (before the init is released, so nothing it sends is lost). Undefined, with
   * a warning, when the container was created without NOTIFY_SOCKET: there is nothing in it to listen to.
   */
  static open(stateDir: string, host: string): ReadyListener | undefined {
    const dir = join(stateDir, DIR)
    if (!existsSync(dir)) {
      log.warn('NOTIFY_SOCKET is set but the container was created without it: not waiting for READY=1')
      return undefined
    }
    const path = join(dir, SOCK)
    rmSync(path, { force: true }) // a socket left by an earlier start that failed
    const fd = dgramSocket(true)
    try {
      bindUnix(fd, path)
      chmodSync(path, 0o777)
    } catch (e) {
      closeSync(fd)
      throw e
    }
    return new ReadyListener(fd, host)
  }

  /** Read every queued datagram; true once one had a READY= line (kept, to forward). */
  private drain(): boolean {
    while (this.ready === undefined && this.fd >= 0) {
      const d = recvDatagram(this.fd)
      if (!d) break
      this.ready = d.toString('utf8').split('\n').find((l) => l.startsWith('READY='))
    }
    return this.ready !== undefined
  }

  /** The READY= line and MAINPID, in one datagram, to the host's socket. */
  private forward(mainPid: number): void {
    const fd = dgramSocket(false)
    try {
      sendDatagram(fd, Buffer.from(`${this.ready}\nMAINPID=${mainPid}\n`), this.host)
    } catch (e) {
      throw new TsrunError(`NOTIFY_SOCKET ${this.host}: ${(e as Error).message}`)
    } finally {
      closeSync(fd)
    }
  }

  /** start and `run -d`: block until READY (then forward it) or the init's exit (an error). */
  waitSync(init: Init, mainPid: number): void {
    let pidfd = -1
    try { pidfd = pidfdOpen(init.pid) } catch { /* gone already, or no pidfds: poll its liveness */ }
    try {
      for (;;) {
        if (this.drain()) return this.forward(mainPid)
        // a READY sent just before the exit still counts
        if (!alive(init)) {
          if (this.drain()) return this.forward(mainPid)
          throw new TsrunError('container init exited before it sent READY=1 on NOTIFY_SOCKET')
        }
        // wakes on a datagram or on the init's exit; the timeout only bounds a pid reused under us
        pollReadable(pidfd >= 0 ? [this.fd, pidfd] : [this.fd], pidfd >= 0 ? 1000 : 100)
      }
    } finally {
      if (pidfd >= 0) closeSync(pidfd)
    }
  }

  private timer: NodeJS.Timeout | undefined
  private pending: { resolve(r: 'ready' | 'exited'): void; reject(e: Error): void; mainPid: number } | undefined

  /**
   * Foreground run: the same wait without blocking the event loop (signals are forwarded and a terminal relayed
   * meanwhile). Resolves 'ready' once forwarded, 'exited' if the init exits first; rejects if forwarding fails.
   */
  waitAsync(init: Init, mainPid: number): Promise<'ready' | 'exited'> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, mainPid }
      let delay = 1
      const tick = (): void => {
        this.timer = undefined
        if (this.drain() || !alive(init)) return this.settle()
        this.timer = setTimeout(tick, delay)
        delay = Math.min(delay * 2, 50)
      }
      tick()
    })
  }

  /** End a pending async wait: forward a READY that is queued, else report the exit. */
  private settle(): void {
    const p = this.pending
    if (!p) return
    this.pending = undefined
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    try {
      if (!this.drain()) return p.resolve('exited')
      this.forward(p.mainPid)
      p.resolve('ready')
    } catch (e) {
      p.reject(e as Error)
    }
  }

  /** Close the socket; a pending async wait (whose process has exited) settles first. */
  close(): void {
    this.settle()
    if (this.fd >= 0) closeSync(this.fd)
    this.fd = -1
  }
}
