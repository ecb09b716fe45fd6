// Unpacking layer tars into real directories (src/image/unpack): every entry type, owners, modes, times, xattrs,
// sparse files, whiteouts, and hostile archives, each rejected with a clear error and nothing made or changed
// outside the layer dir. Archives are crafted byte by byte (test/unit/image/unpack-tar-builder.ts) or made by GNU tar.
import test, { type ExecutionContext } from 'ava'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync,
  symlinkSync, writeFileSync, writeSync, type BigIntStats,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { ImageError } from '../../src/image/types'
import { unpackLayer, type UnpackOptions, type UnpackStats } from '../../src/image/unpack'
import { majorMinor } from '../../src/sys/mknod'
import { lgetxattr, lsetxattr } from '../../src/sys/xattr'
import { buildTar, octal, paxRecord, type RawEntry } from '../unit/image/unpack-tar-builder'
import { requires, rootReason } from './harness'

const r = requires(rootReason)
const rtest = r.ok ? test : test.skip

let base = ''
test.before(() => { base = mkdtempSync(join(tmpdir(), 'tsrun-unpack-')) })
test.after.always(() => { if (base) rmSync(base, { recursive: true, force: true }) })

interface Case {
  /** the layer dir */
  dir: string
  /** a host directory outside the layer, with a file in it, that hostile archives aim at */
  sentinel: string
  /** everything outside the layer dir (under this case's dir), to compare after the unpack */
  outside(): string
}

let cases = 0
function newCase(): Case {
  const top = join(base, `case-${++cases}`)
  const dir = join(top, 'layer')
  const sentinel = join(top, 'sentinel')
  mkdirSync(dir, { recursive: true })
  mkdirSync(sentinel)
  writeFileSync(join(sentinel, 'secret'), 'host secret\n')
  const outside = (): string => {
    const lines: string[] = []
    const walk = (p: string, rel: string) => {
      if (p === dir) return // inside
      const st = lstatSync(p)
      lines.push(`${rel} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.size} ${st.mtimeMs} ${st.nlink}`)
      if (st.isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n), `${rel}/${n}`)
    }
    walk(top, '.')
    return lines.join('\n')
  }
  return { dir, sentinel, outside }
}

/** Feed the tar in chunks of `chunk` bytes (tar-stream must cope with any split). */
function unpack(tar: Buffer, dir: string, opts?: UnpackOptions, chunk = 1000): Promise<UnpackStats> {
  const chunks: Buffer[] = []
  for (let i = 0; i < tar.length; i += chunk) chunks.push(tar.subarray(i, i + chunk))
  return unpackLayer(Readable.from(chunks), dir, opts)
}

/** Unpack a hostile archive: it must be rejected with `message`, and nothing outside the layer may change. */
async function rejects(t: ExecutionContext, c: Case, tar: Buffer, message: RegExp): Promise<ImageError> {
  const before = c.outside()
  const err = await t.throwsAsync(unpack(tar, c.dir), { instanceOf: ImageError, message })
  t.is(c.outside(), before, 'nothing outside the layer dir changed')
  t.is(readFileSync(join(c.sentinel, 'secret'), 'utf8'), 'host secret\n')
  return err!
}

const bstat = (p: string): BigIntStats => lstatSync(p, { bigint: true })
const perm = (p: string): number => lstatSync(p).mode & 0o7777
const file = (name: string | Buffer, data: string | Buffer, extra: Partial<RawEntry> = {}): RawEntry => ({ name, data, ...extra })
const dir = (name: string | Buffer, extra: Partial<RawEntry> = {}): RawEntry => ({ name, type: '5', mode: 0o755, ...extra })
const symlink = (name: string, target: string, extra: Partial<RawEntry> = {}): RawEntry =>
  ({ name, type: '2', linkname: target, mode: 0o777, ...extra })
const hardlink = (name: string, target: string): RawEntry => ({ name, type: '1', linkname: target })

