// containerd's CRI plugin (the kubelet's path: CRI gRPC → containerd → containerd-shim-runc-v2)
// driving the runtime under test as a CRI runtime handler, through a small CRI client
// (oci-tests/clients/cri/client.ts; Debian has no crictl). One pod sandbox (pause image, host
// network: there is no CNI) with a busybox container, through the whole pod lifecycle.
//   npx ava --serial oci-tests/clients/cri.test.ts
//   TSRUN_TEST_RUNTIME=/usr/sbin/runc npx ava --serial oci-tests/clients/cri.test.ts   (check the harness against runc)
import test, { type ExecutionContext } from 'ava'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { buildTestImages, busyboxImageRef, pauseImageRef } from '../images/build'
import { describeResult, runCommand } from './command'
import { containerdMissingReason, startContainerd, type Containerd } from './containerd'
import { connectCri, CriError, type ContainerConfig, type CriClient, type PodSandboxConfig } from './cri/client'
import { cgroupOf, cgroupValue, client, cmdline, commonSkipReason, isAlive, runtime, runtimeName, until } from './matrix'

const skipReason = commonSkipReason() ?? containerdMissingReason()
const op = client('cri', skipReason)

/** The CRI runtime handler (`runtimes.<handler>` in containerd's config): the runtime's basename. */
const handler = runtimeName.replace(/[^A-Za-z0-9_-]/g, '_')
const grpcNotFound = 5

let containerd: Containerd | undefined
let cri: CriClient | undefined
const uid = `${process.pid}-${Date.now().toString(36)}`

/** What the ops pass to each other; an op that needs something an earlier op failed to make throws. */
const pod: { id?: string; config?: PodSandboxConfig; pid?: number; app?: string; appPid?: number } = {}

function running(): { cd: Containerd; c: CriClient } {
  if (!containerd || !cri) throw new Error('containerd with CRI did not start (see the before hook)')
  return { cd: containerd, c: cri }
}
function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} is missing: an earlier operation failed`)
  return v
}

test.before(async () => {
  if (skipReason !== null) return
  const images = await buildTestImages()
  containerd = await startContainerd({ cri: { handler, runtimeBinary: runtime, sandboxImage: pauseImageRef } })
  // The CRI plugin only sees the k8s.io namespace (the instance's ctr uses it): one image per format.
  await containerd.importImage(images.pause.oci.path)
  await containerd.importImage(images.busybox.docker.path)
  const cd = containerd
  cri = await connectCri(cd.address).catch((e: unknown) => {
    const log = readFileSync(cd.logPath, 'utf8').split('\n').filter((l) => /cri|level=error/.test(l)).slice(-10).join('\n')
    throw new Error(`CRI endpoint did not answer: ${e instanceof Error ? e.message : String(e)}\ncontainerd log (${cd.logPath}):\n${log}`)
  })
})

test.after.always(async () => {
  // Best effort through CRI first (so its own mounts and state go), then the daemon and what is left.
  if (cri) {
    for (const s of await cri.listPodSandbox().catch(() => [])) {
      await cri.stopPodSandbox(s.id).catch(() => undefined)
      await cri.removePodSandbox(s.id).catch(() => undefined)
    }
    cri.close()
  }
  await containerd?.stop()
})

// ---- helpers

/** The JSON in a verbose status's info["info"] (containerd's CRI: pid, runtimeOptions, runtimeSpec...). */
function verboseInfo(info: Record<string, string>): { pid?: number; runtimeType?: string; runtimeOptions?: Record<string, unknown>; runtimeSpec?: { linux?: { cgroupsPath?: string; namespaces?: Array<{ type: string; path?: string }> } } } {
  return JSON.parse(info.info ?? '{}') as ReturnType<typeof verboseInfo>
}

/** `<runtime under test> --root <the shim's root> state <id>`: the runtime's own view of the container. */
async function runtimeState(cd: Containerd, id: string): Promise<{ status?: string; pid?: number; code: number; text: string }> {
  const r = await runCommand(runtime, ['--root', join(cd.runcRoot, cd.namespace), 'state', id], { timeoutMs: 20_000 })
  if (r.code !== 0) return { code: r.code, text: describeResult('state', r) }
  const s = JSON.parse(r.stdout) as { status?: string; pid?: number }
  return { ...s, code: 0, text: r.stdout }
}

