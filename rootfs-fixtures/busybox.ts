// Builds a minimal root filesystem from Debian's busybox-static: /bin/busybox, one symlink per
// applet where busybox would install it, the usual empty directories, /etc/passwd, /etc/group,
// /etc/hostname and (optionally) the static checker at /checker.
//
//   node --import tsx rootfs-fixtures/busybox.ts [OUTDIR]     (default rootfs-fixtures/out/busybox)
//
// Idempotent and cheap: /etc/tsrun-fixture.json records what the tree was built from; when it
// still matches, nothing is done. Otherwise the tree is built beside OUTDIR and renamed into place,
// so concurrent callers never see a half-built rootfs.
import { execFileSync } from 'node:child_process'
import {
  chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync,
  symlinkSync, writeFileSync,
} from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { buildChecker } from './checker'

export const hostBusyboxPath = '/bin/busybox'
export const defaultBusyboxRootfsDir = join(__dirname, 'out', 'busybox')
/** Written inside the rootfs; describes the inputs it was built from. */
export const fixtureStampPath = 'etc/tsrun-fixture.json'

/** Bump when the layout below changes, so existing trees are rebuilt. */
const layoutVersion = 1

export interface BusyboxRootfsOptions {
  /** copy the checker program to /checker (default true) */
  checker?: boolean
}

const directories: Array<[path: string, mode: number]> = [
  ['bin', 0o755], ['sbin', 0o755], ['usr', 0o755], ['usr/bin', 0o755], ['usr/sbin', 0o755],
  ['proc', 0o555], ['sys', 0o555], ['dev', 0o755], ['tmp', 0o1777], ['etc', 0o755],
  ['root', 0o700], ['run', 0o755], ['var', 0o755], ['var/run', 0o755], ['home', 0o755],
]

const etcFiles: Record<string, string> = {
  'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  'etc/group': 'root:x:0:\nnogroup:x:65534:\n',
  'etc/hostname': 'tsrun\n',
  'etc/hosts': '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n',
  'etc/resolv.conf': '',
}

/**
 * Creates a busybox rootfs in `dir`, or leaves it as is when it is already up to date. An out of
 * date or foreign `dir` is replaced as a whole (refused if anything is mounted under it).
 */
export function buildBusyboxRootfs(dir: string, opts: BusyboxRootfsOptions = {}): void {
  const target = resolve(dir)
  const stamp = JSON.stringify(inputsOf(opts.checker ?? true))
  if (readStamp(target) === stamp) return

  const staging = `${target}.tmp-${process.pid}`
  rmSync(staging, { recursive: true, force: true })
  try {
    populate(staging, JSON.parse(stamp) as Inputs)
    writeFileSync(join(staging, fixtureStampPath), stamp)
    if (readStamp(target) === stamp) return // someone else finished first
    if (existsSync(target)) {
      refuseIfMountedUnder(target)
      rmSync(target, { recursive: true, force: true })
    }
    mkdirSync(dirname(target), { recursive: true })
    try {
      renameSync(staging, target)
    } catch (err) {
      // A concurrent builder renamed its tree into place between our rm and rename.
      if (readStamp(target) !== stamp) throw err
    }
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

interface FileId { path: string; size: number; mtimeMs: number; ino: number }
interface Inputs { layoutVersion: number; busybox: FileId; checker: FileId | null }

function fileId(path: string): FileId {
  const st = statSync(path)
  return { path, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino }
}

function inputsOf(withChecker: boolean): Inputs {
  if (!existsSync(hostBusyboxPath)) {
    throw new Error(`${hostBusyboxPath} is missing: apt-get install busybox-static`)
  }
  return {
    layoutVersion,
    busybox: fileId(hostBusyboxPath),
    checker: withChecker ? fileId(buildChecker()) : null,
  }
}

function readStamp(dir: string): string | null {
  try {
    return readFileSync(join(dir, fixtureStampPath), 'utf8')
  } catch {
    return null
  }
}

function populate(root: string, inputs: Inputs): void {
  mkdirSync(root, { recursive: true, mode: 0o755 })
  chmodSync(root, 0o755)
  for (const [path, mode] of directories) {
    mkdirSync(join(root, path), { recursive: true })
    chmodSync(join(root, path), mode) // mkdir's mode is filtered by the umask
  }
  copyExecutable(inputs.busybox.path, join(root, 'bin/busybox'))
  for (const applet of appletPaths()) {
    const link = join(root, applet)
    mkdirSync(dirname(link), { recursive: true })
    symlinkSync('/bin/busybox', link)
  }
  for (const [path, content] of Object.entries(etcFiles)) {
    writeFileSync(join(root, path), content, { mode: 0o644 })
    chmodSync(join(root, path), 0o644)
  }
  if (inputs.checker) copyExecutable(inputs.checker.path, join(root, 'checker'))
}

/** Install paths of the applets, e.g. "bin/sh", "usr/bin/env" (busybox itself and top-level names left out). */
function appletPaths(): string[] {
  const list = execFileSync(hostBusyboxPath, ['--list-full'], { encoding: 'utf8' })
  return list
    .split('\n')
    .map((line) => line.trim())
    .filter((path) => path.includes('/') && path !== 'bin/busybox' && !path.split('/').includes('..'))
}

function copyExecutable(from: string, to: string): void {
  copyFileSync(from, to)
  chmodSync(to, 0o755)
}

/** Removing a tree with a live mount inside (say a leaked /proc) would recurse into it. */
function refuseIfMountedUnder(dir: string): void {
  const prefix = `${dir}/`
  const mounted = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mp): mp is string => mp !== undefined)
    .map((mp) => mp.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))))
    .filter((mp) => mp === dir || mp.startsWith(prefix))
  if (mounted.length > 0) {
    throw new Error(`refusing to rebuild ${dir}: mounts remain under it (${mounted.join(', ')}); unmount them first`)
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) {
  const out = process.argv[2] ?? defaultBusyboxRootfsDir
  buildBusyboxRootfs(out)
  process.stdout.write(`${resolve(out)}\n`)
}
