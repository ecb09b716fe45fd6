// The image benchmark's inputs: a deterministic (seeded) tree of mixed files, its GNU tar layer (plain and gzip),
// OCI image layouts around a layer, and a comparable listing of an unpacked tree (to check tsrun unpacked what tar did).
import { createCipheriv, createHash } from 'node:crypto'
import { createReadStream, linkSync, lstatSync, lutimesSync, mkdirSync, readdirSync, readlinkSync, renameSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'

const KiB = 1024
const MiB = 1024 * KiB

/** mulberry32: a small seeded PRNG, [0, 1). */
function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = ('lorem ipsum dolor sit amet container runtime layer image overlay mount namespace cgroup process signal ' +
  'config bundle rootfs manifest digest index blob unpack archive header entry symlink hardlink directory file ' +
  'permission owner group mode time size offset buffer stream chunk error return value function module export ' +
  'import const let await async promise resolve reject callback event listener handler request response server ' +
  'client socket pipe read write open close stat chmod chown rename unlink mkdir rmdir fsync flush seek').split(' ')

/**
 * Writes the tree into DIR (must not exist). Returns counts and bytes. Same seed, same tree (content, names,
 * modes, times); about `totalBytes` of regular-file data, `smallFiles` of 1–16 KiB and enough 1–8 MiB files to fill.
 */
export function generateTree(dir, { seed = 0x7375, totalBytes = 200 * MiB, smallFiles = 3900 } = {}) {
  const rnd = prng(seed)
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1))
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)]
  const key = createHash('sha256').update(`tsrun-bench-image-${seed}`).digest()
  let blockNo = 0
  /** incompressible bytes (AES-256-CTR keystream: fast and seeded) */
  const randomBytes = (n) => {
    const iv = Buffer.alloc(16)
    iv.writeUInt32BE(++blockNo, 0)
    return createCipheriv('aes-256-ctr', key, iv).update(Buffer.alloc(n))
  }
  /** text-like bytes (gzip -6 gets ~3×) */
  const textBytes = (n) => {
    const parts = []
    let len = 0
    while (len < n) {
      const line = []
      for (let i = int(4, 14); i > 0; i--) line.push(rnd() < 0.08 ? String(int(0, 99999)) : pick(WORDS))
      const s = `${line.join(' ')}\n`
      parts.push(s)
      len += s.length
    }
    return Buffer.from(parts.join('')).subarray(0, n)
  }
  const stats = { dirs: 0, files: 0, smallFiles: 0, largeFiles: 0, symlinks: 0, hardlinks: 0, bytes: 0 }
  const baseTime = 1700000000
  const times = [] // [path, seconds, isSymlink]

  // directories: a random tree, up to 8 deep, plus one path of long names (GNU tar long-name headers)
  mkdirSync(dir)
  const dirs = [{ rel: '', depth: 0 }]
  const topNames = ['usr', 'etc', 'var', 'opt', 'srv', 'lib', 'share', 'app']
  for (let i = 0; i < 120; i++) {
    const parent = i < topNames.length ? dirs[0] : pick(dirs.filter((d) => d.depth < 8))
    const name = i < topNames.length ? topNames[i] : `${pick(WORDS)}-${i}`
    const rel = parent.rel ? `${parent.rel}/${name}` : name
    mkdirSync(join(dir, rel), { mode: 0o755 })
    dirs.push({ rel, depth: parent.depth + 1 })
  }
  let long = 'opt'
  for (let i = 0; i < 3; i++) {
    long = `${long}/${'long-directory-name-'.repeat(3)}${i}`
    mkdirSync(join(dir, long), { mode: 0o755 })
    dirs.push({ rel: long, depth: 9 })
  }
  stats.dirs = dirs.length - 1
  const fileDirs = dirs.slice(1)

  const files = []
  const writeFile = (rel, content, mode) => {
    writeFileSync(join(dir, rel), content, { mode })
    times.push([rel, baseTime + int(0, 86400 * 365), false])
    files.push({ rel, size: content.length })
    stats.files++
    stats.bytes += content.length
  }
  const exts = ['.txt', '.json', '.conf', '.py', '.js', '.h', '.md', '.so', '.bin', '']
  for (let i = 0; i < smallFiles; i++) {
    const d = pick(fileDirs).rel
    const size = int(1 * KiB, 16 * KiB)
    const binary = rnd() < 0.3
    const mode = rnd() < 0.1 ? 0o755 : rnd() < 0.03 ? 0o600 : 0o644
    writeFile(`${d}/${binary ? 'blob' : pick(WORDS)}-${i}${pick(exts)}`, binary ? randomBytes(size) : textBytes(size), mode)
    stats.smallFiles++
  }
  writeFile(`${long}/${'a-file-with-a-rather-long-name-'.repeat(4)}end.txt`, textBytes(4 * KiB), 0o644)
  writeFile('etc/empty.conf', Buffer.alloc(0), 0o644)
  for (let i = 0; stats.bytes < totalBytes; i++) {
    const size = Math.min(int(1 * MiB, 8 * MiB), Math.max(totalBytes - stats.bytes, 1 * MiB))
    const binary = rnd() < 0.5
    writeFile(`${pick(fileDirs).rel}/${binary ? `lib${pick(WORDS)}-${i}.so` : `${pick(WORDS)}-${i}.log`}`, binary ? randomBytes(size) : textBytes(size), binary ? 0o755 : 0o644)
    stats.largeFiles++
  }
  // hardlinks to files (a few to large ones), symlinks to files and dirs (relative, absolute, dangling)
  for (let i = 0; i < 60; i++) {
    const f = i < 4 ? pick(files.filter((x) => x.size >= MiB)) : pick(files)
    const rel = `${pick(fileDirs).rel}/hardlink-${i}`
    linkSync(join(dir, f.rel), join(dir, rel))
    stats.hardlinks++
  }
  for (let i = 0; i < 150; i++) {
    const from = pick(fileDirs)
    const kind = rnd()
    let target
    if (kind < 0.5) target = `${'../'.repeat(from.depth)}${pick(files).rel}`
    else if (kind < 0.7) target = `${'../'.repeat(from.depth)}${pick(fileDirs).rel}`
    else if (kind < 0.9) target = `/${pick(files).rel}`
    else target = `/nonexistent/${pick(WORDS)}-${i}`
    const rel = `${from.rel}/symlink-${i}`
    symlinkSync(target, join(dir, rel))
    times.push([rel, baseTime + int(0, 86400 * 365), true])
    stats.symlinks++
  }
  for (const [rel, t, link] of times) (link ? lutimesSync : utimesSync)(join(dir, rel), t, t)
  for (const d of [...dirs].sort((a, b) => b.rel.length - a.rel.length)) {
    const t = baseTime + int(0, 86400 * 365)
    utimesSync(join(dir, d.rel), t, t)
  }
  return stats
}

