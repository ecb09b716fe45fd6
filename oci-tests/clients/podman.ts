// A private podman 4.3 + conmon for client tests. Everything lives under one temporary directory:
// --root, --runroot, --tmpdir, containers.conf (CONTAINERS_CONF), storage.conf, network config,
// file locks and events. Every podman command runs in one private mount namespace (held by a
// sleeping process), where a tmpfs covers /run: podman calls the runtime without --root, so the
// runtime's default state root (/run/runc, /run/tsrun) is private too. Containers get a private
// cgroup parent. Stopped by pid; nothing else on the host is touched.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { cgroupTreePids, removeCgroupTree } from './cgroup-tree'
import { runCommand, type CommandOptions, type CommandResult } from './command'
import { mountsUnder } from './host-mounts'
import { runtimeName, withTerminal } from './matrix'

export const podmanBinary = '/usr/bin/podman'
export const conmonBinary = '/usr/bin/conmon'
const nsenter = '/usr/bin/nsenter'

export interface Podman {
  dir: string
  /** the process holding the private mount namespace */
  holderPid: number
  /** cgroup parent of every container (pass with --cgroup-parent; `run()` does) */
  cgroupParent: string
  /** `podman <global flags> ARGS…` inside the private mount namespace */
  podman(args: string[], opts?: CommandOptions): Promise<CommandResult>
  /** the same under script(1), i.e. with a terminal */
  podmanTty(args: string[], opts?: CommandOptions): Promise<CommandResult>
  /** the flags `podman run/create` needs here: --runtime, --cgroup-parent, --network none */
  runFlags(): string[]
  /** the runtime's state for a container, as the runtime itself reports it (`state ID`, no --root, like podman) */
  runtimeState(id: string): Promise<CommandResult>
  stop(): Promise<void>
}

export function podmanMissingReason(): string | null {
  for (const bin of [podmanBinary, conmonBinary, nsenter, '/usr/bin/unshare']) {
    if (!existsSync(bin)) return `${bin} is missing (apt-get install podman)`
  }
  return null
}

function containersConf(dir: string, runtimePath: string): string {
  const supportsJson = [...new Set(['crun', 'runc', 'kata', 'runsc', 'youki', 'krun', 'tsrun', runtimeName])]
  return [
    '[containers]',
    // the default limits exceed this host's hard limits (no CAP_SYS_RESOURCE): see docs/host.md
    'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]',
    'log_driver = "k8s-file"',
    '',
    '[network]',
    `network_config_dir = "${dir}/networks"`,
    '',
    '[engine]',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    `events_logfile_path = "${dir}/events.log"`,
    'lock_type = "file"',
    `conmon_path = ["${conmonBinary}"]`,
    `runtime_supports_json = ${JSON.stringify(supportsJson)}`,
    `static_dir = "${dir}/root/libpod"`,
    `volume_path = "${dir}/root/volumes"`,
    `tmp_dir = "${dir}/tmp"`,
    '',
    '[engine.runtimes]',
    `${runtimeName} = ["${runtimePath}"]`,
    '',
  ].join('\n')
}

function storageConf(dir: string): string {
  return ['[storage]', 'driver = "overlay"', `runroot = "${dir}/runroot"`, `graphroot = "${dir}/root"`, ''].join('\n')
}

