// openImageSource on OCI image layouts (directory and tar): resolving, platforms, names, and every
// way a blob can be wrong.
import test from 'ava'
import { join } from 'node:path'
import { decompressed } from '../../../src/image/compression'
import { formatPlatform } from '../../../src/image/platform'
import { openImageSource } from '../../../src/image/source'
import { ImageError, type ImageSource, type ResolvedImage } from '../../../src/image/types'
import {
  blob, desc, fileEntry, haveZstd, host, indexBlob, layerPart, layerTar, mt, ociImage, ociLayoutEntries, other, readAll,
  refAnnotations, tempDir, writeDir, writeTar, type TarEntry, type TestImage,
} from './source-fixtures'

const tmp = tempDir()
test.after.always(() => tmp.cleanup())
let n = 0
const tarPath = () => join(tmp.dir, `a${n++}.tar`)

async function ociTar(img: TestImage, name = 'docker.io/library/busybox:latest', extra: TarEntry[] = []): Promise<string> {
  return writeTar(tarPath(), [...ociLayoutEntries([desc(mt.manifest, img.manifest, { annotations: refAnnotations(name) })], img.blobs), ...extra])
}

/** Every layer's uncompressed tar, through open() and decompressed(). */
async function unpackAll(img: ResolvedImage): Promise<Buffer[]> {
  const out: Buffer[] = []
  for (const [i, l] of img.layers.entries()) out.push(await readAll(decompressed(l.open(), { expectedDiffId: l.diffId, label: `layer ${i + 1}` })))
  return out
}

async function withSource<T>(path: string, f: (s: ImageSource) => Promise<T>): Promise<T> {
  const s = await openImageSource(path)
  try {
    return await f(s)
  } finally {
    s.close()
  }
}

test('OCI layout tar: one image, two layers (plain and gzip), verified and unpacked', async (t) => {
  const tars = [await layerTar({ a: 'one' }), await layerTar({ b: 'two' })]
  const img = ociImage([layerPart(tars[0]!), layerPart(tars[1]!, 'gzip')])
  const path = await ociTar(img)
  await withSource(path, async (s) => {
    t.is(s.kind, 'oci-layout')
    t.deepEqual(s.names(), ['docker.io/library/busybox:latest'])
    const r = await s.resolve(undefined, host)
    t.is(r.id, img.manifest.digest)
    t.is(r.configDigest, img.config.digest)
    t.is(r.name, 'docker.io/library/busybox:latest')
    t.deepEqual(r.platform, { os: host.os, architecture: host.architecture, ...(host.variant ? { variant: host.variant } : {}) })
    t.deepEqual(r.layers.map((l) => [l.digest, l.size, l.mediaType, l.diffId]),
      img.layers.map((l) => [l.blob.digest, l.blob.content.length, l.mediaType, l.diffId]))
    t.deepEqual(await unpackAll(r), tars)
    // open() gives the stored (compressed) bytes
    t.deepEqual(await readAll(r.layers[1]!.open()), img.layers[1]!.blob.content)
  })
})

test('OCI layout directory', async (t) => {
  const tar = await layerTar({ hello: 'world' })
  const img = ociImage([layerPart(tar, 'gzip')])
  const dir = writeDir(join(tmp.dir, 'layout-dir'), ociLayoutEntries([desc(mt.manifest, img.manifest, { annotations: refAnnotations('busybox:1') })], img.blobs))
  await withSource(dir, async (s) => {
    t.is(s.kind, 'oci-layout')
    const r = await s.resolve('docker.io/library/busybox:1', host)
    t.is(r.id, img.manifest.digest)
    t.deepEqual(await unpackAll(r), [tar])
  })
})

;(haveZstd ? test : test.skip)(`zstd layer (application/vnd.oci.image.layer.v1.tar+zstd)${haveZstd ? '' : ' (skipped: the zstd CLI is not installed to make test data)'}`, async (t) => {
  const tar = await layerTar({ z: 'zstandard '.repeat(10000) })
  const img = ociImage([layerPart(tar, 'zstd')])
  await withSource(await ociTar(img), async (s) => {
    const r = await s.resolve(undefined, host)
    t.is(r.layers[0]!.mediaType, mt.layerZstd)
    t.deepEqual(await unpackAll(r), [tar])
  })
})