const ns = (pid: number | 'self', kind: string) => statSync(`/proc/${pid}/ns/${kind}`).ino

/** Asserts that a CRI call rejects with NOT_FOUND. */
async function assertNotFound(t: ExecutionContext, what: string, p: Promise<unknown>): Promise<void> {
  const e = await p.then(() => undefined, (err: unknown) => err)
  t.true(e instanceof CriError && e.code === grpcNotFound, `${what}: expected NOT_FOUND, got ${e instanceof Error ? e.message : 'success'}`)
}

/** Asserts that containerd (k8s.io namespace) has no container and no task `id`. */
async function assertGoneFromContainerd(t: ExecutionContext, cd: Containerd, id: string): Promise<void> {
  const containers = await cd.ctr(['containers', 'ls', '-q'])
  t.is(containers.code, 0, describeResult('ctr c ls', containers))
  t.false(containers.stdout.split('\n').includes(id), `containerd still has container ${id}`)
  const tasks = await cd.ctr(['tasks', 'ls', '-q'])
  t.false(tasks.stdout.split('\n').includes(id), `containerd still has task ${id}`)
}

function assertCgroupsGone(t: ExecutionContext, path: string): void {
  for (const h of ['memory', 'pids', 'freezer', 'cpu', 'devices'])
    t.false(existsSync(`/sys/fs/cgroup/${h}${path}`), `${h} cgroup ${path} remains`)
}

function sandboxConfig(cd: Containerd): PodSandboxConfig {
  const logDirectory = join(cd.dir, 'pod-logs')
  mkdirSync(logDirectory, { recursive: true })
  return {
    metadata: { name: 'tsrun-pod', uid: `uid-${uid}`, namespace: 'tsrun-test', attempt: 0 },
    logDirectory,
    labels: { 'tsrun.test/pod': uid },
    annotations: { 'tsrun.test/note': 'cri pod' },
    linux: {
      cgroupParent: cd.cgroupParent,
      // as the kubelet asks for a hostNetwork pod: no CNI is needed
      securityContext: { namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } },
    },
  }
}

function containerConfig(name: string, command: string[], logPath?: string): ContainerConfig {
  return {
    metadata: { name, attempt: 0 },
    image: { image: busyboxImageRef },
    command,
    envs: [{ key: 'APP_ENV', value: 'from-cri' }],
    labels: { 'tsrun.test/container': name },
    annotations: { 'tsrun.test/note': `container ${name}` },
    ...(logPath ? { logPath } : {}),
    linux: { securityContext: { namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } },
  }
}

/** pid 1 is sh: SIGTERM runs the trap, which exits 7 (the background sleep dies with the pid namespace). */
const appCommand = ['sh', '-c', 'echo app started $APP_ENV; trap "exit 7" TERM; sleep 1000 & wait']

// ---- operations

op('Version, Status (runtime.v1, RuntimeReady)', async (t) => {
  const { c } = running()
  const v = await c.version()
  t.is(v.runtimeName, 'containerd')
  t.is(c.apiVersion, 'v1', `containerd answered CRI ${c.apiVersion}`)
  t.is(v.runtimeApiVersion, 'v1')
  const { conditions } = await c.status()
  const ready = conditions.find((x) => x.type === 'RuntimeReady')
  t.true(ready?.status, JSON.stringify(conditions))
  // no CNI configuration: NetworkReady is false, which only host-network pods tolerate
  t.false(conditions.find((x) => x.type === 'NetworkReady')?.status ?? true, JSON.stringify(conditions))
})

op('ImageStatus (busybox and pause images imported into k8s.io)', async (t) => {
  const { c } = running()
  for (const ref of [busyboxImageRef, pauseImageRef]) {
    const image = await until(async () => (await c.imageStatus(ref)) ?? undefined)
    t.truthy(image, `CRI does not see ${ref}`)
    t.true(image?.repoTags.includes(ref), JSON.stringify(image))
  }
})

