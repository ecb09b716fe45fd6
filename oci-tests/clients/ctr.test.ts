// containerd (ctr + containerd-shim-runc-v2) driving the runtime under test.
//   npx ava --serial oci-tests/clients/ctr.test.ts
//   TSRUN_TEST_RUNTIME=/usr/sbin/runc npx ava --serial oci-tests/clients/ctr.test.ts   (check the harness against runc)
import test from 'ava'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseCheckerReport } from '../../rootfs-fixtures/checker-report'
import { buildTestImages, busyboxImageRef, pauseImageRef } from '../images/build'
import { describeResult } from './command'
import { containerdMissingReason, startContainerd, type Containerd } from './containerd'
import { cgroupOf, cgroupValue, client, cmdline, commonSkipReason, isAlive, runtime, until, withTerminal } from './matrix'

const skipReason = commonSkipReason() ?? containerdMissingReason()
const op = client('containerd', skipReason)

let containerd: Containerd | undefined
const idPrefix = `tsrun-ctr-${process.pid}`

function running(): Containerd {
  if (!containerd) throw new Error('containerd did not start (see the before hook)')
  return containerd
}

test.before(async () => {
  if (skipReason !== null) return
  const images = await buildTestImages()
  containerd = await startContainerd()
  // One image per archive format, so both importers are exercised.
  await containerd.importImage(images.busybox.docker.path)
  await containerd.importImage(images.pause.oci.path)
})

test.after.always(async () => {
  await containerd?.stop()
})

interface TaskRow { id: string; pid: number; status: string }
async function tasks(): Promise<TaskRow[]> {
  const r = await running().ctr(['tasks', 'ls'])
  return r.stdout.split('\n').slice(1).filter(Boolean).map((l) => {
    const [id, pid, status] = l.trim().split(/\s+/) as [string, string, string]
    return { id, pid: Number(pid), status }
  })
}
const task = async (id: string) => (await tasks()).find((x) => x.id === id)
const taskStatus = async (id: string, status: string) => until(async () => ((await task(id))?.status === status ? true : undefined))

/** `ctr run -d` of a long-running container; returns its init pid. */
async function runDetached(id: string, args: string[]): Promise<number> {
  const cd = running()
  const r = await cd.ctr(['run', '-d', ...cd.runFlags(runtime, id), busyboxImageRef, id, ...args])
  if (r.code !== 0) throw new Error(describeResult('ctr run -d', r))
  const row = await until(async () => ((await task(id))?.status === 'RUNNING' ? task(id) : undefined))
  if (!row) throw new Error(`task ${id} is not RUNNING: ${JSON.stringify(await task(id))}`)
  return row.pid
}

/** Kills and deletes a task and its container (cleanup, ignoring errors). */
async function remove(id: string): Promise<void> {
  const cd = running()
  if (await task(id)) {
    await cd.ctr(['tasks', 'kill', '--signal', 'SIGKILL', '--all', id], { timeoutMs: 10_000 })
    await taskStatus(id, 'STOPPED')
  }
  await cd.ctr(['tasks', 'delete', '--force', id], { timeoutMs: 10_000 })
  await cd.ctr(['containers', 'delete', id], { timeoutMs: 10_000 })
}

const trapTerm = ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.1; done']

op('images import (docker-archive and OCI layout)', async (t) => {
  const r = await running().ctr(['images', 'ls', '-q'])
  t.is(r.code, 0, describeResult('ctr images ls', r))
  const names = r.stdout.split('\n')
  t.true(names.includes(busyboxImageRef), r.stdout)
  t.true(names.includes(pauseImageRef), r.stdout)
})

op('run --rm (output)', async (t) => {
  const cd = running()
  const id = `${idPrefix}-echo`
  const r = await cd.ctr(['run', '--rm', ...cd.runFlags(runtime, id), busyboxImageRef, id, 'echo', 'hi'])
  t.is(r.code, 0, describeResult('ctr run', r))
  t.is(r.stdout, 'hi\n', describeResult('ctr run', r))
})