test('nested image index with two platforms: each can be picked; another platform is an error listing them', async (t) => {
  const tarA = await layerTar({ arch: 'host' })
  const tarB = await layerTar({ arch: 'other' })
  const a = ociImage([layerPart(tarA, 'gzip')], { platform: host })
  const b = ociImage([layerPart(tarB, 'gzip')], { platform: other })
  const inner = indexBlob([desc(mt.manifest, a.manifest, { platform: host }), desc(mt.manifest, b.manifest, { platform: other })])
  // an attestation manifest, as buildx writes, is not a platform
  const att = blob('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}')
  const outer = indexBlob([
    desc(mt.index, inner),
    desc(mt.manifest, att, { platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } }),
  ])
  const path = await writeTar(tarPath(), ociLayoutEntries(
    [desc(mt.index, outer, { annotations: refAnnotations('docker.io/library/multi:latest') })],
    [...a.blobs, ...b.blobs, inner, outer, att]))
  await withSource(path, async (s) => {
    const ra = await s.resolve('multi', host)
    t.is(ra.id, a.manifest.digest)
    t.is(ra.name, 'docker.io/library/multi:latest')
    t.deepEqual(await unpackAll(ra), [tarA])
    const rb = await s.resolve('multi', other)
    t.is(rb.id, b.manifest.digest)
    t.is(formatPlatform(rb.platform), formatPlatform(other))
    t.deepEqual(await unpackAll(rb), [tarB])
    // a nested manifest's digest names it too
    t.is((await s.resolve(b.manifest.digest, other)).id, b.manifest.digest)
    const want = { os: 'linux', architecture: 'mips64le' }
    const err = await t.throwsAsync(s.resolve(undefined, want), { instanceOf: ImageError })
    t.is(err?.message, `no image for linux/mips64le in ${path}: it has ${formatPlatform(host)}, ${formatPlatform(other)}`)
  })
})

test('variants: arm/v7 and arm/v6 are told apart; arm64 without a variant matches arm64/v8', async (t) => {
  const tar = await layerTar({ x: 'y' })
  const v6 = ociImage([layerPart(tar)], { platform: { os: 'linux', architecture: 'arm', variant: 'v6' } })
  const v7 = ociImage([layerPart(tar)], { platform: { os: 'linux', architecture: 'arm', variant: 'v7' } })
  const a64 = ociImage([layerPart(tar)], { platform: { os: 'linux', architecture: 'arm64' } })
  const index = indexBlob([
    desc(mt.manifest, v6.manifest, { platform: v6.platform }),
    desc(mt.manifest, v7.manifest, { platform: v7.platform }),
    desc(mt.manifest, a64.manifest, { platform: a64.platform }),
  ], mt.dockerList)
  const path = await writeTar(tarPath(), ociLayoutEntries([desc(mt.dockerList, index)], [...v6.blobs, ...v7.blobs, ...a64.blobs, index]))
  await withSource(path, async (s) => {
    t.is((await s.resolve(undefined, { os: 'linux', architecture: 'arm', variant: 'v7' })).id, v7.manifest.digest)
    t.is((await s.resolve(undefined, { os: 'linux', architecture: 'arm', variant: 'v6' })).id, v6.manifest.digest)
    t.is((await s.resolve(undefined, { os: 'linux', architecture: 'arm64', variant: 'v8' })).id, a64.manifest.digest)
    await t.throwsAsync(s.resolve(undefined, { os: 'linux', architecture: 'arm', variant: 'v5' }), {
      message: `no image for linux/arm/v5 in ${path}: it has linux/arm/v6, linux/arm/v7, linux/arm64`,
    })
  })
})

