// podman 4.3 + conmon driving the runtime under test (podman --runtime PATH, cgroupfs, file events).
//   npx ava --serial oci-tests/clients/podman.test.ts
//   TSRUN_TEST_RUNTIME=/usr/sbin/runc npx ava --serial oci-tests/clients/podman.test.ts
import test from 'ava'
import { buildTestImages, busyboxImageRef, pauseImageRef } from '../images/build'
import { cgroupTreePids } from './cgroup-tree'
import { describeResult } from './command'
import { cgroupOf, cgroupValue, client, cmdline, commonSkipReason, isAlive, runtime, until } from './matrix'
import { podmanMissingReason, startPodman, type Podman } from './podman'

const skipReason = commonSkipReason() ?? podmanMissingReason()
const op = client('podman', skipReason)

let pm: Podman | undefined
const prefix = `tsrun-pm-${process.pid}`

function running(): Podman {
  if (!pm) throw new Error('podman was not set up (see the before hook)')
  return pm
}

test.before(async () => {
  if (skipReason !== null) return
  const images = await buildTestImages()
  pm = await startPodman(runtime)
  for (const tar of [images.busybox.docker.path, images.pause.oci.path]) {
    const r = await pm.podman(['load', '-i', tar])
    if (r.code !== 0) throw new Error(describeResult(`podman load ${tar}`, r))
  }
})

test.after.always(async () => {
  await pm?.stop()
})

interface Inspect { Id: string; State: { Status: string; Running: boolean; Paused: boolean; Pid: number; ExitCode: number } }
async function inspect(name: string): Promise<Inspect | undefined> {
  const r = await running().podman(['inspect', '--type', 'container', name])
  if (r.code !== 0) return undefined
  return (JSON.parse(r.stdout) as Inspect[])[0]
}

/** Every container this file created: the last operation removes what a failed one left. */
const created = new Map<string, string | undefined>()

async function runDetached(name: string, args: string[]): Promise<Inspect> {
  const p = running()
  created.set(name, undefined)
  const r = await p.podman(['run', '-d', '--name', name, ...p.runFlags(), busyboxImageRef, ...args])
  if (r.code !== 0) throw new Error(describeResult('podman run -d', r))
  const st = await until(async () => ((await inspect(name))?.State.Running ? inspect(name) : undefined))
  if (!st) throw new Error(`${name} is not running: ${JSON.stringify((await inspect(name))?.State)}`)
  created.set(name, st.Id)
  return st
}

async function remove(name: string): Promise<void> {
  await running().podman(['rm', '--force', '--time', '0', name])
}

const runtimeStatus = async (id: string) => {
  const r = await running().runtimeState(id)
  return r.code === 0 ? (JSON.parse(r.stdout) as { status: string }).status : `error: ${r.stderr.trim()}`
}

const trapTerm = ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.1; done']

op('load (docker-archive and OCI layout)', async (t) => {
  const r = await running().podman(['images', '--format', '{{.Repository}}:{{.Tag}}'])
  t.is(r.code, 0, describeResult('podman images', r))
  t.true(r.stdout.split('\n').includes(busyboxImageRef), r.stdout)
  t.true(r.stdout.split('\n').includes(pauseImageRef), r.stdout)
})

op('run --rm (output)', async (t) => {
  const p = running()
  const r = await p.podman(['run', '--rm', ...p.runFlags(), busyboxImageRef, 'echo', 'hi'])
  t.is(r.code, 0, describeResult('podman run', r))
  t.is(r.stdout, 'hi\n')
})

op('run --rm (exit status)', async (t) => {
  const p = running()
  const r = await p.podman(['run', '--rm', ...p.runFlags(), busyboxImageRef, 'sh', '-c', 'exit 3'])
  t.is(r.code, 3, describeResult('podman run', r))
})

op('run --rm of a missing executable (exit 127)', async (t) => {
  const p = running()
  const r = await p.podman(['run', '--rm', ...p.runFlags(), busyboxImageRef, '/no/such/exe'])
  t.is(r.code, 127, describeResult('podman run', r))
})

op('run -d (running, in its cgroup, runtime state running)', async (t) => {
  const p = running()
  const name = `${prefix}-d`
  const st = await runDetached(name, ['sleep', '1000'])
  t.true(isAlive(st.State.Pid))
  t.truthy(await until(() => (cmdline(st.State.Pid) === 'sleep\x001000\x00' ? true : undefined)), cmdline(st.State.Pid))
  t.is(cgroupOf(st.State.Pid, 'memory'), `${p.cgroupParent}/libpod-${st.Id}`)
  t.is(await runtimeStatus(st.Id), 'running')
  await remove(name)
})

op('exec (output, exit status)', async (t) => {
  const p = running()
  const name = `${prefix}-exec`
  await runDetached(name, ['sleep', '1000'])
  const r = await p.podman(['exec', name, 'sh', '-c', 'echo from-exec; exit 5'])
  t.is(r.code, 5, describeResult('podman exec', r))
  t.is(r.stdout, 'from-exec\n')
  t.is((await inspect(name))?.State.Status, 'running')
  await remove(name)
})

