// readFileFromLayers: the overlay's view of unpacked layers (whiteouts, opaque dirs) and symlinks kept inside the image.
// Whiteouts are char devices 0/0: creating them needs root (mknod).
import test from 'ava'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { layeredReader, readFileFromLayers, resolveFileInLayers } from '../../../src/image/layered-fs'
import { ImageError } from '../../../src/image/types'

const isRoot = process.getuid?.() === 0

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'tsrun-layered-fs-'))
}

/** Layer directories under `base`, built from { path: content | {link} | 'whiteout' | 'dir' | 'fifo' } maps. */
type Node = string | { link: string } | { whiteout: true } | { dir: true } | { fifo: true }
function layers(base: string, specs: Record<string, Node>[]): string[] {
  return specs.map((spec, i) => {
    const root = join(base, `layer${i}`)
    mkdirSync(root, { recursive: true })
    for (const [path, node] of Object.entries(spec)) {
      const p = join(root, path)
      mkdirSync(dirname(p), { recursive: true })
      if (typeof node === 'string') writeFileSync(p, node)
      else if ('link' in node) symlinkSync(node.link, p)
      else if ('whiteout' in node) execFileSync('mknod', [p, 'c', '0', '0'])
      else if ('fifo' in node) execFileSync('mkfifo', [p])
      else mkdirSync(p, { recursive: true })
    }
    return root
  })
}

function read(dirs: string[], path: string, isOpaque?: (d: string) => boolean): string | undefined {
  return readFileFromLayers(dirs, path, { isOpaque })?.toString()
}

const t0 = test.serial // the temp dirs are independent, but serial keeps failures readable

t0('the top layer holding a file wins; lower files show through', (t) => {
  const base = tmp()
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const dirs = layers(base, [{ 'etc/passwd': 'low', 'etc/group': 'grp' }, { 'etc/passwd': 'high' }, {}])
  t.is(read(dirs, '/etc/passwd'), 'high')
  t.is(read(dirs, 'etc/group'), 'grp', 'relative paths are from the image root too')
  t.is(read(dirs, '/etc/./passwd'), 'high')
  t.is(read(dirs, '/etc/missing'), undefined)
  t.is(read(dirs, '/etc'), undefined, 'a directory is not a file')
  t.is(read(dirs, '/'), undefined)
  t.is(read(dirs, '/etc/passwd/x'), undefined, 'a file used as a directory')
  t.is(read([], '/etc/passwd'), undefined)
  t.is(layeredReader(dirs)('/etc/passwd')?.toString(), 'high')
})

;(isRoot ? t0 : test.skip)(`a whiteout hides the file, or the whole directory, of lower layers${isRoot ? '' : ' (skipped: mknod of a whiteout needs root)'}`, (t) => {
  const base = tmp()
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const dirs = layers(base, [
    { 'etc/passwd': 'low', 'etc/group': 'grp', 'opt/app/conf': 'conf' },
    { 'etc/passwd': { whiteout: true }, opt: { whiteout: true } },
  ])
  t.is(read(dirs, '/etc/passwd'), undefined)
  t.is(read(dirs, '/etc/group'), 'grp')
  t.is(read(dirs, '/opt/app/conf'), undefined)
  // A file put back above the whiteout is seen again.
  const again = layers(join(base, 'again'), [{ 'etc/passwd': 'low' }, { 'etc/passwd': { whiteout: true } }, { 'etc/passwd': 'new' }])
  t.is(read(again, '/etc/passwd'), 'new')
})

t0('an opaque directory hides what lower layers hold under it, not its own files', (t) => {
  const base = tmp()
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const dirs = layers(base, [
    { 'etc/passwd': 'low', 'etc/group': 'low-group', 'usr/x': 'x' },
    { 'etc/passwd': 'mid' },
    { 'etc/hosts': 'top' },
  ])
  const opaque = join(dirs[1], 'etc')
  const isOpaque = (d: string): boolean => d === opaque
  t.is(read(dirs, '/etc/passwd', isOpaque), 'mid')
  t.is(read(dirs, '/etc/hosts', isOpaque), 'top', 'layers above the opaque dir still add to it')
  t.is(read(dirs, '/etc/group', isOpaque), undefined)
  t.is(read(dirs, '/usr/x', isOpaque), 'x')
  t.is(read(dirs, '/etc/group'), 'low-group', 'without isOpaque nothing is opaque')
})

