// create: bundle → plan → helper → a container blocked on its exec fifo, with state on disk.
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { loadBundle } from '../bundle/load'
import { homeFor } from '../bundle/passwd'
import { resourcesWithDeviceRules } from '../mounts/devices'
import { planContainer, type FdRequest } from '../plan/container'
import { SYNC_TAGS } from '../plan/ops'
import { probeHost } from '../host/probe'
import { containerPaths, checkId } from '../state/paths'
import { writeRecord, type ContainerRecord } from '../state/record'
import { readProcStat } from '../state/status'
import { lockContainer } from '../state/lock'
import { mkfifo, O_CLOEXEC, O_PATH } from '../sys/fs'
import { ERR, TsrunError } from '../errors'
import { log } from '../log/logger'
import type { Spec } from '../spec'
import { checkHelper, helperPath } from './helper-binary'
import { compileSeccompLazily } from './seccomp-agent'
import { launch, type Launched } from './launch'
import { killAndWait } from './delete'
import { terminalSetup } from './terminal'
import { sendToSeccompAgent } from './seccomp-agent'
import { CREATE_HOOKS, hasHooks, runHooks } from './hooks'
import { cgroupManager, cgroupMountFacts, containerCgroupPath, warmCgroupAttach } from './cgroup'
import type { CgroupManager } from '../cgroups'

export interface CreateOptions {
  root: string
  id: string
  bundle?: string
  pidFile?: string
  consoleSocket?: string
  noPivot: boolean
  preserveFds: number
  /** Foreground run: the helper waits for the init and exits with its status. */
  wait: boolean
  /** `run --image`: the bundle was made for this container and goes with it. */
  ownedBundle?: { dir: string; store: string }
}

export interface Created {
  record: ContainerRecord
  launched: Launched
  fifo: string
  /** Foreground run with a terminal and no console socket: tsrun relays the pty through this fd. */
  relayFd?: number
}

/** An image bundle (tsrun-image.json next to config.json): mount its overlay rootfs. Code loaded only then. */
function mountImageRootfs(bundleDir: string, rootfs: string): string | undefined {
  // IMAGE_ROOTFS_FILE of src/image/bundle-rootfs.ts, spelled out: a plain create must not load the image code
  if (!existsSync(join(bundleDir, 'tsrun-image.json'))) return undefined
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const img = require('../image/rootfs') as typeof import('../image/rootfs')
  return img.mountBundleRootfs(bundleDir, rootfs)
}

export function unmountImageRootfs(target: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ;(require('../image/rootfs') as typeof import('../image/rootfs')).unmountBundleRootfs(target)
}

/** Undo steps, run in reverse when create fails, so a failed create leaves nothing behind. */
class Undo {
  private steps: (() => void)[] = []
  push(step: () => void): void { this.steps.push(step) }
  run(): void {
    for (const step of this.steps.reverse()) {
      try { step() } catch (e) { log.warn(`cleanup after failed create: ${(e as Error).message}`) }
    }
  }
}