op('exec -t (terminal)', async (t) => {
  const p = running()
  const name = `${prefix}-exec-tty`
  await runDetached(name, ['sleep', '1000'])
  const r = await p.podmanTty(['exec', '-t', name, 'sh', '-c', 'tty; exit 4'], { timeoutMs: 30_000 })
  t.is(r.code, 4, describeResult('podman exec -t', r))
  t.regex(r.stdout, /\/dev\/pts\/\d+/)
  await remove(name)
})

op('pause / unpause (paused in podman, runtime and freezer)', async (t) => {
  const p = running()
  const name = `${prefix}-pause`
  const st = await runDetached(name, ['sleep', '1000'])
  const cg = `${p.cgroupParent}/libpod-${st.Id}`
  const a = await p.podman(['pause', name])
  t.is(a.code, 0, describeResult('podman pause', a))
  t.is((await inspect(name))?.State.Status, 'paused')
  t.is(await runtimeStatus(st.Id), 'paused')
  t.is(cgroupValue('freezer', cg, 'freezer.state'), 'FROZEN')
  const b = await p.podman(['unpause', name])
  t.is(b.code, 0, describeResult('podman unpause', b))
  t.is((await inspect(name))?.State.Status, 'running')
  t.is(await runtimeStatus(st.Id), 'running')
  t.is(cgroupValue('freezer', cg, 'freezer.state'), 'THAWED')
  await remove(name)
})

op('update --memory --cpus (cgroup limits change)', async (t) => {
  const p = running()
  const name = `${prefix}-update`
  const st = await runDetached(name, ['sleep', '1000'])
  const cg = `${p.cgroupParent}/libpod-${st.Id}`
  const r = await p.podman(['update', '--memory', '64m', '--cpus', '0.5', name])
  t.is(r.code, 0, describeResult('podman update', r))
  t.is(cgroupValue('memory', cg, 'memory.limit_in_bytes'), String(64 * 1024 * 1024))
  t.is(cgroupValue('cpu', cg, 'cpu.cfs_quota_us'), '50000')
  await remove(name)
})

op('stop (SIGTERM reaches the process; exit code 7)', async (t) => {
  const p = running()
  const name = `${prefix}-stop`
  const st = await runDetached(name, trapTerm)
  const t0 = Date.now()
  const r = await p.podman(['stop', '--time', '5', name])
  t.is(r.code, 0, describeResult('podman stop', r))
  t.true(Date.now() - t0 < 4000, `stop took ${Date.now() - t0} ms: the TERM did not arrive`)
  const after = await inspect(name)
  t.is(after?.State.Status, 'exited')
  t.is(after?.State.ExitCode, 7)
  t.false(isAlive(st.State.Pid))
  await remove(name)
})

op('start (an exited container runs again)', async (t) => {
  const p = running()
  const name = `${prefix}-restart`
  await runDetached(name, ['sleep', '1000'])
  t.is((await p.podman(['stop', '--time', '0', name])).code, 0)
  const r = await p.podman(['start', name])
  t.is(r.code, 0, describeResult('podman start', r))
  const st = await until(async () => ((await inspect(name))?.State.Running ? inspect(name) : undefined))
  t.truthy(st, 'not running after start')
  t.true(isAlive(st?.State.Pid ?? 0))
  await remove(name)
})

op('rm (container and runtime state gone)', async (t) => {
  const p = running()
  const name = `${prefix}-rm`
  const st = await runDetached(name, ['sleep', '1000'])
  t.is((await p.podman(['stop', '--time', '0', name])).code, 0)
  const r = await p.podman(['rm', name])
  t.is(r.code, 0, describeResult('podman rm', r))
  t.is(await inspect(name), undefined)
  t.regex(await runtimeStatus(st.Id), /does not exist/)
})

op('rm -f of a running container', async (t) => {
  const p = running()
  const name = `${prefix}-rmf`
  const st = await runDetached(name, ['sleep', '1000'])
  const r = await p.podman(['rm', '--force', '--time', '0', name])
  t.is(r.code, 0, describeResult('podman rm -f', r))
  t.is(await inspect(name), undefined)
  t.false(isAlive(st.State.Pid))
  t.regex(await runtimeStatus(st.Id), /does not exist/)
})

op('run -t --rm (terminal, under script)', async (t) => {
  const p = running()
  const r = await p.podmanTty(['run', '-t', '--rm', ...p.runFlags(), busyboxImageRef, 'sh', '-c', 'tty; exit 2'], { timeoutMs: 30_000 })
  t.is(r.code, 2, describeResult('podman run -t', r))
  t.regex(r.stdout, /\/dev\/pts\/\d+/)
})

op('nothing left behind (containers, runtime state, processes in the cgroup parent)', async (t) => {
  const p = running()
  for (const name of created.keys()) await remove(name)
  for (const id of created.values()) if (id) t.regex(await runtimeStatus(id), /does not exist/, `runtime state of ${id} remains`)
  const r = await p.podman(['ps', '--all', '--quiet'])
  t.is(r.code, 0)
  t.is(r.stdout.trim(), '', 'containers remain')
  t.deepEqual(await until(() => (cgroupTreePids(p.cgroupParent).length === 0 ? [] : undefined), 5000), [], `processes remain: ${cgroupTreePids(p.cgroupParent).join(' ')}`)
})
