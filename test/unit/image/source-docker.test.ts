// openImageSource on docker-archive tars: `docker save` before 25 (with a shared layer as a symlink and
// the legacy files), 25 and later (manifest.json beside an OCI layout), and containerd exports with
// gzip layers behind manifest.json.
import test from 'ava'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { decompressed } from '../../../src/image/compression'
import { formatPlatform } from '../../../src/image/platform'
import { openImageSource, type OpenOptions } from '../../../src/image/source'
import { ImageError, type ImageSource, type ResolvedImage } from '../../../src/image/types'
import {
  configBlob, desc, dirEntry, fileEntry, hex, host, layerPart, layerTar, mt, ociImage, ociLayoutEntries, other, readAll,
  tempDir, writeDir, writeTar, type TarEntry,
} from './source-fixtures'

const tmp = tempDir()
test.after.always(() => tmp.cleanup())
let n = 0
const tarPath = () => join(tmp.dir, `d${n++}.tar`)

async function withSource<T>(path: string, f: (s: ImageSource) => Promise<T>, opts?: OpenOptions): Promise<T> {
  const s = await openImageSource(path, opts)
  try {
    return await f(s)
  } finally {
    s.close()
  }
}

async function unpackAll(img: ResolvedImage): Promise<Buffer[]> {
  const out: Buffer[] = []
  for (const [i, l] of img.layers.entries()) out.push(await readAll(decompressed(l.open(), { expectedDiffId: l.diffId, label: `layer ${i + 1}` })))
  return out
}

const v1id = (i: number) => `${String(i).repeat(64)}`.slice(0, 64)
const symlink = (name: string, linkname: string): TarEntry => ({ header: { name, type: 'symlink', linkname, mode: 0o777 } })

/** `docker save` before Docker 25: <id>/layer.tar, <id>/json, <id>/VERSION, <config hex>.json, repositories. */
async function oldStyle(tars: Buffer[], opts: { repoTags?: string[]; dupOf?: Record<number, number>; platform?: typeof host; diffIds?: string[] } = {}) {
  const diffIds = opts.diffIds ?? tars.map((t) => layerPart(t).diffId)
  const config = configBlob(diffIds, opts.platform ?? host)
  const entries: TarEntry[] = []
  const layerPaths: string[] = []
  for (const [i, tar] of tars.entries()) {
    const id = v1id(i + 1)
    layerPaths.push(`${id}/layer.tar`)
    entries.push(dirEntry(id), fileEntry(`${id}/VERSION`, '1.0'), fileEntry(`${id}/json`, JSON.stringify({ id })))
    const dup = opts.dupOf?.[i]
    entries.push(dup === undefined ? fileEntry(`${id}/layer.tar`, tar) : symlink(`${id}/layer.tar`, `../${v1id(dup + 1)}/layer.tar`))
  }
  const repoTags = opts.repoTags ?? ['busybox:latest']
  entries.push(fileEntry(`${hex(config.digest)}.json`, config.content))
  entries.push(fileEntry('manifest.json', JSON.stringify([{ Config: `${hex(config.digest)}.json`, RepoTags: repoTags, Layers: layerPaths }])))
  entries.push(fileEntry('repositories', JSON.stringify({ busybox: { latest: v1id(tars.length) } })))
  return { entries, config, layerPaths }
}

test('docker save (< 25): a layer shared as a symlink, legacy files ignored, short RepoTags', async (t) => {
  const a = await layerTar({ a: 'base' })
  const b = await layerTar({ b: 'middle' })
  const { entries, config } = await oldStyle([a, b, a], { dupOf: { 2: 0 } })
  const path = await writeTar(tarPath(), entries)
  await withSource(path, async (s) => {
    t.is(s.kind, 'docker-archive')
    t.deepEqual(s.names(), ['busybox:latest'])
    for (const ref of [undefined, 'busybox', 'busybox:latest', 'docker.io/library/busybox:latest', config.digest]) {
      const r = await s.resolve(ref, host)
      t.is(r.id, config.digest)
      t.is(r.configDigest, config.digest)
      t.is(r.name, 'busybox:latest')
    }
    const r = await s.resolve(undefined, host)
    t.is(formatPlatform(r.platform), formatPlatform(host))
    // no descriptor: an uncompressed layer's digest is its diff ID
    t.deepEqual(r.layers.map((l) => [l.digest, l.diffId, l.size, l.mediaType]), [a, b, a].map((x) => {
      const p = layerPart(x)
      return [p.diffId, p.diffId, x.length, mt.layer]
    }))
    t.deepEqual(await unpackAll(r), [a, b, a])
    await t.throwsAsync(s.resolve('alpine', host), { message: `${path}: no image named alpine: it has busybox:latest` })
  })
})