test('a single-platform image whose config names another platform is refused', async (t) => {
  const img = ociImage([layerPart(await layerTar({ x: '1' }))], { platform: other })
  const path = await ociTar(img)
  await withSource(path, async (s) => {
    await t.throwsAsync(s.resolve(undefined, host), { message: `no image for ${formatPlatform(host)} in ${path}: it has ${formatPlatform(other)}` })
    t.is((await s.resolve(undefined, other)).id, img.manifest.digest)
  })
})

test('names: full refs, tags only (ctr, docker), short forms, digests; several images need a name', async (t) => {
  const mk = async (s: string) => ociImage([layerPart(await layerTar({ name: s }))])
  const bb = await mk('busybox')
  const alp = await mk('alpine')
  const ctr = await mk('ctr')
  const unnamed = await mk('unnamed')
  const path = await writeTar(tarPath(), ociLayoutEntries([
    desc(mt.manifest, bb.manifest, { annotations: refAnnotations('docker.io/library/busybox:latest') }),
    desc(mt.manifest, alp.manifest, { annotations: refAnnotations('alpine:3') }),
    desc(mt.manifest, ctr.manifest, { annotations: { 'io.containerd.image.name': 'quay.io/ctr/app:1.0', 'org.opencontainers.image.ref.name': '1.0' } }),
    desc(mt.manifest, unnamed.manifest),
  ], [...bb.blobs, ...alp.blobs, ...ctr.blobs, ...unnamed.blobs]))
  await withSource(path, async (s) => {
    t.deepEqual(s.names(), ['docker.io/library/busybox:latest', 'alpine:3', 'quay.io/ctr/app:1.0', '1.0'])
    const id = async (ref: string) => (await s.resolve(ref, host)).id
    t.is(await id('busybox'), bb.manifest.digest)
    t.is(await id('busybox:latest'), bb.manifest.digest)
    t.is(await id('library/busybox'), bb.manifest.digest)
    t.is(await id('docker.io/library/alpine:3'), alp.manifest.digest)
    t.is(await id('alpine:3'), alp.manifest.digest)
    t.is(await id('quay.io/ctr/app:1.0'), ctr.manifest.digest)
    t.is(await id('1.0'), ctr.manifest.digest)
    t.is(await id(unnamed.manifest.digest), unnamed.manifest.digest)
    t.is(await id(`busybox@${bb.manifest.digest}`), bb.manifest.digest)
    t.is((await s.resolve('quay.io/ctr/app:1.0', host)).name, 'quay.io/ctr/app:1.0')
    t.is((await s.resolve(unnamed.manifest.digest, host)).name, undefined)
    await t.throwsAsync(s.resolve('alpine', host), { message: /no image named alpine: it has docker.io\/library\/busybox:latest, alpine:3, quay.io\/ctr\/app:1.0, sha256:/ })
    await t.throwsAsync(s.resolve(undefined, host), {
      message: `${path}: archive holds 4 images: name one of docker.io/library/busybox:latest, alpine:3, quay.io/ctr/app:1.0, ${unnamed.manifest.digest}`,
    })
    await t.throwsAsync(s.resolve(`sha256:${'0'.repeat(64)}`, host), { message: /no image with digest sha256:0{64}/ })
  })
})

test('a layer blob whose bytes are not its digest fails at the end of open()', async (t) => {
  const tar = await layerTar({ a: 'x' })
  const good = layerPart(tar)
  const bad = Buffer.from(good.blob.content)
  bad[600] = bad[600]! ^ 1 // same size, other bytes
  const img = ociImage([layerPart(await layerTar({ base: '0' })), good])
  img.blobs = img.blobs.map((b) => (b.digest === good.blob.digest ? { digest: b.digest, content: bad } : b))
  const path = await ociTar(img)
  await withSource(path, async (s) => {
    const r = await s.resolve(undefined, host)
    await t.notThrowsAsync(readAll(r.layers[0]!.open()))
    await t.throwsAsync(readAll(r.layers[1]!.open()), {
      instanceOf: ImageError,
      message: new RegExp(`^blob ${good.blob.digest} \\(layer 2 of 2\\): digest mismatch: got sha256:[0-9a-f]{64}, expected ${good.blob.digest}$`),
    })
  })
})

