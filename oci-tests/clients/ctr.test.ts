// containerd (ctr + containerd-shim-runc-v2) driving the runtime under test.
//   sudo npx ava oci-tests/clients/ctr.test.ts
//   TSRUN_TEST_RUNTIME=/usr/sbin/runc npx ava oci-tests/clients/ctr.test.ts   (check the harness against runc)
import test from 'ava'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseCheckerReport } from '../../rootfs-fixtures/checker-report'
import { buildTestImages, busyboxImageRef, pauseImageRef } from '../images/build'
import { describeResult } from './command'
import { containerdMissingReason, startContainerd, type Containerd } from './containerd'

const runtime = process.env.TSRUN_TEST_RUNTIME ?? resolve(__dirname, '..', '..', 'cmd', 'tsrun')
const skipReason = process.getuid?.() !== 0 ? 'requires root' : containerdMissingReason()
const serial = skipReason === null ? test.serial : test.serial.skip
const title = (name: string) => (skipReason === null ? name : `${name} (skipped: ${skipReason})`)

let containerd: Containerd | undefined
const idPrefix = `tsrun-ctr-${process.pid}`

function running(): Containerd {
  if (!containerd) throw new Error('containerd did not start (see the before hook)')
  return containerd
}

test.before(async () => {
  if (skipReason !== null) return
  if (!existsSync(runtime)) throw new Error(`runtime under test not found: ${runtime} (set TSRUN_TEST_RUNTIME or build tsrun)`)
  const images = await buildTestImages()
  containerd = await startContainerd()
  // One image per archive format, so both importers are exercised.
  await containerd.importImage(images.busybox.docker.path)
  await containerd.importImage(images.pause.oci.path)
})

test.after.always(async () => {
  await containerd?.stop()
})

serial(title('both archive formats import under their names'), async (t) => {
  const r = await running().ctr(['images', 'ls', '-q'])
  t.is(r.code, 0, describeResult('ctr images ls', r))
  const names = r.stdout.split('\n')
  t.true(names.includes(busyboxImageRef), r.stdout)
  t.true(names.includes(pauseImageRef), r.stdout)
})

serial(title('ctr run --rm echo hi'), async (t) => {
  const cd = running()
  const id = `${idPrefix}-echo`
  const r = await cd.ctr(['run', '--rm', ...cd.runFlags(runtime, id), busyboxImageRef, id, 'echo', 'hi'])
  t.is(r.code, 0, describeResult('ctr run', r))
  t.is(r.stdout, 'hi\n', describeResult('ctr run', r))
})

serial(title('ctr run --rm passes the exit status through'), async (t) => {
  const cd = running()
  const id = `${idPrefix}-exit3`
  const r = await cd.ctr(['run', '--rm', ...cd.runFlags(runtime, id), busyboxImageRef, id, 'sh', '-c', 'exit 3'])
  t.is(r.code, 3, describeResult('ctr run', r))
})

serial(title('ctr run /checker reports pid 1 in fresh namespaces'), async (t) => {
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

serial(title('nothing is left behind: containers, tasks, mounts, runtime state'), async (t) => {
  const cd = running()
  const containers = await cd.ctr(['containers', 'ls', '-q'])
  t.is(containers.code, 0, describeResult('ctr c ls', containers))
  t.is(containers.stdout.trim(), '', 'containers remain')
  const tasks = await cd.ctr(['tasks', 'ls', '-q'])
  t.is(tasks.code, 0, describeResult('ctr t ls', tasks))
  t.is(tasks.stdout.trim(), '', 'tasks remain')
  t.deepEqual(cd.leftoverMounts(), [], `mounts remain under ${cd.dir}`)
  const stateDir = join(cd.runcRoot, cd.namespace)
  t.deepEqual(existsSync(stateDir) ? readdirSync(stateDir) : [], [], `runtime state remains in ${stateDir}`)
})