test('docker save (< 25): a tampered layer fails its diff ID; a tampered config is refused', async (t) => {
  const a = await layerTar({ a: 'base' })
  const { entries, config, layerPaths } = await oldStyle([a])
  const bad = Buffer.from(a)
  bad[520] = bad[520]! ^ 0xff
  const diffId = layerPart(a).diffId
  let path = await writeTar(tarPath(), entries.map((e) => (e.header.name === layerPaths[0] ? fileEntry(e.header.name, bad) : e)))
  await withSource(path, async (s) => {
    const r = await s.resolve(undefined, host)
    await t.throwsAsync(readAll(r.layers[0]!.open()), {
      instanceOf: ImageError,
      message: new RegExp(`^blob ${diffId} \\(layer 1 of 1: ${layerPaths[0]}\\): digest mismatch: got sha256:[0-9a-f]{64}, expected ${diffId}$`),
    })
  })
  const configName = `${hex(config.digest)}.json`
  path = await writeTar(tarPath(), entries.map((e) => (e.header.name === configName ? fileEntry(configName, config.content.toString().replace('sh', 'ls')) : e)))
  await t.throwsAsync(openImageSource(path), { message: new RegExp(`^${path}: config ${configName}: digest mismatch: got sha256:[0-9a-f]{64}, expected ${config.digest}$`) })
})

test('docker save (< 25): layer count, missing layer, other platform, empty manifest.json, symlink out of the archive', async (t) => {
  const a = await layerTar({ a: 'base' })
  const b = await layerTar({ b: 'two' })
  let { entries } = await oldStyle([a, b], { diffIds: [layerPart(a).diffId] })
  let path = await writeTar(tarPath(), entries)
  await withSource(path, async (s) => {
    await t.throwsAsync(s.resolve(undefined, host), { message: `${path}: manifest.json[0] has 2 layers but its config lists 1 diff_ids` })
  })
  const old = await oldStyle([a, b])
  path = await writeTar(tarPath(), old.entries.filter((e) => e.header.name !== old.layerPaths[1]))
  await withSource(path, async (s) => {
    await t.throwsAsync(s.resolve(undefined, host), { message: `${path}: missing layer ${old.layerPaths[1]} (layer 2 of 2)` })
  })
  ;({ entries } = await oldStyle([a], { platform: other }))
  path = await writeTar(tarPath(), entries)
  await withSource(path, async (s) => {
    await t.throwsAsync(s.resolve(undefined, host), { message: `no image for ${formatPlatform(host)} in ${path}: it has ${formatPlatform(other)}` })
  })
  path = await writeTar(tarPath(), [fileEntry('manifest.json', '[]')])
  await t.throwsAsync(openImageSource(path), { instanceOf: ImageError, message: `${path}: manifest.json lists no images` })
  const esc = await oldStyle([a, b], { dupOf: { 1: 0 } })
  path = await writeTar(tarPath(), esc.entries.map((e) => (e.header.name === esc.layerPaths[1] ? symlink(e.header.name, '../../etc/passwd') : e)))
  await withSource(path, async (s) => {
    await t.throwsAsync(s.resolve(undefined, host), { message: `${path}: symlink ${esc.layerPaths[1]} -> ../../etc/passwd leads outside the archive` })
  })
})

test('docker save (< 25): several images in one archive need a name', async (t) => {
  const a = await oldStyle([await layerTar({ a: '1' })], { repoTags: ['busybox:latest', 'busybox:1'] })
  const bTar = await layerTar({ b: '2' })
  const bConfig = configBlob([layerPart(bTar).diffId])
  const manifest = [
    ...(JSON.parse(a.entries.find((e) => e.header.name === 'manifest.json')!.content!.toString()) as object[]),
    { Config: `${hex(bConfig.digest)}.json`, RepoTags: ['quay.io/x/alpine:3'], Layers: ['bb/layer.tar'] },
  ]
  const path = await writeTar(tarPath(), [
    ...a.entries.filter((e) => e.header.name !== 'manifest.json'),
    fileEntry('bb/layer.tar', bTar), fileEntry(`${hex(bConfig.digest)}.json`, bConfig.content),
    fileEntry('manifest.json', JSON.stringify(manifest)),
  ])
  await withSource(path, async (s) => {
    t.deepEqual(s.names(), ['busybox:latest', 'busybox:1', 'quay.io/x/alpine:3'])
    await t.throwsAsync(s.resolve(undefined, host), { message: `${path}: archive holds 2 images: name one of busybox:latest, quay.io/x/alpine:3` })
    const r = await s.resolve('docker.io/library/busybox:1', host)
    t.is(r.id, a.config.digest)
    t.is(r.name, 'busybox:1')
    t.is((await s.resolve('quay.io/x/alpine:3', host)).id, bConfig.digest)
    t.deepEqual(await unpackAll(await s.resolve('quay.io/x/alpine:3', host)), [bTar])
  })
})

