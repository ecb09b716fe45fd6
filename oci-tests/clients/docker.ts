// A private dockerd 20.10 for client tests: its own data-root, exec-root, pidfile, unix socket,
// config file (and so its key.json), CLI config, cgroup parent and managed containerd, with
// iptables, ip forwarding and the default bridge off. It runs in its own mount namespace so that
// no overlay or netns mount leaks into the host's. The runtime under test is added with
// --add-runtime under the name `under-test`. Stopped by pid; nothing else is touched.
import { startDaemon } from './daemon'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { cgroupTreePids, removeCgroupTree } from './cgroup-tree'
import { runCommand, type CommandOptions, type CommandResult } from './command'
import { unmountUnder } from './host-mounts'
import { withTerminal } from './matrix'

export const dockerdBinary = '/usr/sbin/dockerd'
/** Debian's 20.10 CLI (the newer /usr/local/bin/docker works too). */
export const dockerBinary = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : '/usr/local/bin/docker'
export const runtimeAlias = 'under-test'

export interface Docker {
  dir: string
  pid: number
  socket: string
  cgroupParent: string
  /** where containerd's shim keeps the runtime's state (its --root) */
  runtimeRoot: string
  docker(args: string[], opts?: CommandOptions): Promise<CommandResult>
  /** the same under script(1), i.e. with a terminal */
  dockerTty(args: string[], opts?: CommandOptions): Promise<CommandResult>
  /** flags for docker run: the runtime under test, no network */
  runFlags(): string[]
  logTail(): string
  stop(): Promise<void>
}

export function dockerMissingReason(): string | null {
  for (const bin of [dockerdBinary, dockerBinary, '/usr/bin/containerd', '/usr/bin/containerd-shim-runc-v2', '/usr/bin/unshare']) {
    if (!existsSync(bin)) return `${bin} is missing (apt-get install docker.io)`
  }
  return null
}

export async function startDocker(runtimePath: string): Promise<Docker> {
  const missing = dockerMissingReason()
  if (missing) throw new Error(missing)
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-docker-'))
  const socket = join(dir, 'docker.sock')
  const cgroupParent = `/tsrun-docker-${process.pid}-${dir.slice(-6)}`
  for (const sub of ['data', 'exec', 'cli', 'tmp']) mkdirSync(join(dir, sub))
  const configPath = join(dir, 'daemon.json')
  writeFileSync(configPath, JSON.stringify({
    'data-root': join(dir, 'data'),
    'exec-root': join(dir, 'exec'),
    pidfile: join(dir, 'docker.pid'),
    hosts: [`unix://${socket}`],
    iptables: false,
    'ip-forward': false,
    'ip-masq': false,
    bridge: 'none',
    'userland-proxy': false,
    'cgroup-parent': cgroupParent,
    'exec-opts': ['native.cgroupdriver=cgroupfs'],
    'storage-driver': 'overlay2',
    'log-driver': 'json-file',
    'shutdown-timeout': 2,
    features: { buildkit: false },
  }, null, 2))
  const logPath = join(dir, 'dockerd.log')
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: join(dir, 'tmp') }
  delete env.NODE_EXTRA_CA_CERTS
  delete env.DOCKER_HOST
  const daemon = startDaemon(dockerdBinary, ['--config-file', configPath, '--add-runtime', `${runtimeAlias}=${runtimePath}`], logPath, env)
  const { pid } = daemon

  const cliEnv: NodeJS.ProcessEnv = { ...env, DOCKER_CONFIG: join(dir, 'cli'), DOCKER_HOST: `unix://${socket}` }
  const docker = (args: string[], opts: CommandOptions = {}) => runCommand(dockerBinary, args, { env: cliEnv, timeoutMs: 60_000, ...opts })
  const logTail = () => readFileSync(logPath, 'utf8').split('\n').slice(-30).join('\n')

  const instance: Docker = {
    dir,
    pid,
    socket,
    cgroupParent,
    runtimeRoot: join(dir, 'exec', 'runtime-runc'), // docker 20.10 uses this --root for every runc-type runtime
    docker,
    dockerTty: (args, opts = {}) => withTerminal([dockerBinary, ...args], { env: cliEnv, timeoutMs: 60_000, ...opts }),
    runFlags: () => ['--runtime', runtimeAlias, '--network', 'none'],
    logTail,
    async stop() {
      daemon.release()
      if (!daemon.exited()) {
        const ids = await docker(['ps', '-aq'], { timeoutMs: 10_000 })
        const list = ids.code === 0 ? ids.stdout.split('\n').filter(Boolean) : []
        if (list.length > 0) await docker(['rm', '-f', ...list], { timeoutMs: 30_000 })
        signal(pid, 'SIGTERM')
        for (let i = 0; i < 200 && !daemon.exited(); i++) await sleep(50)
        if (!daemon.exited()) signal(pid, 'SIGKILL')
      }
      for (const p of [...pidsMentioning(dir), ...cgroupTreePids(cgroupParent)]) signal(p, 'SIGKILL')
      for (let i = 0; i < 100 && pidsMentioning(dir).length > 0; i++) await sleep(50)
      const stuck = unmountUnder(dir)
      const left = removeCgroupTree(cgroupParent)
      if (stuck.length > 0) throw new Error(`mounts remain under ${dir}: ${stuck.join(', ')}`)
      rmSync(dir, { recursive: true, force: true })
      if (left.length > 0) throw new Error(`cgroups could not be removed: ${left.join(', ')}`)
    },
  }

  const deadline = Date.now() + 30_000
  for (;;) {
    if (daemon.exited()) {
      const tail = logTail()
      await instance.stop().catch(() => undefined)
      throw new Error(`dockerd exited during startup:\n${tail}`)
    }
    if (existsSync(socket) && (await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 5_000 })).code === 0) return instance
    if (Date.now() > deadline) {
      const tail = logTail()
      await instance.stop().catch(() => undefined)
      throw new Error(`dockerd did not answer on ${socket} within 30 s:\n${tail}`)
    }
    await sleep(200)
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // gone
  }
}

/** Pids whose command line mentions `text` (this instance's containerd and shims). */
function pidsMentioning(text: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((p) => {
    try {
      return p !== process.pid && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text)
    } catch {
      return false
    }
  })
}