/** sha256 of a file, as "sha256:<hex>". */
export async function fileDigest(path) {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk)
  return `sha256:${h.digest('hex')}`
}

const MT = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  tar: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
}
const ARCH = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' }

/**
 * An OCI image layout in DIR with one layer: BLOBFILE is moved into blobs/sha256/ (so it is not stored twice).
 * diffId: sha256 of the uncompressed tar. Returns the layer blob's final path and the digests.
 */
export async function writeLayout(dir, blobFile, { diffId, gzip = false, ref = 'tsrun-bench:latest', cmd = ['/bin/sh'] }) {
  const blobs = join(dir, 'blobs', 'sha256')
  mkdirSync(blobs, { recursive: true })
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  const put = (buf) => {
    const d = `sha256:${createHash('sha256').update(buf).digest('hex')}`
    writeFileSync(join(blobs, d.slice(7)), buf)
    return { digest: d, size: buf.length }
  }
  const layerDigest = gzip ? await fileDigest(blobFile) : diffId
  const layerPath = join(blobs, layerDigest.slice(7))
  const layerSize = statSync(blobFile).size
  renameSync(blobFile, layerPath)
  const platform = { architecture: ARCH[process.arch] ?? process.arch, os: 'linux' }
  const config = put(Buffer.from(JSON.stringify({
    ...platform, created: '2024-01-01T00:00:00Z',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: cmd, WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: '2024-01-01T00:00:00Z', created_by: 'bench/lib/image-tree.mjs' }],
  })))
  const manifest = put(Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MT.manifest,
    config: { mediaType: MT.config, ...config },
    layers: [{ mediaType: gzip ? MT.gzip : MT.tar, digest: layerDigest, size: layerSize }],
  })))
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2, mediaType: MT.index,
    manifests: [{ mediaType: MT.manifest, ...manifest, platform, annotations: { 'org.opencontainers.image.ref.name': ref } }],
  }))
  return { dir, layerPath, layerDigest, layerSize, diffId, manifestDigest: manifest.digest }
}

/** GNU tar of a tree, deterministic order and owners (the layer as a build tool would write it). */
export function tarTree(tree, out) {
  execFileSync('tar', ['-C', tree, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-cf', out, '.'])
}

/**
 * A comparable listing of an unpacked tree: path → "type mode uid:gid size mtime target", plus hardlink groups.
 * The root itself is left out (tar -C sets it from the "./" entry; tsrun's diff dir is its own).
 */
export function listTree(root) {
  const entries = new Map()
  const inodes = new Map()
  const walk = (rel) => {
    for (const name of readdirSync(join(root, rel))) {
      const r = rel ? `${rel}/${name}` : name
      const st = lstatSync(join(root, r))
      const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFile() ? 'f' : 'o'
      const target = type === 'l' ? readlinkSync(join(root, r)) : ''
      entries.set(r, `${type} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${type === 'f' ? st.size : '-'} ${Math.floor(st.mtimeMs / 1000)} ${target}`)
      if (type === 'f' && st.nlink > 1) {
        const g = inodes.get(st.ino) ?? []
        g.push(r)
        inodes.set(st.ino, g)
      }
      if (type === 'd') walk(r)
    }
  }
  walk('')
  const links = new Set([...inodes.values()].map((g) => g.sort().join(' = ')))
  return { entries, links }
}

/** Differences between two listings (A = reference): counts by kind and a few examples. */
export function compareTrees(a, b) {
  const diffs = { missing: [], extra: [], different: [], hardlinks: [] }
  for (const [k, v] of a.entries) {
    if (!b.entries.has(k)) diffs.missing.push(k)
    else if (b.entries.get(k) !== v) diffs.different.push(`${k}: ${v} vs ${b.entries.get(k)}`)
  }
  for (const k of b.entries.keys()) if (!a.entries.has(k)) diffs.extra.push(k)
  for (const g of a.links) if (!b.links.has(g)) diffs.hardlinks.push(g)
  const n = Object.values(diffs).reduce((s, x) => s + x.length, 0)
  return { same: n === 0, entries: a.entries.size, ...Object.fromEntries(Object.entries(diffs).map(([k, v]) => [k, { n: v.length, e: v.slice(0, 3) }])) }
}