test('a layer blob of another size than its descriptor fails (early when longer)', async (t) => {
  const l = layerPart(await layerTar({ a: 'x' }))
  const shorter = ociImage([l], { layerDescs: (d) => d.map((x) => ({ ...x, size: x.size + 10 })) })
  const longer = ociImage([l], { layerDescs: (d) => d.map((x) => ({ ...x, size: x.size - 512 })) })
  for (const [img, message] of [
    [shorter, `blob ${l.blob.digest} (layer 1 of 1): size mismatch: got ${l.blob.content.length} bytes, expected ${l.blob.content.length + 10}`],
    [longer, `blob ${l.blob.digest} (layer 1 of 1): size mismatch: more than the declared ${l.blob.content.length - 512} bytes`],
  ] as const) {
    await withSource(await ociTar(img), async (s) => {
      const r = await s.resolve(undefined, host)
      await t.throwsAsync(readAll(r.layers[0]!.open()), { instanceOf: ImageError, message })
    })
  }
})

test('a config whose bytes are not its digest is refused before it is parsed', async (t) => {
  const img = ociImage([layerPart(await layerTar({ a: 'x' }))])
  const tampered = Buffer.from(img.config.content.toString().replace('"sh"', '"ls"'))
  img.blobs = img.blobs.map((b) => (b.digest === img.config.digest ? { digest: b.digest, content: tampered } : b))
  const path = await ociTar(img)
  await withSource(path, async (s) => {
    await t.throwsAsync(s.resolve(undefined, host), {
      message: new RegExp(`^${path}: config ${img.config.digest}: digest mismatch: got sha256:[0-9a-f]{64}, expected ${img.config.digest}$`),
    })
  })
})

test('a manifest of another size than its index.json descriptor is refused', async (t) => {
  const img = ociImage([layerPart(await layerTar({ a: 'x' }))])
  const path = await writeTar(tarPath(), ociLayoutEntries([{ ...desc(mt.manifest, img.manifest), size: img.manifest.content.length + 1 }], img.blobs))
  await withSource(path, async (s) => {
    await t.throwsAsync(s.resolve(undefined, host), {
      message: `${path}: manifest ${img.manifest.digest}: size mismatch: got ${img.manifest.content.length} bytes, expected ${img.manifest.content.length + 1}`,
    })
  })
})

test('uncompressed content that does not match the diff_id fails after decompression', async (t) => {
  const l = layerPart(await layerTar({ a: 'x' }), 'gzip')
  const wrong = layerPart(await layerTar({ a: 'y' })).diffId
  const img = ociImage([l], { diffIds: [wrong] })
  await withSource(await ociTar(img), async (s) => {
    const r = await s.resolve(undefined, host)
    await t.notThrowsAsync(readAll(r.layers[0]!.open())) // the blob itself is fine
    await t.throwsAsync(readAll(decompressed(r.layers[0]!.open(), { expectedDiffId: r.layers[0]!.diffId, label: 'layer 1' })), {
      instanceOf: ImageError,
      message: `layer 1: uncompressed content ${l.diffId} does not match diff_id ${wrong}`,
    })
  })
})

test('missing blobs: a layer, the config, the manifest', async (t) => {
  const l1 = layerPart(await layerTar({ a: '1' }))
  const l2 = layerPart(await layerTar({ a: '2' }))
  const img = ociImage([l1, l2])
  const without = (d: string) => ociLayoutEntries([desc(mt.manifest, img.manifest)], img.blobs.filter((b) => b.digest !== d))
  const cases: [string, string][] = [
    [l2.blob.digest, `missing blob ${l2.blob.digest} (layer 2 of 2)`],
    [img.config.digest, `missing blob ${img.config.digest} (config)`],
    [img.manifest.digest, `missing blob ${img.manifest.digest} (manifest)`],
  ]
  for (const [digest, message] of cases) {
    const path = await writeTar(tarPath(), without(digest))
    await withSource(path, async (s) => {
      await t.throwsAsync(s.resolve(undefined, host), { instanceOf: ImageError, message: `${path}: ${message}` })
    })
  }
})