rtest('every entry type: file, contiguous, dir, symlink, hardlink, devices, fifo, long names', async (t) => {
  const c = newCase()
  const paxName = `long/${'p'.repeat(120)}/file`
  const gnuName = `gnu/${'g'.repeat(120)}/file`
  const tar = buildTar([
    dir('./d'),
    file('./d/f', 'hello', { mode: 0o640 }),
    file('d/c', 'contiguous', { type: '7' }),
    symlink('d/s', '../anything/at/all'),
    symlink('d/abs', '/etc/passwd'),
    hardlink('d/h', './d/f'),
    hardlink('d/hs', 'd/s'),
    { name: 'dev/null', type: '3', mode: 0o666, devmajor: 1, devminor: 3 },
    { name: 'dev/loop9', type: '4', mode: 0o660, devmajor: 7, devminor: 9 },
    { name: 'run/fifo', type: '6', mode: 0o600 },
    file('placeholder', 'pax long name', { pax: [['path', paxName]] }),
    { name: '././@LongLink', type: 'L', data: `${gnuName}\0` },
    file('truncated-name', 'gnu long name'),
  ])
  let reported = 0
  const stats = await unpackLayer(Readable.from([tar]), c.dir, { onBytes: (n) => { reported += n } })
  t.deepEqual(stats, { entries: 12, bytes: tar.length, files: 4, dirs: 1, whiteouts: 0 })
  t.is(reported, tar.length)
  const p = (n: string) => join(c.dir, n)
  t.is(readFileSync(p('d/f'), 'utf8'), 'hello')
  t.is(perm(p('d/f')), 0o640)
  t.is(readFileSync(p('d/c'), 'utf8'), 'contiguous')
  t.is(readlinkSync(p('d/s')), '../anything/at/all')
  t.is(readlinkSync(p('d/abs')), '/etc/passwd')
  t.is(statSync(p('d/f')).ino, lstatSync(p('d/h')).ino)
  t.is(statSync(p('d/f')).nlink, 2)
  t.true(lstatSync(p('d/hs')).isSymbolicLink())
  t.is(lstatSync(p('d/hs')).ino, lstatSync(p('d/s')).ino)
  const nul = bstat(p('dev/null'))
  t.true(nul.isCharacterDevice())
  t.deepEqual(majorMinor(nul.rdev), { major: 1, minor: 3 })
  t.is(Number(nul.mode & 0o7777n), 0o666)
  const loop = bstat(p('dev/loop9'))
  t.true(loop.isBlockDevice())
  t.deepEqual(majorMinor(loop.rdev), { major: 7, minor: 9 })
  t.true(lstatSync(p('run/fifo')).isFIFO())
  t.is(perm(p('run/fifo')), 0o600)
  t.is(readFileSync(p(paxName), 'utf8'), 'pax long name')
  t.is(readFileSync(p(gnuName), 'utf8'), 'gnu long name')
  // parents made for members without a directory entry: 0755 root
  t.is(perm(p('dev')), 0o755)
  t.false(readdirSync(c.dir).includes('placeholder'))
})

rtest('owners, setuid/setgid/sticky bits, large PAX uids, modes the umask would strip', async (t) => {
  const c = newCase()
  await unpack(buildTar([
    file('suid', 'x', { mode: 0o4755, uid: 1000, gid: 1000 }),
    file('sgid', 'x', { mode: 0o2755, uid: 0, gid: 50 }),
    dir('tmp', { mode: 0o1777 }),
    dir('shared', { mode: 0o2775, gid: 100 }),
    file('shared/x', 'x', { mode: 0o644 }),
    dir('shared/sub', { mode: 0o755 }),
    symlink('shared/ln', 'x'),
    file('big', 'x', { mode: 0o600, pax: [['uid', '3000000000'], ['gid', '3000000001']] }),
    symlink('ls', 'big', { uid: 7, gid: 8 }),
    file('open', 'x', { mode: 0o666 }),
    file('none', 'x', { mode: 0 }),
    dir('ro', { mode: 0o555 }),
    file('ro/inside', 'x'),
  ]), c.dir)
  const own = (n: string) => { const st = lstatSync(join(c.dir, n)); return [st.uid, st.gid, st.mode & 0o7777] }
  t.deepEqual(own('suid'), [1000, 1000, 0o4755]) // chmod after chown, which clears setuid
  t.deepEqual(own('sgid'), [0, 50, 0o2755])
  t.deepEqual(own('tmp'), [0, 0, 0o1777])
  t.deepEqual(own('shared'), [0, 100, 0o2775])
  t.deepEqual(own('shared/x'), [0, 0, 0o644]) // not the setgid dir's group
  t.deepEqual(own('shared/sub'), [0, 0, 0o755]) // nor its setgid bit
  t.deepEqual(own('shared/ln').slice(0, 2), [0, 0])
  t.deepEqual(own('big'), [3000000000, 3000000001, 0o600])
  t.deepEqual(own('ls').slice(0, 2), [7, 8])
  t.deepEqual(own('open'), [0, 0, 0o666])
  t.deepEqual(own('none'), [0, 0, 0])
  t.deepEqual(own('ro'), [0, 0, 0o555])
  t.is(readFileSync(join(c.dir, 'ro/inside'), 'utf8'), 'x')
})