export function createContainer(opts: CreateOptions): Created {
  const id = checkId(opts.id)
  const bundle = loadBundle(opts.bundle)
  const spec = bundle.spec
  const o = withSocketActivation(opts, spec)
  const helper = helperPath()
  checkHelper(helper)
  const paths = containerPaths(o.root, id)
  mkdirSync(o.root, { recursive: true, mode: 0o700 })
  try {
    mkdirSync(paths.dir, { mode: 0o711 })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new TsrunError(ERR.exists)
    throw e
  }
  const undo = new Undo()
  undo.push(() => rmSync(paths.dir, { recursive: true, force: true }))
  const openFds: number[] = []
  let unlock = (): void => {}
  try {
    unlock = lockContainer(paths.lock)
    // sd_notify (runc): the state dir's notify/ mounted in the container, NOTIFY_SOCKET in its env; code loaded only then
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (process.env.NOTIFY_SOCKET) (require('./notify-socket') as typeof import('./notify-socket')).prepareNotify(spec, paths.dir)
    writeFileSync(paths.config, JSON.stringify(spec)) // exec and hooks use this copy: later edits of the bundle do not count
    const rootfsMount = mountImageRootfs(bundle.dir, bundle.rootfs)
    if (rootfsMount) undo.push(() => unmountImageRootfs(rootfsMount))
    const cgroupPath = containerCgroupPath(spec.linux?.cgroupsPath, id)
    const cg = cgroupManager(cgroupPath)
    cg.create(resourcesWithDeviceRules(spec.linux?.resources, spec.linux?.devices))
    undo.push(() => cg.destroy())
    warmCgroupAttach() // the init joins its cgroups at SYNC(setup): start the kernel's wait for that now
    mkfifo(paths.fifo, 0o622)
    chmodSync(paths.fifo, 0o622) // mkfifo's mode passes through the umask
    const rootIds = containerRootIds(spec)
    if (rootIds) chownSync(paths.fifo, rootIds.uid, rootIds.gid)
    const host = probeHost()
    const cloneFd = cg.openCloneFd()
    if (cloneFd !== undefined) openFds.push(cloneFd)
    const warn = (m: string): void => log.warn(m)
    let plan
    try {
      plan = planContainer(spec, {
        bundle: bundle.dir, rootfs: bundle.rootfs, noPivot: o.noPivot, preserveFds: o.preserveFds, wait: o.wait,
        cgroupFd: cloneFd !== undefined, capLastCap: host.capLastCap,
        mountFacts: { sourceKind, cgroup: cgroupMountFacts(cgroupPath) },
        seccomp: spec.linux?.seccomp ? compileSeccompLazily(spec.linux.seccomp, host.arch) : undefined,
        home: homeFor(bundle.rootfs, spec.process?.user.uid ?? 0), createHooks: hasHooks(spec.hooks, CREATE_HOOKS),
        warn,
      })
    } catch (e) {
      throw e instanceof TsrunError ? e : new TsrunError((e as Error).message, 1, { cause: e })
    }
    const terminal = terminalSetup(spec.process?.terminal ?? false, o.consoleSocket, o.wait)
    if (terminal) openFds.push(terminal.initFd)
    const fds = plan.fds.map((r) => openFdFor(r, paths.fifo, cloneFd, terminal?.initFd))
    openFds.push(...fds.filter((fd) => fd !== cloneFd && fd !== terminal?.initFd))
    let pid = 0
    undo.push(() => { if (pid > 0) killAndWait(pid, readProcStat(pid)?.startTime ?? '') })
    const launched = launch({
      helper, ops: plan.ops, fds, preserveFds: o.preserveFds,
      onPid: (p) => { pid = p },
      onSeccompFd: (fd, p) => {
        const sc = spec.linux!.seccomp!
        sendToSeccompAgent(sc.listenerPath!, sc.listenerMetadata, fd, p,
          { ociVersion: spec.ociVersion, id, status: 'creating', pid: p, bundle: bundle.dir, annotations: spec.annotations })
      },
      onSync: (tag, p) => {
        if (tag === SYNC_TAGS.setup) setupInit(spec, p, cg, plan.userns)
        if (tag === SYNC_TAGS.hooks) {
          const state = { ociVersion: spec.ociVersion, id, status: 'creating', pid: p, bundle: bundle.dir, annotations: spec.annotations }
          runHooks(spec.hooks, 'prestart', state)
          runHooks(spec.hooks, 'createRuntime', state)
          runHooks(spec.hooks, 'createContainer', state, { in: 'container-mount', pid: p })
        }
      },
    })
    const stat = readProcStat(pid)
    const record: ContainerRecord = {
      ociVersion: spec.ociVersion, id, pid, startTime: stat?.startTime ?? '', bundle: bundle.dir, rootfs: bundle.rootfs,
      created: new Date().toISOString(), annotations: spec.annotations, owner: '', cgroupPath, cgroupCreated: [...cg.created],
      namespaces: (spec.linux?.namespaces ?? []).filter((n) => !n.path).map((n) => n.type),
      hooks: spec.hooks, userns: plan.userns, rootfsMount, ownedBundle: o.ownedBundle,
    }
    writeRecord(paths.state, record)
    if (o.pidFile) writePidFile(o.pidFile, pid)
    return { record, launched, fifo: paths.fifo, relayFd: terminal?.relayFd }
  } catch (e) {
    undo.run()
    throw e
  } finally {
    for (const fd of openFds) closeSync(fd)
    unlock() // `run` goes on to wait: kill and state must not block behind it
  }
}