test('more layers than diff_ids, nondistributable and unknown layer media types', async (t) => {
  const l1 = layerPart(await layerTar({ a: '1' }))
  const l2 = layerPart(await layerTar({ a: '2' }))
  const counts = ociImage([l1, l2], { diffIds: [l1.diffId] })
  let path = await ociTar(counts)
  await withSource(path, async (s) => {
    await t.throwsAsync(s.resolve(undefined, host), { message: `${path}: manifest ${counts.manifest.digest} has 2 layers but its config lists 1 diff_ids` })
  })
  const foreignType = 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip'
  const foreign = ociImage([l1], { layerDescs: (d) => d.map((x) => ({ ...x, mediaType: foreignType })) })
  path = await ociTar(foreign)
  await withSource(path, async (s) => {
    await t.throwsAsync(s.resolve(undefined, host), {
      message: `${path}: layer 1 of 1 (${l1.blob.digest}): nondistributable (foreign) layer of media type ${foreignType} is not supported`,
    })
  })
  const odd = ociImage([l1], { layerDescs: (d) => d.map((x) => ({ ...x, mediaType: 'application/vnd.example.layer+encrypted' })) })
  path = await ociTar(odd)
  await withSource(path, async (s) => {
    await t.throwsAsync(s.resolve(undefined, host), { message: /unsupported layer media type "application\/vnd.example.layer\+encrypted"/ })
  })
})

test('not an image archive; malformed layouts', async (t) => {
  let path = await writeTar(tarPath(), [fileEntry('hello.txt', 'hi')])
  await t.throwsAsync(openImageSource(path), {
    instanceOf: ImageError,
    message: `${path}: not an image archive: it has no manifest.json (docker-archive) nor oci-layout and index.json (OCI image layout)`,
  })
  path = await writeTar(tarPath(), [fileEntry('oci-layout', '{}'), fileEntry('index.json', '{"manifests":[]}')])
  await t.throwsAsync(openImageSource(path), { message: `${path}: oci-layout: no imageLayoutVersion` })
  path = await writeTar(tarPath(), [fileEntry('oci-layout', '{"imageLayoutVersion":"1.0.0"}'), fileEntry('index.json', '{"manifests":[]}')])
  await withSource(path, async (s) => {
    await t.throwsAsync(s.resolve(undefined, host), { message: `${path}: the archive holds no image` })
  })
  path = await writeTar(tarPath(), [fileEntry('oci-layout', '{"imageLayoutVersion":"1.0.0"}'), fileEntry('index.json', '{"manifests":[{"digest":"sha256:12"}]}')])
  await t.throwsAsync(openImageSource(path), { message: /index.json manifests\[0\]: digest: malformed digest "sha256:12"/ })
  await t.throwsAsync(openImageSource(join(tmp.dir, 'nope.tar')), { message: `${join(tmp.dir, 'nope.tar')}: no such file or directory` })
})

test('ctr export of one platform: the index lists others whose blobs are not in the archive', async (t) => {
  const a = ociImage([layerPart(await layerTar({ a: 'host' }))], { platform: host })
  const b = ociImage([layerPart(await layerTar({ b: 'other' }))], { platform: other })
  const index = indexBlob([desc(mt.manifest, b.manifest, { platform: other }), desc(mt.manifest, a.manifest, { platform: host })])
  const path = await writeTar(tarPath(), ociLayoutEntries(
    [desc(mt.index, index, { annotations: { 'io.containerd.image.name': 'docker.io/library/app:1', 'org.opencontainers.image.ref.name': '1' } })],
    [...a.blobs, index]))
  await withSource(path, async (s) => {
    t.deepEqual(s.names(), ['docker.io/library/app:1', '1'])
    const r = await s.resolve('app:1', host)
    t.is(r.id, a.manifest.digest)
    t.is(r.name, 'docker.io/library/app:1')
    await t.throwsAsync(s.resolve(undefined, other), {
      message: `no image for ${formatPlatform(other)} in ${path}: it has ${formatPlatform(host)} (listed, but not in the archive: ${formatPlatform(other)})`,
    })
  })
})