rtest('mtimes as in the archive: PAX fractions, atime, directories set after their children', async (t) => {
  const c = newCase()
  await unpack(buildTar([
    dir('m', { mtime: 1000000000 }),
    file('m/f', 'x', { mtime: 1200000000, pax: [['mtime', '1500000000.123456789'], ['atime', '1400000000.5']] }),
    dir('m/sub', { mtime: 1100000000 }),
    file('m/sub/g', 'y', { mtime: 1300000000 }),
    symlink('m/l', 'f', { mtime: 1234567890 }),
    { name: 'm/fifo', type: '6', mtime: 1111111111 },
    dir('./', { mode: 0o711, mtime: 900000000 }),
  ]), c.dir)
  const ns = (n: string) => bstat(join(c.dir, n))
  t.is(ns('m').mtimeNs, 1000000000n * 10n ** 9n)
  t.is(ns('m/sub').mtimeNs, 1100000000n * 10n ** 9n)
  t.is(ns('m/sub/g').mtimeNs, 1300000000n * 10n ** 9n)
  t.is(ns('m/sub/g').atimeNs, 1300000000n * 10n ** 9n) // atime = mtime without PAX atime
  // node's utimes takes seconds as a double: exact to well under a microsecond at this magnitude
  const f = ns('m/f')
  t.true(f.mtimeNs - 1500000000123456789n < 1000n && 1500000000123456789n - f.mtimeNs < 1000n, `${f.mtimeNs}`)
  t.is(f.atimeNs, 1400000000500000000n)
  t.is(ns('m/l').mtimeNs, 1234567890n * 10n ** 9n)
  t.is(ns('m/fifo').mtimeNs, 1111111111n * 10n ** 9n)
  t.is(ns('').mtimeNs, 900000000n * 10n ** 9n) // the root's own entry ("./")
  t.is(perm(c.dir), 0o711)
})

// vfs_cap_data revision 2: magic_etc (VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE), then permitted/inheritable
// for capabilities 0-31 and 32-63; CAP_SETUID is bit 7, so the value holds 0x80 and NULs: not UTF-8
function capV2(caps: number[]): Buffer {
  const b = Buffer.alloc(20)
  b.writeUInt32LE(0x02000001, 0)
  for (const cap of caps) b.writeUInt32LE((b.readUInt32LE(4 + 8 * (cap >> 5)) | (1 << (cap & 31))) >>> 0, 4 + 8 * (cap >> 5))
  return b
}

rtest('xattrs byte for byte: binary security.capability (after chown), user.* bytes, LIBARCHIVE base64', async (t) => {
  const c = newCase()
  const cap = capV2([7])
  t.deepEqual(cap, Buffer.from('0100000280000000000000000000000000000000', 'hex'))
  const bin = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x61, 0x0a, 0x3d])
  await unpack(buildTar([
    file('ping', 'x', { mode: 0o755, uid: 1000, gid: 1000, pax: [['SCHILY.xattr.security.capability', cap]] }),
    file('bin', 'x', { pax: [['SCHILY.xattr.user.bin', bin], ['LIBARCHIVE.xattr.user.b%3D64', bin.toString('base64')]] }),
    dir('d', { pax: [['SCHILY.xattr.user.dir', 'v'], ['SCHILY.xattr.trusted.overlay.opaque', 'y'],
      ['SCHILY.xattr.trusted.overlay.redirect', '/elsewhere']] }),
    symlink('l', 'ping', { pax: [['SCHILY.xattr.user.nope', 'x'], ['SCHILY.xattr.trusted.t', bin]] }),
  ]), c.dir)
  t.deepEqual(lgetxattr(join(c.dir, 'ping'), 'security.capability'), cap)
  t.is(lstatSync(join(c.dir, 'ping')).uid, 1000)
  t.deepEqual(lgetxattr(join(c.dir, 'bin'), 'user.bin'), bin)
  t.deepEqual(lgetxattr(join(c.dir, 'bin'), 'user.b=64'), bin)
  t.deepEqual(lgetxattr(join(c.dir, 'd'), 'user.dir'), Buffer.from('v'))
  // overlayfs's own attributes are never taken from an archive
  t.is(lgetxattr(join(c.dir, 'd'), 'trusted.overlay.opaque'), undefined)
  t.is(lgetxattr(join(c.dir, 'd'), 'trusted.overlay.redirect'), undefined)
  // symlinks: user.* is not allowed by the kernel (skipped), trusted.* is set on the link itself
  t.is(lgetxattr(join(c.dir, 'l'), 'user.nope'), undefined)
  t.deepEqual(lgetxattr(join(c.dir, 'l'), 'trusted.t'), bin)
})

const hasSetcap = spawnSync('setcap', ['-h']).error === undefined
const gtest = r.ok && hasSetcap ? test : test.skip

gtest('xattrs from a GNU tar --xattrs archive (setcap and a binary user xattr) survive byte for byte', async (t) => {
  const c = newCase()
  const src = join(c.sentinel, '..', 'src')
  mkdirSync(src)
  writeFileSync(join(src, 'ping'), 'x')
  t.is(spawnSync('setcap', ['cap_setuid,cap_net_raw+ep', join(src, 'ping')]).status, 0)
  const bin = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x61])
  lsetxattr(join(src, 'ping'), 'user.bin', bin)
  const tarPath = join(src, '..', 'x.tar')
  const made = spawnSync('tar', ['--xattrs', '--xattrs-include=*', '--format=pax', '-cf', tarPath, '-C', src, 'ping'])
  t.is(made.status, 0, made.stderr.toString())
  const before = lgetxattr(join(src, 'ping'), 'security.capability')!
  t.true(before.includes(0x80) || before.includes(0x20)) // binary
  await unpack(readFileSync(tarPath), c.dir)
  t.deepEqual(lgetxattr(join(c.dir, 'ping'), 'security.capability'), before)
  t.deepEqual(lgetxattr(join(c.dir, 'ping'), 'user.bin'), bin)
  t.regex(spawnSync('getcap', [join(c.dir, 'ping')]).stdout.toString(), /cap_setuid,cap_net_raw[=+]ep/)
})

