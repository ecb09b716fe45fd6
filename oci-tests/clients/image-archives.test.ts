// Image archives written by real tools, run by tsrun alone (`tsrun run --image`): podman save (docker-archive,
// oci-archive, oci-dir) and docker save from dockerd 20.10. Each is unpacked into a private layer store, and a
// container from it sees the image's files.
//   npx ava --serial oci-tests/clients/image-archives.test.ts
import test from 'ava'
import { mkdtempSync, readdirSync, rmdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestImages, busyboxImageRef } from '../images/build'
import { describeResult, runCommand } from './command'
import { dockerMissingReason, startDocker, type Docker } from './docker'
import { cgroupLeftovers } from '../../test/priv/harness'
import { mountsUnder } from './host-mounts'
import { client, commonSkipReason, runtime, runtimeName } from './matrix'
import { podmanMissingReason, startPodman, type Podman } from './podman'

const notTsrun = runtimeName === 'tsrun' ? null : `run --image is a tsrun feature (runtime under test: ${runtime})`
const podmanSkip = commonSkipReason() ?? notTsrun ?? podmanMissingReason()
const dockerSkip = commonSkipReason() ?? notTsrun ?? dockerMissingReason()
const pm = client('images from podman save', podmanSkip)
const dk = client('images from docker save', dockerSkip)
const all = client('images', commonSkipReason() ?? notTsrun)

const dir = mkdtempSync(join(tmpdir(), 'tsrun-image-archives-'))
const store = join(dir, 'store'), root = join(dir, 'state')
const cgroupParent = `/tsrun-images-${process.pid}`
let podman: Podman | undefined
let docker: Docker | undefined
let n = 0

test.before(async () => {
  if (podmanSkip !== null && dockerSkip !== null) return
  const images = await buildTestImages(join(dir, 'built'), join(dir, 'rootfs'))
  if (podmanSkip === null) {
    podman = await startPodman(runtime)
    const r = await podman.podman(['load', '-i', images.busybox.docker.path])
    if (r.code !== 0) throw new Error(describeResult('podman load', r))
  }
  if (dockerSkip === null) {
    docker = await startDocker(runtime)
    const r = await docker.docker(['load', '-i', images.busybox.docker.path])
    if (r.code !== 0) throw new Error(describeResult('docker load', r))
  }
})

test.after.always(async () => {
  await podman?.stop()
  await docker?.stop()
  for (const p of cgroupLeftovers(cgroupParent)) try { rmdirSync(p) } catch { /* busy: reported by the last test */ }
  rmSync(dir, { recursive: true, force: true })
})

/** `tsrun run --image SRC ID sh -c SCRIPT` in the private store; returns its result. */
async function runImage(src: string, script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const id = `img-${process.pid}-${n++}`
  return runCommand(runtime, ['--root', root, 'run', '--image', src, '--store', store, '--cgroups-path', `${cgroupParent}/${id}`, id, 'sh', '-c', script], { timeoutMs: 120_000 })
}

const CHECK = 'ls /bin/busybox /checker && head -1 /etc/passwd && echo "$PATH"'
function expectBusybox(t: import('ava').ExecutionContext, r: { code: number; stdout: string; stderr: string }): void {
  t.is(r.code, 0, r.stderr)
  t.deepEqual(r.stdout.trim().split('\n'), ['/bin/busybox', '/checker', 'root:x:0:0:root:/root:/bin/sh', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'])
}

for (const format of ['docker-archive', 'oci-archive', 'oci-dir'] as const) {
  pm(`${format} runs with tsrun run --image`, async (t) => {
    const out = join(dir, `podman-${format}${format === 'oci-dir' ? '' : '.tar'}`)
    const s = await podman!.podman(['save', '--format', format, '-o', out, busyboxImageRef])
    t.is(s.code, 0, describeResult('podman save', s))
    expectBusybox(t, await runImage(out, CHECK))
  })
}

dk('docker save (dockerd 20.10) runs with tsrun run --image', async (t) => {
  const out = join(dir, 'docker-save.tar')
  const s = await docker!.docker(['save', '-o', out, busyboxImageRef.replace(/^docker\.io\/library\//, '')])
  t.is(s.code, 0, describeResult('docker save', s))
  expectBusybox(t, await runImage(out, CHECK))
})

all('one layer in the store for all of them, and nothing left behind', async (t) => {
  const layers = readdirSync(join(store, 'layers')).filter((x) => /^[0-9a-f]{64}$/.test(x))
  t.is(layers.length, 1, 'every archive carries the same layer: unpacked once')
  const ls = await runCommand(runtime, ['image', 'ls', '--format', 'json', '--store', store])
  t.is(ls.code, 0, ls.stderr)
  t.true((JSON.parse(ls.stdout) as unknown[]).length >= 1)
  const list = await runCommand(runtime, ['--root', root, 'list', '-q'])
  t.is(list.stdout.trim(), '', 'no container left')
  t.deepEqual(readdirSync(join(store, 'containers')), [], 'no bundle left')
  t.deepEqual(mountsUnder(dir), [])
  t.deepEqual(cgroupLeftovers(cgroupParent).flatMap((p) => readdirSync(p, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(p, e.name))), [],
    'no container cgroup left')
})
