// A private containerd for client tests: its own root, state, sockets, runc root, FIFO dir and
// cgroup parent under one temporary directory, running in its own mount namespace so that no
// snapshot or rootfs mount can leak into the host's. Stopped by pid; nothing else is touched.
import { startDaemon } from './daemon'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { cgroupTreePids, removeCgroupTree } from './cgroup-tree'
import { runCommand, type CommandOptions, type CommandResult } from './command'
import { mountsUnder, unmountUnder } from './host-mounts'

export const containerdBinary = '/usr/bin/containerd'
export const ctrBinary = '/usr/bin/ctr'
export const shimBinary = '/usr/bin/containerd-shim-runc-v2'
export const containerdNamespace = 'tsrun-test'
/** The containerd namespace the CRI plugin keeps its images, sandboxes and containers in (fixed). */
export const criNamespace = 'k8s.io'

/** Enables containerd's CRI plugin (off by default) with private directories and one runtime handler. */
export interface CriOptions {
  /** the CRI runtime handler name: `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.<handler>]` */
  handler: string
  /** its `options.BinaryName` (runtime_type is io.containerd.runc.v2) */
  runtimeBinary: string
  /** `sandbox_image`: must already be in the k8s.io namespace (import it; there is no registry) */
  sandboxImage: string
}

export interface ContainerdOptions {
  /** enable the CRI plugin; then `namespace` (ctr, importImage, cleanup) is k8s.io */
  cri?: CriOptions
}

export interface Containerd {
  /** the private directory holding everything below */
  dir: string
  pid: number
  /** gRPC socket, for `ctr --address` */
  address: string
  namespace: string
  logPath: string
  /** the CRI settings when the plugin is enabled (the CRI endpoint is `address`) */
  cri?: CriOptions
  /** runc `--root` for the containers (pass with `ctr run --runc-root`) */
  runcRoot: string
  /** where `ctr run` puts stdio FIFOs (`--fifo-dir`) */
  fifoDir: string
  /** cgroup path prefix unique to this instance, e.g. "/tsrun-test-1234-ab12" */
  cgroupParent: string
  /** `ctr --address … -n tsrun-test ARGS…` */
  ctr(args: string[], opts?: CommandOptions): Promise<CommandResult>
  /** `ctr images import`; throws on failure; returns ctr's output */
  importImage(tarPath: string): Promise<string>
  /** The flags `ctr run` needs to use `runtime` with this instance's private paths. */
  runFlags(runtime: string, id: string): string[]
  /** Mounts under `dir`, seen from the host and from containerd's mount namespace. */
  leftoverMounts(): string[]
  /** Kills what is left (tasks, containerd, its shims), unmounts, removes `dir` and the cgroups. */
  stop(): Promise<void>
}

/** Why containerd client tests cannot run here, or null when they can. */
export function containerdMissingReason(): string | null {
  for (const bin of [containerdBinary, ctrBinary, shimBinary]) {
    if (!existsSync(bin)) return `${bin} is missing (apt-get install containerd)`
  }
  if (!existsSync('/usr/bin/unshare')) return '/usr/bin/unshare is missing (apt-get install util-linux)'
  return null
}