rtest('hardlinks: to files and symlinks, replacing an earlier member, to itself', async (t) => {
  const c = newCase()
  await unpack(buildTar([
    file('a', 'A'),
    file('b', 'B'),
    hardlink('b', 'a'),
    hardlink('a', 'a'),
    symlink('s', 'a'),
    hardlink('t', '/s'),
    hardlink('x/y/z', 'a'),
  ]), c.dir)
  const ino = lstatSync(join(c.dir, 'a')).ino
  t.is(lstatSync(join(c.dir, 'b')).ino, ino)
  t.is(lstatSync(join(c.dir, 'x/y/z')).ino, ino)
  t.is(lstatSync(join(c.dir, 'a')).nlink, 3)
  t.is(readFileSync(join(c.dir, 'a'), 'utf8'), 'A')
  t.true(lstatSync(join(c.dir, 't')).isSymbolicLink())
  t.is(lstatSync(join(c.dir, 't')).ino, lstatSync(join(c.dir, 's')).ino)
})

rtest('replacing members: file by dir, dir (with children) by file, file by symlink, dir by dir keeps children', async (t) => {
  const c = newCase()
  await unpack(buildTar([
    file('p', 'file'),
    dir('p', { mode: 0o700 }),
    dir('q'),
    file('q/child', 'c'),
    dir('q/sub'),
    file('q', 'now a file'),
    file('q2', 'x'),
    symlink('q2', 'p'),
    dir('k', { mode: 0o755 }),
    file('k/keep', 'kept'),
    dir('k', { mode: 0o750, uid: 5 }),
  ]), c.dir)
  t.true(lstatSync(join(c.dir, 'p')).isDirectory())
  t.is(perm(join(c.dir, 'p')), 0o700)
  t.is(readFileSync(join(c.dir, 'q'), 'utf8'), 'now a file')
  t.is(readlinkSync(join(c.dir, 'q2')), 'p')
  t.is(readFileSync(join(c.dir, 'k/keep'), 'utf8'), 'kept')
  t.is(perm(join(c.dir, 'k')), 0o750)
  t.is(lstatSync(join(c.dir, 'k')).uid, 5)
})

rtest('names that are not UTF-8 keep their bytes', async (t) => {
  const c = newCase()
  const name = Buffer.from([0x66, 0xe9, 0x80]) // latin1 "fé" + a stray continuation byte
  const target = Buffer.from([0x74, 0xff])
  await unpack(buildTar([
    file(name, Buffer.from('latin1')),
    { name: 'sl', type: '2', linkname: target },
    file('p', 'via pax', { pax: [['path', Buffer.concat([Buffer.from('d/'), name])]] }),
  ]), c.dir)
  const names = readdirSync(Buffer.from(c.dir), { encoding: 'buffer' })
  t.true(names.some((n) => n.equals(name)))
  t.deepEqual(readlinkSync(Buffer.from(join(c.dir, 'sl')), { encoding: 'buffer' }), target)
  t.is(readFileSync(Buffer.concat([Buffer.from(c.dir + '/d/'), name]), 'utf8'), 'via pax')
})

// ---------------------------------------------------------------------------------------------------- sparse

