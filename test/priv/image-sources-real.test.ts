// Archives written by a real tool: the test images are loaded into a private podman store, saved back
// as docker-archive, oci-archive and oci-dir (and a multi-image docker-archive), and every one is opened,
// resolved and read through with each layer verified.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestImages, busyboxImageRef, defaultImagesDir, pauseImageRef } from '../../oci-tests/images/build'
import { decompressed } from '../../src/image/compression'
import { hostPlatform } from '../../src/image/platform'
import { openImageSource } from '../../src/image/source'
import type { ImageSource, ResolvedImage } from '../../src/image/types'
import { requires, rootReason } from './harness'

const podmanMissing = spawnSync('podman', ['--version']).status === 0 ? null : 'podman is not installed'
const r = requires(rootReason ?? podmanMissing)
const t0 = r.ok ? test.serial : test.serial.skip

let dir = ''
const podman = (args: string[]) => {
  const out = spawnSync('podman', ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs',
    '--events-backend', 'file', ...args], { encoding: 'utf8', timeout: 120_000 })
  if (out.status !== 0) throw new Error(`podman ${args.join(' ')}: ${out.stderr}`)
  return out.stdout
}

test.before(async () => {
  if (!r.ok) return
  dir = mkdtempSync(join(tmpdir(), 'tsrun-podman-images-'))
  const input = (n: string) => join(defaultImagesDir, n)
  if (!['busybox.docker.tar', 'pause.oci.tar'].every((n) => existsSync(input(n)))) await buildTestImages()
  podman(['load', '-i', input('busybox.docker.tar')])
  podman(['load', '-i', input('pause.oci.tar')])
})
test.after.always(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function readThrough(img: ResolvedImage): Promise<number> {
  let bytes = 0
  for (const [i, l] of img.layers.entries()) {
    for await (const c of decompressed(l.open(), { expectedDiffId: l.diffId, label: `layer ${i + 1}` })) bytes += (c as Buffer).length
  }
  return bytes
}

async function check(t: import('ava').ExecutionContext, path: string, ref: string, kind: ImageSource['kind']): Promise<void> {
  const s = await openImageSource(path)
  try {
    t.is(s.kind, kind, path)
    t.true(s.names().includes(ref), `${path}: ${s.names().join(', ')}`)
    for (const q of [ref, ref.replace('docker.io/library/', '').replace(':latest', ''), undefined]) {
      const img = await s.resolve(q, hostPlatform())
      t.is(img.name, ref)
      t.is(img.layers.length, img.config.rootfs.diff_ids.length)
      t.true(img.layers.length > 0)
      t.true((await readThrough(img)) > 1_000_000, `${path}: layers read`)
    }
  } finally {
    s.close()
  }
}

t0(r.title('podman save: docker-archive, oci-archive, oci-dir of the busybox and pause test images'), async (t) => {
  for (const ref of [busyboxImageRef, pauseImageRef]) {
    const base = join(dir, ref.includes('busybox') ? 'busybox' : 'pause')
    podman(['save', '--format', 'docker-archive', '-o', `${base}.docker.tar`, ref])
    podman(['save', '--format', 'oci-archive', '-o', `${base}.oci.tar`, ref])
    podman(['save', '--format', 'oci-dir', '-o', `${base}.oci-dir`, ref])
    await check(t, `${base}.docker.tar`, ref, 'docker-archive')
    await check(t, `${base}.oci.tar`, ref, 'oci-layout')
    await check(t, `${base}.oci-dir`, ref, 'oci-layout')
  }
  // the inputs themselves
  await check(t, join(defaultImagesDir, 'busybox.docker.tar'), busyboxImageRef, 'docker-archive')
  await check(t, join(defaultImagesDir, 'pause.oci.tar'), pauseImageRef, 'oci-layout')
})

t0(r.title('podman save --multi-image-archive: two images, picked by name'), async (t) => {
  const path = join(dir, 'multi.tar')
  podman(['save', '--multi-image-archive', '--format', 'docker-archive', '-o', path, busyboxImageRef, pauseImageRef])
  const s = await openImageSource(path)
  try {
    t.deepEqual(new Set(s.names()), new Set([busyboxImageRef, pauseImageRef]))
    await t.throwsAsync(s.resolve(undefined, hostPlatform()), { message: new RegExp(`^${path}: archive holds 2 images: name one of `) })
    const busybox = await s.resolve('tsrun-busybox', hostPlatform())
    const pause = await s.resolve('tsrun-pause:latest', hostPlatform())
    t.deepEqual(busybox.config.config?.Cmd, ['sh'])
    t.deepEqual(pause.config.config?.Cmd, ['sleep', '2147483647'])
    t.true((await readThrough(pause)) > 1_000_000)
  } finally {
    s.close()
  }
})