op('RunPodSandbox (pause image: SANDBOX_READY, pause process in its cgroup, known to the runtime)', async (t) => {
  const { cd, c } = running()
  const config = sandboxConfig(cd)
  const id = await c.runPodSandbox(config, handler)
  pod.id = id
  pod.config = config
  t.regex(id, /^[0-9a-f]{64}$/)
  const { status, info } = await c.podSandboxStatus(id, true)
  t.is(status.state, 'SANDBOX_READY')
  t.is(status.runtimeHandler, handler)
  t.is(status.metadata?.name, 'tsrun-pod')
  t.is(status.labels['tsrun.test/pod'], uid)
  t.is(status.annotations['tsrun.test/note'], 'cri pod')
  t.is(status.linux?.namespaces?.options?.network, 'NODE')
  const vi = verboseInfo(info)
  t.is(vi.runtimeType, 'io.containerd.runc.v2')
  t.is((vi.runtimeOptions as { binary_name?: string } | undefined)?.binary_name, runtime, JSON.stringify(vi.runtimeOptions))
  const pid = need(vi.pid, 'sandbox pid')
  pod.pid = pid
  t.true(isAlive(pid), `pause pid ${pid} is not alive`)
  t.truthy(await until(() => (cmdline(pid) === 'sleep\x002147483647\x00' ? true : undefined)), JSON.stringify(cmdline(pid)))
  t.is(cgroupOf(pid, 'memory'), `${cd.cgroupParent}/${id}`)
  t.is(cgroupOf(pid, 'pids'), `${cd.cgroupParent}/${id}`)
  t.is(ns(pid, 'net'), ns('self', 'net'), 'host network expected')
  t.not(ns(pid, 'pid'), ns('self', 'pid'))
  t.not(ns(pid, 'ipc'), ns('self', 'ipc'))
  const st = await runtimeState(cd, id)
  t.is(st.code, 0, st.text)
  t.is(st.status, 'running', st.text)
  t.is(st.pid, pid, st.text)
})

op('CreateContainer (busybox: CONTAINER_CREATED)', async (t) => {
  const { cd, c } = running()
  const podId = need(pod.id, 'pod sandbox')
  const id = await c.createContainer(podId, containerConfig('app', appCommand, 'app.log'), need(pod.config, 'pod config'))
  pod.app = id
  t.regex(id, /^[0-9a-f]{64}$/)
  const { status } = await c.containerStatus(id)
  t.is(status.state, 'CONTAINER_CREATED')
  t.is(status.startedAt, '0')
  const list = await c.listContainers(podId)
  t.deepEqual(list.map((x) => x.id), [id])
  // containerd's CRI makes only the containerd container here; the runtime's create comes with StartContainer
  const containers = await cd.ctr(['containers', 'ls', '-q'])
  t.true(containers.stdout.split('\n').includes(id), describeResult('ctr c ls', containers))
  const tasks = await cd.ctr(['tasks', 'ls', '-q'])
  t.false(tasks.stdout.split('\n').includes(id), describeResult('ctr t ls', tasks))
})