/**
 * Socket activation as runc does it: with LISTEN_FDS=N in tsrun's environment, fds 3..3+N-1 go to the
 * container and its process gets LISTEN_FDS=N and LISTEN_PID=1.
 */
function withSocketActivation(o: CreateOptions, spec: Spec): CreateOptions {
  const n = Number(process.env.LISTEN_FDS)
  // LISTEN_PID names the process the fds are for: only ours count (sd_listen_fds)
  const forUs = process.env.LISTEN_PID === undefined || Number(process.env.LISTEN_PID) === process.pid
  if (!Number.isInteger(n) || n <= 0 || !forUs || !spec.process) return o
  const env = (spec.process.env ?? []).filter((e) => !e.startsWith('LISTEN_FDS=') && !e.startsWith('LISTEN_PID='))
  spec.process.env = [...env, `LISTEN_FDS=${n}`, 'LISTEN_PID=1']
  return { ...o, preserveFds: Math.max(o.preserveFds, n) }
}

/** The host ids of the container's root when it has a user namespace (the init opens the fifo as that user). */
function containerRootIds(spec: Spec): { uid: number; gid: number } | undefined {
  if (!spec.linux?.namespaces?.some((n) => n.type === 'user')) return undefined
  const host = (m: { containerID: number; hostID: number; size: number }[] | undefined): number | undefined =>
    m?.find((x) => x.containerID <= 0 && 0 < x.containerID + x.size)?.hostID
  const uid = host(spec.linux.uidMappings), gid = host(spec.linux.gidMappings)
  return uid === undefined || gid === undefined ? undefined : { uid, gid }
}

function sourceKind(path: string): 'dir' | 'file' | 'missing' {
  try { return statSync(path).isDirectory() ? 'dir' : 'file' } catch { return 'missing' }
}

function openFdFor(r: FdRequest, fifo: string, cloneFd: number | undefined, consoleFd: number | undefined): number {
  switch (r.kind) {
    case 'console': return consoleFd!
    case 'execFifo': return openSync(fifo, O_PATH | O_CLOEXEC)
    case 'cgroup': return cloneFd!
    case 'pidfd': throw new TsrunError('create: a pidfd was requested by the plan')
    case 'namespace':
      try { return openSync(r.path, O_CLOEXEC) } catch (e) {
        throw new TsrunError(`linux.namespaces: open ${r.type} namespace ${r.path}: ${(e as Error).message}`)
      }
  }
}

/** While the init waits at SYNC(setup): id maps, then every cgroup hierarchy. */
function setupInit(spec: Spec, pid: number, cg: CgroupManager, userns: boolean): void {
  if (!(pid > 0)) throw new TsrunError(`internal error: no init pid at setup (got ${pid})`)
  if (userns) {
    const maps = (m: { containerID: number; hostID: number; size: number }[] | undefined): string =>
      (m ?? []).map((x) => `${x.containerID} ${x.hostID} ${x.size}`).join('\n')
    writeFileSync(`/proc/${pid}/uid_map`, maps(spec.linux?.uidMappings))
    writeFileSync(`/proc/${pid}/gid_map`, maps(spec.linux?.gidMappings))
  }
  cg.enter(pid)
}

/** The pid file, written atomically and without a trailing newline (the shim parses the whole file). */
export function writePidFile(path: string, pid: number): void {
  const tmp = join(dirname(path), `.${Date.now()}.${process.pid}.pid`)
  writeFileSync(tmp, String(pid))
  renameSync(tmp, path)
}