op('run --rm (exit status)', async (t) => {
  const cd = running()
  const id = `${idPrefix}-exit3`
  const r = await cd.ctr(['run', '--rm', ...cd.runFlags(runtime, id), busyboxImageRef, id, 'sh', '-c', 'exit 3'])
  t.is(r.code, 3, describeResult('ctr run', r))
})

op('run --rm /checker (pid 1, fresh namespaces, fds 0-2)', async (t) => {
  const cd = running()
  const id = `${idPrefix}-checker`
  const r = await cd.ctr(['run', '--rm', ...cd.runFlags(runtime, id), busyboxImageRef, id, '/checker'])
  t.is(r.code, 0, describeResult('ctr run', r))
  const report = parseCheckerReport(r.stdout)
  t.is(report.pid, 1)
  t.is(report.cwd, '/')
  t.not(report.namespaces.pid, statSync('/proc/self/ns/pid').ino)
  t.not(report.namespaces.mnt, statSync('/proc/self/ns/mnt').ino)
  t.deepEqual(report.fds.map((f) => f.fd), [0, 1, 2], JSON.stringify(report.fds))
})

op('run -d (task RUNNING, in its cgroup)', async (t) => {
  const cd = running()
  const id = `${idPrefix}-detached`
  const pid = await runDetached(id, ['sleep', '1000'])
  t.true(isAlive(pid))
  t.truthy(await until(() => (cmdline(pid) === 'sleep\x001000\x00' ? true : undefined)), cmdline(pid))
  t.is(cgroupOf(pid, 'memory'), `${cd.cgroupParent}/${id}`)
  t.is(cgroupOf(pid, 'pids'), `${cd.cgroupParent}/${id}`)
  await remove(id)
})

op('task exec (output, exit status)', async (t) => {
  const cd = running()
  const id = `${idPrefix}-exec`
  await runDetached(id, ['sleep', '1000'])
  const r = await cd.ctr(['tasks', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'echo from-exec; exit 5'])
  t.is(r.code, 5, describeResult('ctr task exec', r))
  t.is(r.stdout, 'from-exec\n')
  t.is((await task(id))?.status, 'RUNNING')
  await remove(id)
})

op('task exec -t (terminal)', async (t) => {
  const cd = running()
  const id = `${idPrefix}-exec-tty`
  await runDetached(id, ['sleep', '1000'])
  const r = await withTerminal(['/usr/bin/ctr', '--address', cd.address, '--namespace', cd.namespace, 'tasks', 'exec', '-t', '--exec-id', 'e2', id, 'sh', '-c', 'tty; exit 4'], { timeoutMs: 30_000 })
  t.is(r.code, 4, describeResult('ctr task exec -t', r))
  t.regex(r.stdout, /\/dev\/pts\/\d+/)
  await remove(id)
})

op('task ps (init and exec pids)', async (t) => {
  const cd = running()
  const id = `${idPrefix}-ps`
  const pid = await runDetached(id, ['sh', '-c', 'sleep 1000 & exec sleep 1001'])
  const pids = await until(async () => {
    const r = await cd.ctr(['tasks', 'ps', id])
    const list = r.stdout.split('\n').slice(1).filter(Boolean).map((l) => Number(l.trim().split(/\s+/)[0]))
    return list.length === 2 ? list : undefined
  })
  t.truthy(pids, 'ctr task ps did not list 2 processes')
  t.true(pids?.includes(pid), JSON.stringify(pids))
  await remove(id)
})

op('task pause / resume (PAUSED, frozen, RUNNING)', async (t) => {
  const cd = running()
  const id = `${idPrefix}-pause`
  const pid = await runDetached(id, ['sleep', '1000'])
  const p = await cd.ctr(['tasks', 'pause', id])
  t.is(p.code, 0, describeResult('ctr task pause', p))
  t.is((await task(id))?.status, 'PAUSED')
  t.is(cgroupValue('freezer', `${cd.cgroupParent}/${id}`, 'freezer.state'), 'FROZEN')
  const r = await cd.ctr(['tasks', 'resume', id])
  t.is(r.code, 0, describeResult('ctr task resume', r))
  t.is((await task(id))?.status, 'RUNNING')
  t.is(cgroupValue('freezer', `${cd.cgroupParent}/${id}`, 'freezer.state'), 'THAWED')
  t.true(isAlive(pid))
  await remove(id)
})