op('StartContainer (CONTAINER_RUNNING; in its cgroup, sharing the sandbox IPC namespace; output in the CRI log)', async (t) => {
  const { cd, c } = running()
  const id = need(pod.app, 'container')
  await c.startContainer(id)
  const { status, info } = await c.containerStatus(id, true)
  t.is(status.state, 'CONTAINER_RUNNING')
  t.not(status.startedAt, '0')
  const pid = need(verboseInfo(info).pid, 'container pid')
  pod.appPid = pid
  t.true(isAlive(pid))
  t.regex(cmdline(pid), /^sh\0-c\0/)
  t.is(cgroupOf(pid, 'memory'), `${cd.cgroupParent}/${id}`)
  const sandboxPid = need(pod.pid, 'sandbox pid')
  t.is(ns(pid, 'ipc'), ns(sandboxPid, 'ipc'), 'IPC namespace (POD) not shared with the sandbox')
  t.not(ns(pid, 'pid'), ns(sandboxPid, 'pid'), 'PID namespace (CONTAINER) should be its own')
  t.is(ns(pid, 'net'), ns('self', 'net'), 'host network expected')
  t.not(ns(pid, 'mnt'), ns(sandboxPid, 'mnt'))
  const st = await runtimeState(cd, id)
  t.is(st.status, 'running', st.text)
  t.is(st.pid, pid, st.text)
  // the container's stdout went through the shim into the CRI log file (CRI log format)
  const log = join(need(pod.config?.logDirectory, 'log dir'), 'app.log')
  const line = await until(() => {
    const text = existsSync(log) ? readFileSync(log, 'utf8') : ''
    return / stdout F app started from-cri\n/.test(text) ? text : undefined
  })
  t.truthy(line, `log ${log}: ${existsSync(log) ? readFileSync(log, 'utf8') : 'missing'}`)
})

op('ExecSync (stdout, stderr, exit code; in the container)', async (t) => {
  const { c } = running()
  const id = need(pod.app, 'container')
  const r = await c.execSync(id, ['sh', '-c', 'echo out $APP_ENV; echo err >&2; exit 3'], 30)
  t.is(r.exitCode, 3)
  t.is(r.stdout.toString(), 'out from-cri\n')
  t.is(r.stderr.toString(), 'err\n')
  // the exec joined the container's pid namespace: its pid 1 is the container's sh
  const p1 = await c.execSync(id, ['cat', '/proc/1/cmdline'], 30)
  t.is(p1.exitCode, 0, p1.stderr.toString())
  t.regex(p1.stdout.toString(), /^sh\0-c\0echo app started/)
  const ok = await c.execSync(id, ['true'], 30)
  t.is(ok.exitCode, 0)
  t.is((await c.containerStatus(id)).status.state, 'CONTAINER_RUNNING')
})

op('ContainerStatus (running: state, metadata, labels, annotations, image)', async (t) => {
  const { c } = running()
  const id = need(pod.app, 'container')
  const { status } = await c.containerStatus(id)
  t.is(status.id, id)
  t.is(status.state, 'CONTAINER_RUNNING')
  t.is(status.metadata?.name, 'app')
  t.is(status.finishedAt, '0')
  t.is(status.exitCode, 0)
  t.is(status.labels['tsrun.test/container'], 'app')
  t.is(status.annotations['tsrun.test/note'], 'container app')
  t.is(status.image?.image, busyboxImageRef)
  t.regex(status.imageRef, /sha256:[0-9a-f]{64}/)
  t.true(isAlive(need(pod.appPid, 'container pid')))
})

op('StopContainer (SIGTERM reaches the trap: CONTAINER_EXITED, exit code 7, within the grace period)', async (t) => {
  const { cd, c } = running()
  const id = need(pod.app, 'container')
  const t0 = Date.now()
  await c.stopContainer(id, 20)
  const took = Date.now() - t0
  const { status } = await c.containerStatus(id)
  t.is(status.state, 'CONTAINER_EXITED')
  t.is(status.exitCode, 7, `reason ${status.reason} ${status.message}`)
  t.not(status.finishedAt, '0')
  t.true(took < 15_000, `StopContainer took ${took} ms: TERM did not reach the trap`)
  t.false(isAlive(need(pod.appPid, 'container pid')))
  t.is(cgroupValue('pids', `${cd.cgroupParent}/${id}`, 'cgroup.procs') ?? '', '')
  // the sandbox is unaffected
  t.true(isAlive(need(pod.pid, 'sandbox pid')))
  t.is((await c.podSandboxStatus(need(pod.id, 'pod'))).status.state, 'SANDBOX_READY')
})