t0('a non-directory hides a lower directory, and a directory hides what is below a lower non-directory', (t) => {
  const base = tmp()
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const dirs = layers(base, [{ 'a/f': 'deep', 'b/f': 'deepest' }, { a: 'file now', b: 'file' }, { 'b/g': 'g' }])
  t.is(read(dirs, '/a/f'), undefined)
  t.is(read(dirs, '/a'), 'file now')
  t.is(read(dirs, '/b/g'), 'g')
  t.is(read(dirs, '/b/f'), undefined, 'the layer-1 file b cuts the layer-0 directory b off')
})

t0('a symlinked /etc/passwd is resolved inside the image: relative and absolute targets, across layers', (t) => {
  const base = tmp()
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const dirs = layers(base, [
    { 'usr/share/passwd': 'shared', 'usr/lib/passwd': 'lib', 'usr/lib/group': 'g' },
    { 'etc/passwd': { link: '../usr/share/passwd' }, 'etc/group': { link: '/usr/lib/group' } },
    { 'etc/shadow': { link: '/usr/lib/passwd' } },
  ])
  t.is(read(dirs, '/etc/passwd'), 'shared')
  t.is(read(dirs, '/etc/group'), 'g')
  t.is(read(dirs, '/etc/shadow'), 'lib')
  t.is(resolveFileInLayers(dirs, '/etc/passwd'), join(dirs[0], 'usr/share/passwd'))
})

t0('directory symlinks on the way and chains of links are followed inside the image', (t) => {
  const base = tmp()
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const dirs = layers(base, [
    { 'private/etc/passwd': 'p', 'lib/real': 'r' },
    { etc: { link: 'private/etc' }, 'x/one': { link: '../x/two' }, 'x/two': { link: '/lib/real' }, 'x/up': { link: '../../../../lib' } },
  ])
  t.is(read(dirs, '/etc/passwd'), 'p')
  t.is(read(dirs, '/x/one'), 'r')
  t.is(read(dirs, '/x/up/real'), 'r', '".." stops at the image root')
  // As the kernel does it: /etc/.. is the parent of the link's target (/private), not /.
  t.is(read(dirs, '/etc/../etc/passwd'), 'p')
  t.is(read(dirs, '/etc/../lib/real'), undefined, '/private/lib/real')
})

t0('a link aiming at the host stays inside the image', (t) => {
  const base = tmp()
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  // A host file at the very path an absolute link names: it must never be read.
  const hostSecret = join(base, 'host-secret')
  writeFileSync(hostSecret, 'HOST')
  const escape = { 'etc/link': { link: '../../../../etc/shadow' }, 'etc/abs': { link: hostSecret }, 'etc/hostdir': { link: '/' + 'etc' } }
  const without = layers(join(base, 'without'), [{ 'etc/passwd': 'p' }, escape])
  t.true(existsSync('/etc/shadow') || existsSync('/etc/passwd'), 'the host has files the links would reach')
  t.is(read(without, '/etc/link'), undefined, "the image has no /etc/shadow: not the host's")
  t.is(read(without, '/etc/abs'), undefined)
  t.is(read(without, '/etc/hostdir/passwd'), 'p', '/etc is the image\'s /etc')
  // The same link in an image that has an /etc/shadow reaches the image's file.
  const withShadow = layers(join(base, 'with'), [{ 'etc/shadow': 'image shadow' }, { 'etc/link': { link: '../../../../etc/shadow' } }])
  t.is(read(withShadow, '/etc/link'), 'image shadow')
})

t0('link loops and long chains: at most 40 hops', (t) => {
  const base = tmp()
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const chain: Record<string, Node> = { 'c/f40': 'end' }
  for (let i = 0; i < 40; i++) chain[`c/f${i}`] = { link: `f${i + 1}` }
  const dirs = layers(base, [chain, { 'loop/a': { link: 'b' }, 'loop/b': { link: '/loop/a' } }])
  t.is(read(dirs, '/c/f0'), 'end', '40 hops are fine')
  chain['c/g'] = { link: 'f0' }
  const long = layers(join(base, 'long'), [chain])
  t.throws(() => read(long, '/c/g'), { instanceOf: ImageError, message: /too many levels of symbolic links/ }, '41 hops are not')
  t.throws(() => read(dirs, '/loop/a'), { instanceOf: ImageError }, 'a loop')
})

t0('special files and dangling links read as missing', (t) => {
  const base = tmp()
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const dirs = layers(base, [{ 'etc/fifo': { fifo: true }, 'etc/dangling': { link: '/nowhere' }, 'etc/empty': { dir: true } }])
  t.is(read(dirs, '/etc/fifo'), undefined)
  t.is(read(dirs, '/etc/dangling'), undefined)
  t.is(read(dirs, '/etc/empty'), undefined)
})