function configToml(dir: string, runcRoot: string, cri: CriOptions | undefined): string {
  return [
    'version = 2',
    `root = "${dir}/root"`,
    `state = "${dir}/state"`,
    cri ? 'disabled_plugins = []' : 'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '',
    '[grpc]',
    `  address = "${dir}/containerd.sock"`,
    '',
    '[ttrpc]',
    `  address = "${dir}/containerd.sock.ttrpc"`,
    '',
    '[debug]',
    '  level = "info"',
    '',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = "${dir}/opt"`,
    '',
    ...(cri ? criToml(dir, runcRoot, cri) : []),
  ].join('\n')
}

/**
 * The CRI plugin's section. Its own root and state live under containerd's private root/state.
 * No network: the CNI directories are private and empty, so pods must use the host network
 * (NamespaceOption network NODE), for which the CRI plugin never calls CNI. Sandboxes ask for
 * oom_score_adj -998, which needs CAP_SYS_RESOURCE (root lacks it here): restrict_oom_score_adj
 * clamps it to our own score. No TCP streaming service is needed (ExecSync only).
 */
function criToml(dir: string, runcRoot: string, cri: CriOptions): string[] {
  const q = JSON.stringify
  const section = 'plugins."io.containerd.grpc.v1.cri"'
  return [
    `[${section}]`,
    `  sandbox_image = ${q(cri.sandboxImage)}`,
    '  restrict_oom_score_adj = true',
    '  disable_tcp_service = true',
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    '  enable_selinux = false',
    '  disable_apparmor = true',
    '  max_concurrent_downloads = 1',
    '',
    `[${section}.containerd]`,
    '  snapshotter = "overlayfs"',
    `  default_runtime_name = ${q(cri.handler)}`,
    '',
    `[${section}.containerd.runtimes.${cri.handler}]`,
    '  runtime_type = "io.containerd.runc.v2"',
    '',
    `[${section}.containerd.runtimes.${cri.handler}.options]`,
    `  BinaryName = ${q(cri.runtimeBinary)}`,
    `  Root = ${q(runcRoot)}`,
    '',
    `[${section}.cni]`,
    `  bin_dir = "${dir}/cni/bin"`,
    `  conf_dir = "${dir}/cni/conf.d"`,
    '',
  ]
}

export async function startContainerd(opts: ContainerdOptions = {}): Promise<Containerd> {
  const missing = containerdMissingReason()
  if (missing) throw new Error(missing)
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-containerd-'))
  const address = join(dir, 'containerd.sock')
  const logPath = join(dir, 'containerd.log')
  const runcRoot = join(dir, 'runc')
  const fifoDir = join(dir, 'fifo')
  const cgroupParent = `/tsrun-test-${process.pid}-${dir.slice(-6)}`
  for (const sub of [runcRoot, fifoDir]) mkdirSync(sub, { mode: 0o700 })
  if (opts.cri) for (const sub of ['cni/bin', 'cni/conf.d']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 })
  const namespace = opts.cri ? criNamespace : containerdNamespace
  const configPath = join(dir, 'config.toml')
  writeFileSync(configPath, configToml(dir, runcRoot, opts.cri))

  const daemon = startDaemon(containerdBinary, ['--config', configPath], logPath)
  const { pid } = daemon

  const ctr = (args: string[], opts?: CommandOptions) =>
    runCommand(ctrBinary, ['--address', address, '--namespace', namespace, ...args], opts)

  const logTail = () => readFileSync(logPath, 'utf8').split('\n').slice(-20).join('\n')

  const shimPids = (): number[] =>
    readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((p) => {
        try {
          const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')
          return argv[0]?.includes('containerd-shim') === true && argv.includes(address)
        } catch {
          return false
        }
      })

  const instance: Containerd = {
    dir,
    pid,
    address,
    namespace,
    logPath,
    cri: opts.cri,
    runcRoot,
    fifoDir,
    cgroupParent,
    ctr,
    async importImage(tarPath) {
      const r = await ctr(['images', 'import', tarPath], { timeoutMs: 120_000 })
      if (r.code !== 0) throw new Error(`ctr images import ${tarPath}: exit ${r.code}\n${r.stderr}${r.stdout}`)
      return r.stdout
    },
    runFlags(runtime, id) {
      return ['--runc-binary', runtime, '--runc-root', runcRoot, '--fifo-dir', fifoDir, '--cgroup', `${cgroupParent}/${id}`]
    },
    leftoverMounts() {
      return [...new Set([...mountsUnder(dir), ...(daemon.exited() ? [] : mountsUnder(dir, pid))])]
    },
    async stop() {
      daemon.release()
      if (!daemon.exited()) await removeAllTasks(ctr)
      await killAndWait([pid], () => !daemon.exited())
      await killAndWait(shimPids(), undefined)
      await killAndWait(cgroupTreePids(cgroupParent), undefined)
      const stuck = unmountUnder(dir)
      const cgroupsLeft = removeCgroupTree(cgroupParent)
      if (stuck.length > 0) throw new Error(`mounts remain under ${dir}, not removing it: ${stuck.join(', ')}`)
      rmSync(dir, { recursive: true, force: true })
      if (cgroupsLeft.length > 0) throw new Error(`cgroups could not be removed: ${cgroupsLeft.join(', ')}`)
    },
  }

  // Wait for the socket to answer.
  const deadline = Date.now() + 20_000
  for (;;) {
    if (daemon.exited()) throw new Error(`containerd exited during startup; log ${logPath}:\n${logTail()}`)
    if (existsSync(address) && (await ctr(['version'], { timeoutMs: 5_000 })).code === 0) return instance
    if (Date.now() > deadline) {
      await instance.stop().catch(() => undefined)
      throw new Error(`containerd did not answer on ${address} within 20 s; log:\n${logTail()}`)
    }
    await sleep(100)
  }
}

/** Best effort: kill and delete every task, then delete every container, in our namespace. */
async function removeAllTasks(ctr: Containerd['ctr']): Promise<void> {
  const ids = async (kind: 'tasks' | 'containers') => {
    const r = await ctr([kind, 'ls', '-q'], { timeoutMs: 10_000 })
    return r.code === 0 ? r.stdout.split('\n').filter((s) => s !== '') : []
  }
  for (const id of await ids('tasks')) {
    await ctr(['tasks', 'kill', '--signal', 'SIGKILL', '--all', id], { timeoutMs: 10_000 })
    await ctr(['tasks', 'delete', '--force', id], { timeoutMs: 10_000 })
  }
  for (const id of await ids('containers')) await ctr(['containers', 'delete', id], { timeoutMs: 10_000 })
}

/** SIGTERM (for `alive` given) or SIGKILL each pid, and wait until they are gone. */
async function killAndWait(pids: number[], alive: (() => boolean) | undefined): Promise<void> {
  const isAlive = (p: number) => (alive ? alive() : existsSync(`/proc/${p}`) && !isZombie(p))
  const signal = (p: number, sig: NodeJS.Signals) => {
    try {
      process.kill(p, sig)
    } catch {
      // already gone
    }
  }
  for (const p of pids) signal(p, alive ? 'SIGTERM' : 'SIGKILL')
  for (let waited = 0; pids.some(isAlive); waited += 50) {
    if (waited === 10_000) pids.filter(isAlive).forEach((p) => signal(p, 'SIGKILL'))
    if (waited > 20_000) throw new Error(`processes did not exit: ${pids.filter(isAlive).join(' ')}`)
    await sleep(50)
  }
}

function isZombie(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z')
  } catch {
    return true
  }
}