op('RemoveContainer (gone from CRI, containerd, the runtime, the cgroups)', async (t) => {
  const { cd, c } = running()
  const id = need(pod.app, 'container')
  await c.removeContainer(id)
  await assertNotFound(t, 'ContainerStatus after RemoveContainer', c.containerStatus(id))
  t.deepEqual((await c.listContainers(need(pod.id, 'pod'))).map((x) => x.id), [])
  await assertGoneFromContainerd(t, cd, id)
  t.false(existsSync(join(cd.runcRoot, cd.namespace, id)), 'runtime state remains')
  assertCgroupsGone(t, `${cd.cgroupParent}/${id}`)
  // idempotent, as the CRI requires
  await t.notThrowsAsync(c.removeContainer(id))
})

op('StopContainer after the grace period (TERM ignored by pid 1: SIGKILL, exit code 137)', async (t) => {
  const { cd, c } = running()
  const podId = need(pod.id, 'pod sandbox')
  const id = await c.createContainer(podId, containerConfig('stubborn', ['sleep', '1000']), need(pod.config, 'pod config'))
  await c.startContainer(id)
  const pid = need(verboseInfo((await c.containerStatus(id, true)).info).pid, 'container pid')
  t.truthy(await until(() => (cmdline(pid) === 'sleep\x001000\x00' ? true : undefined)))
  const t0 = Date.now()
  await c.stopContainer(id, 1)
  const took = Date.now() - t0
  const { status } = await c.containerStatus(id)
  t.is(status.state, 'CONTAINER_EXITED')
  t.is(status.exitCode, 137, `reason ${status.reason} ${status.message}`)
  t.true(took >= 900, `StopContainer returned after ${took} ms, before the 1 s grace period`)
  t.false(isAlive(pid))
  await c.removeContainer(id)
  await assertNotFound(t, 'ContainerStatus after RemoveContainer', c.containerStatus(id))
  t.false(existsSync(join(cd.runcRoot, cd.namespace, id)), 'runtime state remains')
  assertCgroupsGone(t, `${cd.cgroupParent}/${id}`)
})

op('StopPodSandbox (SANDBOX_NOTREADY, pause process gone)', async (t) => {
  const { c } = running()
  const id = need(pod.id, 'pod sandbox')
  await c.stopPodSandbox(id)
  const { status } = await c.podSandboxStatus(id)
  t.is(status.state, 'SANDBOX_NOTREADY')
  t.false(isAlive(need(pod.pid, 'sandbox pid')))
  // idempotent, as the CRI requires
  await t.notThrowsAsync(c.stopPodSandbox(id))
})

op('RemovePodSandbox (gone from CRI, containerd, the runtime, the cgroups; no mounts left)', async (t) => {
  const { cd, c } = running()
  const id = need(pod.id, 'pod sandbox')
  await c.removePodSandbox(id)
  await assertNotFound(t, 'PodSandboxStatus after RemovePodSandbox', c.podSandboxStatus(id))
  t.deepEqual((await c.listPodSandbox()).map((s) => s.id), [])
  await assertGoneFromContainerd(t, cd, id)
  t.false(existsSync(join(cd.runcRoot, cd.namespace, id)), 'runtime state remains')
  assertCgroupsGone(t, `${cd.cgroupParent}/${id}`)
  t.deepEqual(cd.leftoverMounts().filter((m) => m.includes(id)), [], 'sandbox mounts (shm, rootfs) remain')
  await t.notThrowsAsync(c.removePodSandbox(id))
})

op('nothing left behind (containers, tasks, mounts, runtime state)', async (t) => {
  const { cd } = running()
  const containers = await cd.ctr(['containers', 'ls', '-q'])
  t.is(containers.code, 0, describeResult('ctr c ls', containers))
  t.is(containers.stdout.trim(), '', 'containers remain')
  const tl = await cd.ctr(['tasks', 'ls', '-q'])
  t.is(tl.stdout.trim(), '', 'tasks remain')
  t.deepEqual(cd.leftoverMounts(), [], `mounts remain under ${cd.dir}`)
  const stateDir = join(cd.runcRoot, cd.namespace)
  t.deepEqual(existsSync(stateDir) ? readdirSync(stateDir) : [], [], `runtime state remains in ${stateDir}`)
})