test('docker save (>= 25): manifest.json beside an OCI layout; either can be read', async (t) => {
  const a = await layerTar({ a: '1' })
  const b = await layerTar({ b: '2' })
  const img = ociImage([layerPart(a), layerPart(b)])
  const manifestJson = [{
    Config: `blobs/sha256/${hex(img.config.digest)}`,
    RepoTags: ['busybox:latest'],
    Layers: img.layers.map((l) => `blobs/sha256/${hex(l.blob.digest)}`),
  }]
  const entries = [
    ...ociLayoutEntries([desc(mt.manifest, img.manifest, {
      annotations: { 'io.containerd.image.name': 'docker.io/library/busybox:latest', 'org.opencontainers.image.ref.name': 'latest' },
    })], img.blobs),
    fileEntry('manifest.json', JSON.stringify(manifestJson)),
  ]
  const path = await writeTar(tarPath(), entries)
  await withSource(path, async (s) => {
    t.is(s.kind, 'oci-layout')
    t.deepEqual(s.names(), ['docker.io/library/busybox:latest', 'latest'])
    const r = await s.resolve('busybox', host)
    t.is(r.id, img.manifest.digest)
    t.is(r.name, 'docker.io/library/busybox:latest')
    t.deepEqual(await unpackAll(r), [a, b])
  })
  await withSource(path, async (s) => {
    t.is(s.kind, 'docker-archive')
    t.deepEqual(s.names(), ['busybox:latest'])
    const r = await s.resolve('busybox', host)
    t.is(r.id, img.config.digest)
    t.deepEqual(r.layers.map((l) => l.digest), img.layers.map((l) => l.blob.digest))
    t.deepEqual(await unpackAll(r), [a, b])
  }, { prefer: 'docker-archive' })
  // a broken index.json falls back to manifest.json
  const broken = await writeTar(tarPath(), entries.map((e) => (e.header.name === 'index.json' ? fileEntry('index.json', '{') : e)))
  await withSource(broken, async (s) => t.is(s.kind, 'docker-archive'))
  // the same layout unpacked in a directory
  const dir = writeDir(join(tmp.dir, 'docker25-dir'), entries)
  await withSource(dir, async (s) => t.deepEqual(await unpackAll(await s.resolve(undefined, host)), [a, b]), { prefer: 'docker-archive' })
})

test('containerd export: gzip layers behind manifest.json are verified by blob digest and diff ID', async (t) => {
  const a = await layerTar({ a: '1'.repeat(5000) })
  const l = layerPart(a, 'gzip')
  const config = configBlob([l.diffId])
  const path = await writeTar(tarPath(), [
    fileEntry(`blobs/sha256/${hex(config.digest)}`, config.content),
    fileEntry(`blobs/sha256/${hex(l.blob.digest)}`, l.blob.content),
    fileEntry('manifest.json', JSON.stringify([{ Config: `blobs/sha256/${hex(config.digest)}`, RepoTags: ['docker.io/library/app:1'], Layers: [`blobs/sha256/${hex(l.blob.digest)}`] }])),
  ])
  await withSource(path, async (s) => {
    const r = await s.resolve('app:1', host)
    t.deepEqual(r.layers.map((x) => [x.digest, x.diffId, x.mediaType, x.size]), [[l.blob.digest, l.diffId, mt.layerGzip, l.blob.content.length]])
    t.deepEqual(await unpackAll(r), [a])
  })
  // an old-style <id>/layer.tar that is gzip: its digest is computed, the diff ID checked after gunzip
  const old = await oldStyle([a])
  const gz = gzipSync(a)
  const oldPath = await writeTar(tarPath(), old.entries.map((e) => (e.header.name === old.layerPaths[0] ? fileEntry(e.header.name, gz) : e)))
  await withSource(oldPath, async (s) => {
    const r = await s.resolve(undefined, host)
    t.is(r.layers[0]!.mediaType, mt.layerGzip)
    t.deepEqual(await readAll(r.layers[0]!.open()), gz)
    t.deepEqual(await unpackAll(r), [a])
  })
})

test('foreign layers named in LayerSources are refused with their media type', async (t) => {
  const a = await layerTar({ a: '1' })
  const { entries } = await oldStyle([a])
  const foreignType = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'
  const diffId = layerPart(a).diffId
  const path = await writeTar(tarPath(), entries.map((e) => {
    if (e.header.name !== 'manifest.json') return e
    const m = JSON.parse(e.content!.toString()) as Record<string, unknown>[]
    m[0]!.LayerSources = { [diffId]: { mediaType: foreignType, size: 10, digest: diffId, urls: ['https://example.invalid/x'] } }
    return fileEntry('manifest.json', JSON.stringify(m))
  }))
  await withSource(path, async (s) => {
    await t.throwsAsync(s.resolve(undefined, host), {
      message: `${path}: layer 1 of 1 (${diffId}): nondistributable (foreign) layer of media type ${foreignType} is not supported`,
    })
  })
})

test('compressed outer archives are refused', async (t) => {
  const { entries } = await oldStyle([await layerTar({ a: '1' })])
  const path = await writeTar(tarPath(), entries)
  writeFileSync(`${path}.gz`, gzipSync(readFileSync(path)))
  await t.throwsAsync(openImageSource(`${path}.gz`), { message: `${path}.gz: compressed image archives are not supported: decompress it first (gunzip/unzstd)` })
})
