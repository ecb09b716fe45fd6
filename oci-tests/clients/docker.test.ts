// dockerd 20.10 (through its managed containerd and containerd-shim-runc-v2) driving the runtime
// under test, added with --add-runtime.
//   npx ava --serial oci-tests/clients/docker.test.ts
//   TSRUN_TEST_RUNTIME=/usr/sbin/runc npx ava --serial oci-tests/clients/docker.test.ts
import test from 'ava'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { buildTestImages, busyboxImageRef, pauseImageRef } from '../images/build'
import { cgroupTreePids } from './cgroup-tree'
import { describeResult } from './command'
import { dockerMissingReason, startDocker, type Docker } from './docker'
import { cgroupOf, cgroupValue, client, cmdline, commonSkipReason, isAlive, runtime, until } from './matrix'

const skipReason = commonSkipReason() ?? dockerMissingReason()
const op = client('docker', skipReason)

let dk: Docker | undefined
const prefix = `tsrun-dk-${process.pid}`
/** docker 20.10 names images without the docker.io/library/ prefix */
const image = busyboxImageRef.replace(/^docker\.io\/library\//, '')

function running(): Docker {
  if (!dk) throw new Error('dockerd did not start (see the before hook)')
  return dk
}

test.before(async () => {
  if (skipReason !== null) return
  const images = await buildTestImages()
  dk = await startDocker(runtime)
  // docker 20.10 loads docker-archive tars only (not OCI layouts)
  for (const tar of [images.busybox.docker.path, images.pause.docker.path]) {
    const r = await dk.docker(['load', '-i', tar])
    if (r.code !== 0) throw new Error(describeResult(`docker load ${tar}`, r))
  }
})

test.after.always(async () => {
  await dk?.stop()
})

interface Inspect { Id: string; RestartCount: number; State: { Status: string; Running: boolean; Paused: boolean; Pid: number; ExitCode: number; StartedAt: string } }
async function inspect(name: string): Promise<Inspect | undefined> {
  const r = await running().docker(['inspect', '--type', 'container', name])
  if (r.code !== 0) return undefined
  return (JSON.parse(r.stdout) as Inspect[])[0]
}

const created = new Map<string, string | undefined>()

async function runDetached(name: string, args: string[]): Promise<Inspect> {
  const d = running()
  created.set(name, undefined)
  const r = await d.docker(['run', '-d', '--name', name, ...d.runFlags(), image, ...args])
  if (r.code !== 0) throw new Error(describeResult('docker run -d', r))
  const st = await until(async () => ((await inspect(name))?.State.Running ? inspect(name) : undefined))
  if (!st) throw new Error(`${name} is not running: ${JSON.stringify((await inspect(name))?.State)}`)
  created.set(name, st.Id)
  return st
}

const remove = async (name: string) => running().docker(['rm', '-f', name])
/** The shim's runtime state directory of a container (docker's runtime root, namespace moby). */
const stateDir = (id: string) => join(running().runtimeRoot, 'moby', id)
const trapTerm = ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.1; done']

op('load (docker-archive)', async (t) => {
  const r = await running().docker(['images', '--format', '{{.Repository}}:{{.Tag}}'])
  t.is(r.code, 0, describeResult('docker images', r))
  t.true(r.stdout.split('\n').includes(`${image}`), r.stdout)
  t.true(r.stdout.split('\n').includes(pauseImageRef.replace(/^docker\.io\/library\//, '')), r.stdout)
})

op('run --rm (output)', async (t) => {
  const d = running()
  const r = await d.docker(['run', '--rm', ...d.runFlags(), image, 'echo', 'hi'])
  t.is(r.code, 0, describeResult('docker run', r))
  t.is(r.stdout, 'hi\n')
})

op('run --rm (exit status)', async (t) => {
  const d = running()
  const r = await d.docker(['run', '--rm', ...d.runFlags(), image, 'sh', '-c', 'exit 3'])
  t.is(r.code, 3, describeResult('docker run', r))
})

op('run --rm of a missing executable (exit 127)', async (t) => {
  const d = running()
  const r = await d.docker(['run', '--rm', ...d.runFlags(), image, '/no/such/exe'])
  t.is(r.code, 127, describeResult('docker run', r))
})

op('run -d (running, in its cgroup, prestart hook ran)', async (t) => {
  const d = running()
  const name = `${prefix}-d`
  const st = await runDetached(name, ['sleep', '1000'])
  t.true(isAlive(st.State.Pid))
  t.truthy(await until(() => (cmdline(st.State.Pid) === 'sleep\x001000\x00' ? true : undefined)), cmdline(st.State.Pid))
  t.is(cgroupOf(st.State.Pid, 'memory'), `${d.cgroupParent}/${st.Id}`)
  t.true(existsSync(stateDir(st.Id)), `no runtime state in ${stateDir(st.Id)}`)
  await remove(name)
})

op('exec (output, exit status)', async (t) => {
  const d = running()
  const name = `${prefix}-exec`
  await runDetached(name, ['sleep', '1000'])
  const r = await d.docker(['exec', name, 'sh', '-c', 'echo from-exec; exit 5'])
  t.is(r.code, 5, describeResult('docker exec', r))
  t.is(r.stdout, 'from-exec\n')
  t.true((await inspect(name))?.State.Running)
  await remove(name)
})

op('exec -t (terminal)', async (t) => {
  const d = running()
  const name = `${prefix}-exec-tty`
  await runDetached(name, ['sleep', '1000'])
  const r = await d.dockerTty(['exec', '-t', name, 'sh', '-c', 'tty; exit 4'], { timeoutMs: 30_000 })
  t.is(r.code, 4, describeResult('docker exec -t', r))
  t.regex(r.stdout, /\/dev\/pts\/\d+/)
  await remove(name)
})

op('pause / unpause (paused, frozen, running)', async (t) => {
  const d = running()
  const name = `${prefix}-pause`
  const st = await runDetached(name, ['sleep', '1000'])
  const cg = `${d.cgroupParent}/${st.Id}`
  const a = await d.docker(['pause', name])
  t.is(a.code, 0, describeResult('docker pause', a))
  t.true((await inspect(name))?.State.Paused)
  t.is(cgroupValue('freezer', cg, 'freezer.state'), 'FROZEN')
  const b = await d.docker(['unpause', name])
  t.is(b.code, 0, describeResult('docker unpause', b))
  t.false((await inspect(name))?.State.Paused)
  t.is(cgroupValue('freezer', cg, 'freezer.state'), 'THAWED')
  await remove(name)
})

op('update --memory --cpus (cgroup limits change)', async (t) => {
  const d = running()
  const name = `${prefix}-update`
  const st = await runDetached(name, ['sleep', '1000'])
  const cg = `${d.cgroupParent}/${st.Id}`
  const r = await d.docker(['update', '--memory', '64m', '--memory-swap', '128m', '--cpus', '0.5', name])
  t.is(r.code, 0, describeResult('docker update', r))
  t.is(cgroupValue('memory', cg, 'memory.limit_in_bytes'), String(64 * 1024 * 1024))
  t.is(cgroupValue('cpu', cg, 'cpu.cfs_quota_us'), '50000')
  await remove(name)
})

op('stop (SIGTERM reaches the process; exit code 7)', async (t) => {
  const d = running()
  const name = `${prefix}-stop`
  const st = await runDetached(name, trapTerm)
  const t0 = Date.now()
  const r = await d.docker(['stop', '-t', '5', name])
  t.is(r.code, 0, describeResult('docker stop', r))
  t.true(Date.now() - t0 < 4000, `stop took ${Date.now() - t0} ms: the TERM did not arrive`)
  const after = await inspect(name)
  t.is(after?.State.Status, 'exited')
  t.is(after?.State.ExitCode, 7)
  t.false(isAlive(st.State.Pid))
  await remove(name)
})

op('restart (a new process, running again)', async (t) => {
  const d = running()
  const name = `${prefix}-restart`
  const before = await runDetached(name, trapTerm)
  const r = await d.docker(['restart', '-t', '5', name])
  t.is(r.code, 0, describeResult('docker restart', r))
  const after = await until(async () => {
    const st = await inspect(name)
    return st?.State.Running && st.State.Pid !== before.State.Pid ? st : undefined
  })
  t.truthy(after, `not running again: ${JSON.stringify((await inspect(name))?.State)}`)
  t.true(isAlive(after?.State.Pid ?? 0))
  t.false(isAlive(before.State.Pid))
  t.not(after?.State.StartedAt, before.State.StartedAt)
  await remove(name)
})

op('rm -f of a running container (gone, with its runtime state and cgroup)', async (t) => {
  const d = running()
  const name = `${prefix}-rmf`
  const st = await runDetached(name, ['sleep', '1000'])
  const r = await d.docker(['rm', '-f', name])
  t.is(r.code, 0, describeResult('docker rm -f', r))
  t.is(await inspect(name), undefined)
  t.false(isAlive(st.State.Pid))
  t.truthy(await until(() => (existsSync(stateDir(st.Id)) ? undefined : true)), 'runtime state remains')
  t.false(existsSync(`/sys/fs/cgroup/memory${d.cgroupParent}/${st.Id}`), 'cgroup remains')
})

op('run -t --rm (terminal, under script)', async (t) => {
  const d = running()
  const r = await d.dockerTty(['run', '-t', '--rm', ...d.runFlags(), image, 'sh', '-c', 'tty; exit 2'], { timeoutMs: 30_000 })
  t.is(r.code, 2, describeResult('docker run -t', r))
  t.regex(r.stdout, /\/dev\/pts\/\d+/)
})

op('nothing left behind (containers, runtime state, processes in the cgroup parent)', async (t) => {
  const d = running()
  for (const name of created.keys()) await remove(name)
  for (const id of created.values()) if (id) t.false(existsSync(stateDir(id)), `runtime state of ${id} remains`)
  const r = await d.docker(['ps', '-aq'])
  t.is(r.code, 0)
  t.is(r.stdout.trim(), '', 'containers remain')
  t.deepEqual(await until(() => (cgroupTreePids(d.cgroupParent).length === 0 ? [] : undefined), 5000), [], `processes remain: ${cgroupTreePids(d.cgroupParent).join(' ')}`)
})