export async function startPodman(runtimePath: string): Promise<Podman> {
  const missing = podmanMissingReason()
  if (missing) throw new Error(missing)
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-podman-'))
  for (const sub of ['root', 'runroot', 'tmp', 'networks']) mkdirSync(join(dir, sub))
  const confPath = join(dir, 'containers.conf')
  const storagePath = join(dir, 'storage.conf')
  writeFileSync(confPath, containersConf(dir, runtimePath))
  writeFileSync(storagePath, storageConf(dir))
  const cgroupParent = `/tsrun-podman-${process.pid}-${dir.slice(-6)}`

  // The namespace holder: private propagation, a tmpfs over /run, then sleep.
  const holder = spawn('/usr/bin/unshare', ['-m', '--propagation', 'private', '/bin/sh', '-c',
    'mount -t tmpfs -o mode=755 tsrun-podman-run /run && touch /run/.tsrun-podman-ready && exec sleep 2147483647'], {
    stdio: 'ignore', detached: true,
  })
  const holderPid = holder.pid
  if (holderPid === undefined) throw new Error('spawning the namespace holder failed')
  holder.unref()
  let holderExited = false
  holder.on('exit', () => (holderExited = true))
  const killOnExit = () => {
    try {
      process.kill(holderPid, 'SIGKILL')
    } catch {
      // gone
    }
  }
  process.on('exit', killOnExit)
  for (let i = 0; !existsSync(`/proc/${holderPid}/root/run/.tsrun-podman-ready`); i++) {
    if (holderExited || i > 100) throw new Error('the mount namespace holder did not start')
    await sleep(50)
  }

  const env: NodeJS.ProcessEnv = { ...process.env, CONTAINERS_CONF: confPath, CONTAINERS_STORAGE_CONF: storagePath }
  delete env.NODE_EXTRA_CA_CERTS
  const globalFlags = [
    '--root', join(dir, 'root'), '--runroot', join(dir, 'runroot'), '--tmpdir', join(dir, 'tmp'),
    '--runtime', runtimePath, '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--storage-driver', 'overlay',
  ]
  const inNs = (argv: string[]) => [nsenter, '-t', String(holderPid), '-m', '--', ...argv]
  const podman = (args: string[], opts: CommandOptions = {}) => {
    const [file, ...rest] = inNs([podmanBinary, ...globalFlags, ...args])
    return runCommand(file!, rest, { env, cwd: dir, timeoutMs: 60_000, ...opts })
  }

  const instance: Podman = {
    dir,
    holderPid,
    cgroupParent,
    podman,
    podmanTty: (args, opts = {}) => withTerminal(inNs([podmanBinary, ...globalFlags, ...args]), { env, cwd: dir, timeoutMs: 60_000, ...opts }),
    runFlags: () => ['--runtime', runtimePath, '--cgroup-parent', cgroupParent, '--network', 'none'],
    runtimeState: (id) => {
      const [file, ...rest] = inNs([runtimePath, 'state', id])
      return runCommand(file!, rest, { env: { XDG_RUNTIME_DIR: '' }, timeoutMs: 20_000 })
    },
    async stop() {
      process.off('exit', killOnExit)
      await podman(['rm', '--all', '--force', '--time', '0'], { timeoutMs: 60_000 }).catch(() => undefined)
      const conmons = pidsWhoseArgvMentions(dir)
      for (const p of [...conmons, ...cgroupTreePids(cgroupParent)]) signal(p, 'SIGKILL')
      signal(holderPid, 'SIGKILL')
      for (let i = 0; i < 100 && (!holderExited || pidsWhoseArgvMentions(dir).length > 0); i++) await sleep(50)
      const left = removeCgroupTree(cgroupParent)
      const mounts = mountsUnder(dir)
      if (mounts.length > 0) throw new Error(`host mounts remain under ${dir}: ${mounts.join(', ')}`)
      rmSync(dir, { recursive: true, force: true })
      if (left.length > 0) throw new Error(`cgroups could not be removed: ${left.join(', ')}`)
    },
  }

  const info = await podman(['info', '--format', '{{.Host.OCIRuntime.Path}}'])
  if (info.code !== 0) {
    await instance.stop().catch(() => undefined)
    throw new Error(`podman info failed: ${info.stderr}${info.stdout}`)
  }
  return instance
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // gone
  }
}

/** Pids whose command line mentions `text` (conmon processes of this instance). */
function pidsWhoseArgvMentions(text: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((p) => {
    try {
      return p !== process.pid && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text)
    } catch {
      return false
    }
  })
}

