// exec: run a new process inside an existing container.
import { closeSync, readFileSync } from 'node:fs'
import { constants } from 'node:os'
import { validateProcess, type Process, type Spec } from '../spec'
import { planExec } from '../plan/exec'
import { probeHost } from '../host/probe'
import { pidfdOpen, signalProcess } from '../sys/process'
import { checkTransition } from '../state/transitions'
import { TsrunError } from '../errors'
import { log } from '../log/logger'
import { homeFor } from '../bundle/passwd'
import { loadContainer } from './container'
import { checkHelper, helperPath } from './helper-binary'
import { compileSeccompLazily } from './seccomp-agent'
import { helperExited, launch, reaped } from './launch'
import { cgroupManager, warmCgroupAttach } from './cgroup'
import { writePidFile } from './create'
import { sendToSeccompAgent } from './seccomp-agent'
import { relayTerminal, terminalSetup } from './terminal'

export interface ExecOptions {
  root: string
  id: string
  process: Process
  detach: boolean
  pidFile?: string
  consoleSocket?: string
  preserveFds: number
  ignorePaused: boolean
}

/** A process spec from a --process file (user defaults to 0:0, as runc's tests expect). */
export function readProcessFile(path: string): Process {
  let raw: unknown
  try { raw = JSON.parse(path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8')) } catch (e) {
    throw new TsrunError(`process: ${path}: ${(e as Error).message}`)
  }
  if (raw && typeof raw === 'object' && !('user' in raw)) (raw as Record<string, unknown>).user = { uid: 0, gid: 0 }
  return validateProcess(raw)
}

export function savedSpec(configPath: string): Spec {
  return JSON.parse(readFileSync(configPath, 'utf8')) as Spec
}

export async function execProcess(o: ExecOptions): Promise<number> {
  const c = loadContainer(o.root, o.id)
  if (!(o.ignorePaused && c.status === 'paused')) checkTransition('exec', c.status, o.id)
  const spec = savedSpec(c.paths.config)
  const helper = helperPath()
  checkHelper(helper)
  const host = probeHost()
  const cg = c.record.cgroupPath ? cgroupManager(c.record.cgroupPath) : undefined
  if (cg) warmCgroupAttach() // the process joins the container's cgroups at its SYNC: start the kernel's wait now
  const cgFd = cg?.openCloneFd()
  const pidfd = pidfdOpen(c.record.pid)
  const terminal = terminalSetup(o.process.terminal ?? false, o.consoleSocket, !o.detach)
  const fds = [pidfd, ...(cgFd !== undefined ? [cgFd] : []), ...(terminal ? [terminal.initFd] : [])]
  try {
    const plan = planExec(o.process, {
      namespaces: (spec.linux?.namespaces ?? []).map((n) => n.type), wait: !o.detach, cgroupFd: cgFd !== undefined,
      preserveFds: o.preserveFds, capLastCap: host.capLastCap,
      seccomp: spec.linux?.seccomp ? compileSeccompLazily(spec.linux.seccomp, host.arch) : undefined,
      home: homeFor(c.record.rootfs, o.process.user.uid), warn: (m) => log.warn(m),
    })
    const launched = launch({
      helper, ops: plan.ops, fds, preserveFds: o.preserveFds,
      onPid: () => {}, onSync: (_tag, pid) => cg?.enter(pid),
      onSeccompFd: (fd, pid) => {
        const sc = spec.linux!.seccomp!
        sendToSeccompAgent(sc.listenerPath!, sc.listenerMetadata, fd, pid,
          { ociVersion: spec.ociVersion, id: o.id, status: c.status, pid: c.record.pid, bundle: c.record.bundle, annotations: c.record.annotations })
      },
    })
    closeSync(launched.sock)
    if (o.pidFile) writePidFile(o.pidFile, launched.pid)
    if (o.detach) {
      await reaped(launched)
      return 0
    }
    const forward = (sig: NodeJS.Signals) => (): void => { signalProcess(launched.pid, constants.signals[sig]) }
    const sigs = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const
    const handlers = sigs.map((s) => [s, forward(s)] as const)
    for (const [s, h] of handlers) process.on(s, h)
    const exited = helperExited(launched)
    const code = terminal?.relayFd !== undefined ? await relayTerminal(terminal.relayFd, exited) : await exited
    for (const [s, h] of handlers) process.off(s, h)
    return code
  } finally {
    for (const fd of fds) closeSync(fd)
  }
}