/** A 10 MiB file with data at 1 MiB and 5 MB (and `extra` more 4 KiB pieces, to need more than 4 map entries). */
function makeSparseSource(path: string, extra = 0): Buffer {
  spawnSync('truncate', ['-s', '10M', path])
  const fd = openSync(path, 'r+')
  writeSync(fd, Buffer.from('hello'), 0, 5, 1048576)
  writeSync(fd, Buffer.from('world'), 0, 5, 5000000)
  for (let i = 0; i < extra; i++) writeSync(fd, Buffer.from(`piece ${i}`), 0, 7, 6000000 + i * 100000)
  closeSync(fd)
  return readFileSync(path)
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

for (const [format, args] of [
  ['gnu', ['--format=gnu']],
  ['pax 0.0', ['--format=pax', '--sparse-version=0.0']],
  ['pax 0.1', ['--format=pax', '--sparse-version=0.1']],
  ['pax 1.0', ['--format=pax', '--sparse-version=1.0']],
] as const) {
  rtest(`sparse file from GNU tar --sparse ${format}: real size, same bytes, holes`, async (t) => {
    const c = newCase()
    const src = join(c.sentinel, '..', 'src')
    mkdirSync(src)
    const want = makeSparseSource(join(src, 'sparse'), format === 'gnu' ? 0 : 10)
    const tarPath = join(src, '..', 'sparse.tar')
    const made = spawnSync('tar', ['--sparse', ...args, '-cf', tarPath, '-C', src, 'sparse'])
    t.is(made.status, 0, made.stderr.toString())
    const stats = await unpack(readFileSync(tarPath), c.dir, undefined, 4096)
    t.is(stats.files, 1)
    const out = join(c.dir, 'sparse')
    const st = statSync(out)
    t.is(st.size, 10 * 1024 * 1024)
    t.is(sha(readFileSync(out)), sha(want))
    t.true(st.blocks < 512, `${st.blocks} blocks: the holes were written out`)
    t.deepEqual(readdirSync(c.dir), ['sparse']) // GNU.sparse.name, not GNUSparseFile.<pid>/
  })
}

rtest('old GNU sparse with extension blocks (more than 4 segments) is rejected, explaining why', async (t) => {
  const c = newCase()
  const src = join(c.sentinel, '..', 'src')
  mkdirSync(src)
  makeSparseSource(join(src, 'sparse'), 10)
  const tarPath = join(src, '..', 'sparse.tar')
  t.is(spawnSync('tar', ['--sparse', '--format=gnu', '-cf', tarPath, '-C', src, 'sparse']).status, 0)
  await rejects(t, c, readFileSync(tarPath), /^layer member "sparse": old GNU sparse member with extension blocks .*tar-stream would read the extension blocks as file data/)
})

/** The expected content of a crafted sparse file: `size` bytes, zero but for `pieces` (offset, text). */
function sparseContent(size: number, pieces: [number, string][]): Buffer {
  const b = Buffer.alloc(size)
  for (const [off, text] of pieces) b.write(text, off, 'latin1')
  return b
}

rtest('sparse members crafted byte by byte: old GNU S, PAX 0.0, 0.1 and 1.0', async (t) => {
  const c = newCase()
  const map10 = Buffer.from('2\n10\n3\n250\n2\n')
  await unpack(buildTar([
    {
      name: 'gnu-s', type: 'S', format: 'gnu', data: 'abcde', mode: 0o640,
      edit: (b) => {
        octal(b, 386, 12, 0); octal(b, 398, 12, 3)
        octal(b, 410, 12, 100); octal(b, 422, 12, 2)
        octal(b, 434, 12, 200); octal(b, 446, 12, 0)
        octal(b, 483, 12, 200)
      },
    },
    file('p00', 'fghij', { pax: [['GNU.sparse.size', '300'], ['GNU.sparse.numblocks', '2'], ['GNU.sparse.offset', '10'],
      ['GNU.sparse.numbytes', '2'], ['GNU.sparse.offset', '250'], ['GNU.sparse.numbytes', '3']] }),
    file('GNUSparseFile.1/p01', 'klmno', { pax: [['GNU.sparse.size', '400'], ['GNU.sparse.numblocks', '2'],
      ['GNU.sparse.name', 'dir/p01'], ['GNU.sparse.map', '0,1,396,4']] }),
    file('GNUSparseFile.1/p10', Buffer.concat([map10, Buffer.alloc(512 - map10.length), Buffer.from('pqrst')]), {
      pax: [['GNU.sparse.major', '1'], ['GNU.sparse.minor', '0'], ['GNU.sparse.name', 'p10'], ['GNU.sparse.realsize', '1000']],
    }),
  ]), c.dir, undefined, 100)
  t.deepEqual(readFileSync(join(c.dir, 'gnu-s')), sparseContent(200, [[0, 'abc'], [100, 'de']]))
  t.is(perm(join(c.dir, 'gnu-s')), 0o640)
  t.deepEqual(readFileSync(join(c.dir, 'p00')), sparseContent(300, [[10, 'fg'], [250, 'hij']]))
  t.deepEqual(readFileSync(join(c.dir, 'dir/p01')), sparseContent(400, [[0, 'k'], [396, 'lmno']]))
  t.deepEqual(readFileSync(join(c.dir, 'p10')), sparseContent(1000, [[10, 'pqr'], [250, 'st']]))
  t.deepEqual(readdirSync(c.dir).sort(), ['dir', 'gnu-s', 'p00', 'p10'])
})

rtest('a sparse map that does not match the stored data is rejected', async (t) => {
  const c = newCase()
  await rejects(t, c, buildTar([file('p', 'abc', { pax: [['GNU.sparse.size', '100'], ['GNU.sparse.map', '0,10']] })]),
    /^layer member "p": sparse map describes 10 bytes of data but the member holds 3$/)
})

// ------------------------------------------------------------------------------------------------- whiteouts

rtest('whiteouts: .wh.<name> → char 0/0, .wh..wh..opq → trusted.overlay.opaque, AUFS metadata skipped', async (t) => {
  const c = newCase()
  const stats = await unpack(buildTar([
    dir('a'),
    file('a/keep', 'k'),
    file('.wh.gone', ''),
    file('a/.wh.old', '', { uid: 1000, gid: 1000 }),
    file('a/.wh..wh..opq', ''),
    file('b/c/.wh..wh..opq', ''),
    file('x', 'replaced by its whiteout'),
    file('.wh.x', ''),
    dir('.wh..wh.plnk'),
    file('.wh..wh.plnk/1234.5678', 'aufs hardlink store'),
    file('.wh..wh.aufs', ''),
  ]), c.dir)
  t.is(stats.whiteouts, 5)
  for (const n of ['gone', 'a/old', 'x']) {
    const st = bstat(join(c.dir, n))
    t.true(st.isCharacterDevice(), n)
    t.is(st.rdev, 0n, n)
    t.is(Number(st.mode & 0o7777n), 0, n)
  }
  t.is(lstatSync(join(c.dir, 'a/old')).uid, 1000)
  t.is(lstatSync(join(c.dir, 'gone')).uid, 0)
  t.deepEqual(lgetxattr(join(c.dir, 'a'), 'trusted.overlay.opaque'), Buffer.from('y'))
  t.deepEqual(lgetxattr(join(c.dir, 'b/c'), 'trusted.overlay.opaque'), Buffer.from('y'))
  t.is(lgetxattr(join(c.dir, 'b'), 'trusted.overlay.opaque'), undefined)
  t.is(lgetxattr(c.dir, 'trusted.overlay.opaque'), undefined)
  t.is(readFileSync(join(c.dir, 'a/keep'), 'utf8'), 'k')
  t.deepEqual(readdirSync(c.dir).sort(), ['a', 'b', 'gone', 'x'])
  t.deepEqual(readdirSync(join(c.dir, 'a')).sort(), ['keep', 'old'])
})

rtest('whiteouts with userxattr: user.overlay.opaque', async (t) => {
  const c = newCase()
  await unpack(buildTar([file('d/.wh..wh..opq', ''), file('.wh..wh..opq', '')]), c.dir, { userxattr: true })
  t.deepEqual(lgetxattr(join(c.dir, 'd'), 'user.overlay.opaque'), Buffer.from('y'))
  t.deepEqual(lgetxattr(c.dir, 'user.overlay.opaque'), Buffer.from('y'))
  t.is(lgetxattr(join(c.dir, 'd'), 'trusted.overlay.opaque'), undefined)
})

// -------------------------------------------------------------------------------------------------- hostile

rtest('hostile: "../" names are rejected, not clamped', async (t) => {
  for (const name of ['../escape', 'etc/../../escape', './../escape', '/../escape']) {
    const c = newCase()
    const e = await rejects(t, c, buildTar([file('ok', 'x'), file(name, 'evil')]), /path escapes the layer root/)
    t.is(e.message, `layer member ${JSON.stringify(name)}: path escapes the layer root`)
  }
})

rtest('hostile: "a/../b" that stays inside is normalised; absolute names land inside', async (t) => {
  const c = newCase()
  const before = c.outside()
  await unpack(buildTar([file('a/../b', 'b'), file('/abs/file', 'abs'), file('//abs2', 'abs2')]), c.dir)
  t.is(readFileSync(join(c.dir, 'b'), 'utf8'), 'b')
  t.is(readFileSync(join(c.dir, 'abs/file'), 'utf8'), 'abs')
  t.is(readFileSync(join(c.dir, 'abs2'), 'utf8'), 'abs2')
  t.is(c.outside(), before)
})

rtest('hostile: absolute symlink etc -> /etc, then a write through it', async (t) => {
  const marker = `tsrun-unpack-test-${process.pid}`
  const passwd = readFileSync('/etc/passwd')
  const c = newCase()
  const e = await rejects(t, c, buildTar([symlink('etc', '/etc'), file(`etc/${marker}`, 'evil')]), /through a symlink/)
  t.is(e.message, `layer member "etc/${marker}": path goes through a symlink: "etc" is a symlink in this layer`)
  t.false(readdirSync('/etc').includes(marker))
  t.deepEqual(readFileSync('/etc/passwd'), passwd)
  // the same aimed at a host directory the test owns, with a name that exists there
  const c2 = newCase()
  await rejects(t, c2, buildTar([symlink('etc', c2.sentinel), file('etc/secret', 'evil')]), /through a symlink/)
  const c3 = newCase()
  await rejects(t, c3, buildTar([symlink('etc', c3.sentinel), dir('etc/newdir')]), /through a symlink/)
  const c4 = newCase()
  await rejects(t, c4, buildTar([symlink('etc', c4.sentinel), symlink('etc/ln', '/x')]), /through a symlink/)
  const c5 = newCase()
  await rejects(t, c5, buildTar([symlink('etc', c5.sentinel), { name: 'etc/null', type: '3', devmajor: 1, devminor: 3 }]), /through a symlink/)
  const c6 = newCase()
  await rejects(t, c6, buildTar([symlink('etc', c6.sentinel), file('etc/.wh.secret', '')]), /through a symlink/)
  const c7 = newCase()
  await rejects(t, c7, buildTar([symlink('etc', c7.sentinel), file('etc/.wh..wh..opq', '')]), /through a symlink/)
})

rtest('hostile: relative symlink x -> ../../.. and a write through it', async (t) => {
  const c = newCase()
  await rejects(t, c, buildTar([symlink('x', '../../..'), file('x/tmp/evil', 'evil')]), /through a symlink: "x"/)
  const c2 = newCase()
  await rejects(t, c2, buildTar([dir('a'), symlink('a/b', '../../sentinel'), file('a/b/secret', 'evil')]),
    /through a symlink: "a\/b"/)
})

rtest('hostile: a directory replaced by a symlink, then a write under it (the dir cache must forget it)', async (t) => {
  const c = newCase()
  await rejects(t, c, buildTar([dir('a'), file('a/f', 'x'), symlink('a', c.sentinel), file('a/secret', 'evil')]),
    /through a symlink: "a"/)
  const c2 = newCase()
  await rejects(t, c2, buildTar([file('a/b/f', 'x'), symlink('a/b', c2.sentinel), file('a/b/g', 'evil')]),
    /through a symlink: "a\/b"/)
})

rtest('hostile: a file over an existing symlink replaces the symlink, never writes through it', async (t) => {
  const c = newCase()
  const before = c.outside()
  await unpack(buildTar([symlink('p', join(c.sentinel, 'secret')), file('p', 'inside'),
    symlink('q', join(c.sentinel, 'secret')), hardlink('q', 'p'),
    symlink('r', c.sentinel), dir('r')]), c.dir)
  t.is(readFileSync(join(c.dir, 'p'), 'utf8'), 'inside')
  t.false(lstatSync(join(c.dir, 'p')).isSymbolicLink())
  t.is(lstatSync(join(c.dir, 'q')).ino, lstatSync(join(c.dir, 'p')).ino)
  t.true(lstatSync(join(c.dir, 'r')).isDirectory())
  t.is(c.outside(), before)
  t.is(readFileSync(join(c.sentinel, 'secret'), 'utf8'), 'host secret\n')
})

rtest('hostile: hardlink to /etc/passwd resolves inside the root', async (t) => {
  const c = newCase()
  await rejects(t, c, buildTar([hardlink('pw', '/etc/passwd')]), /^layer member "pw": hardlink target "etc\/passwd" does not exist in this layer$/)
  // with an etc/passwd of its own, the link is to that one, never the host's
  const c2 = newCase()
  await unpack(buildTar([file('etc/passwd', 'root:x:0:0::/:/bin/sh\n'), hardlink('pw', '/etc/passwd')]), c2.dir)
  t.is(lstatSync(join(c2.dir, 'pw')).ino, lstatSync(join(c2.dir, 'etc/passwd')).ino)
  t.not(lstatSync(join(c2.dir, 'pw')).ino, lstatSync('/etc/passwd').ino)
  t.is(statSync('/etc/passwd').nlink, 1)
})

rtest('hostile: hardlinks through a symlinked parent, escaping, to a directory', async (t) => {
  const c = newCase()
  await rejects(t, c, buildTar([symlink('s', c.sentinel), hardlink('l', 's/secret')]),
    /^layer member "l": hardlink target goes through a symlink: "s" is a symlink in this layer$/)
  const c2 = newCase()
  await rejects(t, c2, buildTar([symlink('s', c2.sentinel), file('f', 'x'), hardlink('s/newlink', 'f')]), /through a symlink/)
  const c3 = newCase()
  await rejects(t, c3, buildTar([hardlink('l', '../sentinel/secret')]), /hardlink target "..\/sentinel\/secret": path escapes the layer root/)
  const c4 = newCase()
  await rejects(t, c4, buildTar([dir('d'), hardlink('l', 'd')]), /hardlink target "d" is a directory/)
  const c5 = newCase()
  await rejects(t, c5, buildTar([{ name: 'n', type: '3', devmajor: 1, devminor: 3 }, hardlink('l', 'n')]),
    /not a regular file or symlink/)
})

rtest('hostile: device nodes are made inside the root, as device nodes', async (t) => {
  const c = newCase()
  const before = c.outside()
  await unpack(buildTar([
    { name: '/dev/sda', type: '4', mode: 0o660, devmajor: 8, devminor: 0 },
    { name: 'dev/../mem', type: '3', mode: 0o640, devmajor: 1, devminor: 1 },
  ]), c.dir)
  const sda = bstat(join(c.dir, 'dev/sda'))
  t.true(sda.isBlockDevice())
  t.deepEqual(majorMinor(sda.rdev), { major: 8, minor: 0 })
  t.true(bstat(join(c.dir, 'mem')).isCharacterDevice())
  t.is(c.outside(), before)
  const c2 = newCase()
  await rejects(t, c2, buildTar([{ name: '../null', type: '3', devmajor: 1, devminor: 3 }]), /path escapes the layer root/)
})

rtest('bad input: truncated tars, bad checksums, unknown types', async (t) => {
  const whole = buildTar([file('first', 'x'), file('big', Buffer.alloc(10000, 0x61))])
  const c = newCase()
  await rejects(t, c, whole.subarray(0, 2000), /^layer: truncated tar \(unexpected end of data in member "big"\)$/)
  const c2 = newCase()
  await rejects(t, c2, whole.subarray(0, 1024 + 300), /^layer: truncated tar/)
  const c3 = newCase()
  await rejects(t, c3, buildTar([file('ok', 'x'), file('bad', 'y', { badChecksum: true })]), /^layer: invalid tar: Invalid tar header/)
  const c4 = newCase()
  await rejects(t, c4, buildTar([{ name: 'vol', type: 'V' }]), /^layer member "vol": unsupported entry type 'V' \(GNU volume label\)$/)
  const c5 = newCase()
  await rejects(t, c5, buildTar([{ name: 'z', type: 'Z' }]), /unsupported entry type 'Z'$/)
  const c6 = newCase()
  await rejects(t, c6, buildTar([file('p', 'x', { pax: [['uid', '4294967295']] })]), /uid 4294967295 is out of range/)
  // the layer's name, when given, is in every message
  const c7 = newCase()
  await t.throwsAsync(unpack(whole.subarray(0, 2000), c7.dir, { layer: 'sha256:abc' }), { message: /^layer sha256:abc: truncated tar/ })
})

rtest('a failing source stream rejects with an ImageError', async (t) => {
  const c = newCase()
  const tar = buildTar([file('a', 'x')])
  const src = new Readable({ read() { this.push(tar.subarray(0, 512)); this.destroy(new Error('digest mismatch')) } })
  await t.throwsAsync(unpackLayer(src, c.dir), { instanceOf: ImageError, message: /^layer: reading the tar failed: digest mismatch$/ })
})

rtest('PAX records split across chunks and a global header', async (t) => {
  const c = newCase()
  const global = buildTar([{ name: 'g', type: 'g', data: paxRecord('comment', 'made by a test') }], false)
  const tar = Buffer.concat([global, buildTar([file('f', 'x', { pax: [['uid', '42'], ['path', 'renamed']] })])])
  for (const chunk of [1, 7, 512]) {
    const d = join(c.dir, `c${chunk}`)
    mkdirSync(d)
    await unpack(tar, d, undefined, chunk)
    t.is(lstatSync(join(d, 'renamed')).uid, 42)
  }
})

rtest('a failure does not wait for a stalled source; the layer dir must be a real directory', async (t) => {
  const c = newCase()
  const tar = buildTar([file('../x', 'evil')], false)
  let pushed = false
  const stalled = new Readable({ read() { if (!pushed) { pushed = true; this.push(tar) } } }) // never ends
  await t.throwsAsync(unpackLayer(stalled, c.dir), { instanceOf: ImageError, message: /path escapes the layer root/ })
  t.true(stalled.destroyed)
  const c2 = newCase()
  const link = join(c2.dir, '..', 'layer-link')
  symlinkSync(c2.sentinel, link)
  await t.throwsAsync(unpack(buildTar([file('f', 'x')]), link), { instanceOf: ImageError, message: /not a directory/ })
  t.deepEqual(readdirSync(c2.sentinel), ['secret'])
})

rtest('a directory with a name that is not UTF-8, replaced by a file', async (t) => {
  const c = newCase()
  const name = Buffer.from([0x64, 0xe9])
  await unpack(buildTar([
    dir(name), file(Buffer.concat([name, Buffer.from('/inner')]), 'x'), file(name, 'now a file'),
  ]), c.dir)
  t.is(readFileSync(Buffer.concat([Buffer.from(`${c.dir}/`), name]), 'utf8'), 'now a file')
})

/** A POSIX ACL xattr value: user::rwx, group::r-x, other::--- */
function aclValue(): Buffer {
  const b = Buffer.alloc(4 + 3 * 8)
  b.writeUInt32LE(2, 0)
  ;[[0x01, 7], [0x04, 5], [0x20, 0]].forEach(([tag, perm], i) => {
    b.writeUInt16LE(tag!, 4 + 8 * i); b.writeUInt16LE(perm!, 6 + 8 * i); b.writeUInt32LE(0xffffffff, 8 + 8 * i)
  })
  return b
}

rtest('modes are exact under a default ACL (the layer dir\'s or one from the archive)', async (t) => {
  const c = newCase()
  lsetxattr(c.dir, 'system.posix_acl_default', aclValue())
  await unpack(buildTar([file('f', 'x', { mode: 0o644 }), file('g', 'x', { mode: 0o755 })]), c.dir)
  t.is(perm(join(c.dir, 'f')), 0o644)
  t.is(perm(join(c.dir, 'g')), 0o755)
  const c2 = newCase()
  await unpack(buildTar([dir('d', { pax: [['SCHILY.xattr.system.posix_acl_default', aclValue()]] }),
    file('d/f', 'x', { mode: 0o644 })]), c2.dir)
  t.truthy(lgetxattr(join(c2.dir, 'd'), 'system.posix_acl_default'))
  t.is(perm(join(c2.dir, 'd/f')), 0o644)
})