op('task kill (SIGTERM reaches the trap; exit status 7)', async (t) => {
  const cd = running()
  const id = `${idPrefix}-kill`
  await runDetached(id, trapTerm)
  const k = await cd.ctr(['tasks', 'kill', id])
  t.is(k.code, 0, describeResult('ctr task kill', k))
  t.truthy(await taskStatus(id, 'STOPPED'), JSON.stringify(await task(id)))
  const d = await cd.ctr(['tasks', 'delete', id])
  t.is(d.code, 0, describeResult('ctr task delete', d))
  t.regex(d.stderr + d.stdout, /exit code 7/)
  await cd.ctr(['containers', 'delete', id])
})

op('task kill --all (every process gone)', async (t) => {
  const cd = running()
  const id = `${idPrefix}-killall`
  const pid = await runDetached(id, ['sh', '-c', 'sleep 1000 & sleep 1000 & exec sleep 1000'])
  const procs = `${cd.cgroupParent}/${id}`
  await until(() => (cgroupValue('pids', procs, 'cgroup.procs')?.split('\n').length === 3 ? true : undefined))
  const k = await cd.ctr(['tasks', 'kill', '--all', '--signal', 'SIGKILL', id])
  t.is(k.code, 0, describeResult('ctr task kill --all', k))
  t.truthy(await taskStatus(id, 'STOPPED'))
  t.false(isAlive(pid))
  t.is(cgroupValue('pids', procs, 'cgroup.procs') ?? '', '')
  await remove(id)
})

op('task delete + container delete (state, cgroups removed)', async (t) => {
  const cd = running()
  const id = `${idPrefix}-delete`
  await runDetached(id, ['sleep', '1000'])
  t.true(existsSync(join(cd.runcRoot, cd.namespace, id)), 'runtime state missing while running')
  await cd.ctr(['tasks', 'kill', '--signal', 'SIGKILL', id])
  t.truthy(await taskStatus(id, 'STOPPED'))
  const d = await cd.ctr(['tasks', 'delete', id])
  t.is(d.code, 0, describeResult('ctr task delete', d))
  const c = await cd.ctr(['containers', 'delete', id])
  t.is(c.code, 0, describeResult('ctr container delete', c))
  t.is(await task(id), undefined)
  t.false(existsSync(join(cd.runcRoot, cd.namespace, id)), 'runtime state remains')
  for (const h of ['memory', 'pids', 'freezer', 'cpu'])
    t.false(existsSync(`/sys/fs/cgroup/${h}${cd.cgroupParent}/${id}`), `${h} cgroup remains`)
})

op('run -t --rm (terminal, under script)', async (t) => {
  const cd = running()
  const id = `${idPrefix}-tty`
  const r = await withTerminal(['/usr/bin/ctr', '--address', cd.address, '--namespace', cd.namespace, 'run', '-t', '--rm', ...cd.runFlags(runtime, id), busyboxImageRef, id, 'sh', '-c', 'tty; test -t 0 && echo stdin-tty; exit 2'], { timeoutMs: 30_000 })
  t.is(r.code, 2, describeResult('ctr run -t', r))
  t.regex(r.stdout, /\/dev\/pts\/\d+\s+stdin-tty/)
  await remove(id)
})

op('nothing left behind (containers, tasks, mounts, runtime state)', async (t) => {
  const cd = running()
  const containers = await cd.ctr(['containers', 'ls', '-q'])
  t.is(containers.code, 0, describeResult('ctr c ls', containers))
  t.is(containers.stdout.trim(), '', 'containers remain')
  const tl = await cd.ctr(['tasks', 'ls', '-q'])
  t.is(tl.code, 0, describeResult('ctr t ls', tl))
  t.is(tl.stdout.trim(), '', 'tasks remain')
  t.deepEqual(cd.leftoverMounts(), [], `mounts remain under ${cd.dir}`)
  const stateDir = join(cd.runcRoot, cd.namespace)
  t.deepEqual(existsSync(stateDir) ? readdirSync(stateDir) : [], [], `runtime state remains in ${stateDir}`)
})
