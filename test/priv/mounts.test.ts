// Mounts as the config asks: recursive attributes, tmpcopyup, idmap, errors naming the mount, the root
// (read-only, propagation, --no-pivot), masked paths, devices.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Spec } from '../../src/spec'
import { errorMsg, fixtureRootfs, makeEnv, mountsMentioning, requires, rootReason, type Env } from './harness'
import { parseCheckerReport, type CheckerReport } from '../../rootfs-fixtures/checker-report'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
let env: Env
const hostMounts: string[] = []
test.before(() => { if (r.ok) env = makeEnv() })
test.after.always(() => {
  if (!r.ok) return
  for (const m of hostMounts.reverse()) spawnSync('umount', ['-l', m])
  env.cleanup()
})

function hostMount(args: string[], target: string): void {
  mkdirSync(target, { recursive: true })
  const res = spawnSync('mount', [...args, target], { encoding: 'utf8' })
  if (res.status !== 0) throw new Error(`mount ${args.join(' ')} ${target}: ${res.stderr}`)
  hostMounts.push(target)
}

function run(id: string, edit: (s: Spec) => void, args: string[] = []): ReturnType<Env['run']> {
  return env.run(['run', ...args, '--bundle', env.bundle(id, edit), id])
}
function check(id: string, edit: (s: Spec) => void, args: string[] = []): CheckerReport {
  const out = run(id, edit, args)
  if (out.status !== 0) throw new Error(`run ${id}: ${errorMsg(out.stderr)}`)
  return parseCheckerReport(out.stdout)
}
function sh(id: string, script: string, edit: (s: Spec) => void = () => {}, args: string[] = []): string {
  const out = run(id, (s) => { edit(s); s.process!.args = ['sh', '-c', script] }, args)
  if (out.status !== 0) throw new Error(`run ${id}: ${errorMsg(out.stderr)}`)
  return out.stdout
}
const at = (rep: CheckerReport, p: string) => (rep.mounts ?? []).filter((m) => m.mountpoint === p).pop()
const opts = (rep: CheckerReport, p: string): string[] => at(rep, p)?.options.split(',') ?? []

/** mountinfo lines seen in the container, by mount point: the optional fields (shared:N, master:N, unbindable). */
function propagationOf(mountinfo: string, mountpoint: string): string {
  const line = mountinfo.trim().split('\n').filter((l) => l.split(' ')[4] === mountpoint).pop() ?? ''
  const f = line.split(' ')
  return f.slice(6, f.indexOf('-')).join(' ')
}

t0(r.title('recursive r* attributes reach submounts; plain ro only the top'), (t) => {
  const src = join(env.dir, 'rsrc')
  hostMount(['-t', 'tmpfs', 'tmpfs'], src)
  hostMount(['-t', 'tmpfs', 'tmpfs'], join(src, 'sub'))
  const rep = check('rattr', (s) => {
    s.mounts!.push(
      { destination: '/rec', type: 'bind', source: src, options: ['rbind', 'rro', 'rnosuid', 'rnodev', 'rnoexec', 'rnoatime', 'rnosymfollow'] },
      { destination: '/top', type: 'bind', source: src, options: ['rbind', 'ro'] },
      { destination: '/strict', type: 'bind', source: src, options: ['rbind', 'rstrictatime', 'rnodiratime'] },
    )
  })
  for (const p of ['/rec', '/rec/sub']) for (const o of ['ro', 'nosuid', 'nodev', 'noexec', 'noatime', 'nosymfollow']) t.true(opts(rep, p).includes(o), `${p} ${o}: ${opts(rep, p)}`)
  t.true(opts(rep, '/top').includes('ro'))
  t.true(opts(rep, '/top/sub').includes('rw'), 'ro without r applies to the top mount only')
  for (const p of ['/strict', '/strict/sub']) {
    t.false(opts(rep, p).includes('relatime'), `${p}: ${opts(rep, p)}`)
    t.true(opts(rep, p).includes('nodiratime'), `${p}: ${opts(rep, p)}`)
  }
})

t0(r.title('tmpcopyup: a tmpfs over /etc starts with its contents; writes stay in the tmpfs'), (t) => {
  const out = sh('copyup', 'cat /etc/hostname; ls -ld /root | cut -c1-10; echo new > /etc/hostname; cat /etc/hostname; grep " /etc " /proc/self/mountinfo | cut -d" " -f9; touch /ro/x 2>&1 | grep -c Read-only; ls /ro', (s) => {
    s.mounts!.push(
      { destination: '/etc', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup', 'nosuid'] },
      { destination: '/root', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup'] },
      { destination: '/ro', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup', 'ro'] },
    )
  })
  t.deepEqual(out.trim().split('\n'), ['tsrun', 'drwx------', 'new', 'tmpfs', '1'])
  t.is(readFileSync(join(fixtureRootfs(), 'etc/hostname'), 'utf8'), 'tsrun\n', 'the rootfs is untouched')
})

t0(r.title('idmap: files owned by 0 on disk appear as the mapped owner, also through the container user namespace'), (t) => {
  const src = join(env.dir, 'idsrc')
  mkdirSync(src, { recursive: true })
  chmodSync(env.dir, 0o755) // the plain bind is made by the init as root of the user namespace, uid 100000 outside
  writeFileSync(join(src, 'f'), 'x')
  chownSync(join(src, 'f'), 0, 0)
  const out = sh('idmap', 'stat -c "%u:%g" /mapped/f /plain/f', (s) => {
    s.mounts!.push(
      { destination: '/mapped', type: 'bind', source: src, options: ['bind', 'idmap'], uidMappings: [{ containerID: 0, hostID: 1234, size: 1 }], gidMappings: [{ containerID: 0, hostID: 4321, size: 1 }] },
      { destination: '/plain', type: 'bind', source: src, options: ['bind'] },
    )
  })
  t.deepEqual(out.trim().split('\n'), ['1234:4321', '0:0'])
  const inNs = sh('idmapns', 'stat -c "%u:%g" /mapped/f /plain/f', (s) => {
    s.linux!.namespaces!.push({ type: 'user' })
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
    s.mounts!.push(
      { destination: '/mapped', type: 'bind', source: src, options: ['rbind', 'ridmap'] },
      { destination: '/plain', type: 'bind', source: src, options: ['bind'] },
    )
  })
  // mapped: on-disk 0 → host 100000 → root in the container; plain: host 0 is unmapped in the container (65534)
  t.deepEqual(inNs.trim().split('\n'), ['0:0', '65534:65534'])
  t.deepEqual(mountsMentioning(src), [], 'no mount left on the host')
})

t0(r.title('failures name the mount: a missing bind source, a mount the kernel refuses'), (t) => {
  const missing = run('nosrc', (s) => { s.mounts!.push({ destination: '/etc/hosts', type: 'bind', source: '/nonexistent/hosts', options: ['rbind'] }) })
  t.is(missing.status, 1)
  t.regex(errorMsg(missing.stderr), /: mounts\[7\] \(bind \/nonexistent\/hosts on \/etc\/hosts\): ENOENT: no such file or directory$/)
  const bad = run('badopt', (s) => { s.mounts!.push({ destination: '/bad', type: 'tmpfs', source: 'tmpfs', options: ['size=lots'] }) })
  t.is(bad.status, 1)
  t.regex(errorMsg(bad.stderr), /mounts\[7\] \(tmpfs on \/bad\): EINVAL: invalid argument$/)
  t.false(existsSync(join(fixtureRootfs(), 'nonexistent')))
  const mask = run('badnull', (s) => {
    const file = join(env.dir, 'not-null')
    writeFileSync(file, '')
    s.mounts!.push({ destination: '/dev/null', type: 'bind', source: file, options: ['bind'] })
  })
  t.is(mask.status, 1, 'a /dev/null that is not the null device is never used to mask')
  t.regex(errorMsg(mask.stderr), /: linux\.maskedPaths\[\d+\] \(\/proc\/\w+\): ENODEV/)
})

t0(r.title('root.readonly keeps the root bind\'s nosuid and nodev'), (t) => {
  const tmp = join(env.dir, 'nosuidfs')
  hostMount(['-t', 'tmpfs', '-o', 'nosuid,nodev', 'tmpfs'], tmp)
  spawnSync('cp', ['-a', fixtureRootfs(), join(tmp, 'rootfs')])
  const rep = check('rootro', (s) => { s.root = { path: join(tmp, 'rootfs'), readonly: true } })
  t.deepEqual(opts(rep, '/').filter((o) => ['ro', 'nosuid', 'nodev'].includes(o)).sort(), ['nodev', 'nosuid', 'ro'])
  const w = sh('rootro2', 'touch /x 2>&1 | grep -c Read-only', (s) => { s.root = { path: join(tmp, 'rootfs'), readonly: true } })
  t.is(w.trim(), '1')
})

const PROPAGATIONS: [string, RegExp, RegExp][] = [
  // value, what / shows, what /proc (a mount made inside the container before pivot_root) shows
  ['private', /^$/, /^$/], ['rprivate', /^$/, /^$/],
  ['shared', /^shared:\d+$/, /^$/], ['rshared', /^shared:\d+$/, /^shared:\d+$/],
  ['slave', /^$/, /^$/], ['rslave', /^$/, /^$/],
  ['unbindable', /^unbindable$/, /^$/], ['runbindable', /^unbindable$/, /^unbindable$/],
]
for (const [prop, root, proc] of PROPAGATIONS) {
  t0(r.title(`rootfsPropagation ${prop}`), (t) => {
    const info = sh(`prop-${prop}`, 'cat /proc/self/mountinfo', (s) => { s.linux!.rootfsPropagation = prop as never })
    t.regex(propagationOf(info, '/'), root)
    t.regex(propagationOf(info, '/proc'), proc)
  })
}

t0(r.title('--no-pivot: the same mounts, masked paths and read-only root without pivot_root'), (t) => {
  const rep = check('nopivot', (s) => { s.root!.readonly = true }, ['--no-pivot'])
  t.is(at(rep, '/proc')?.fstype, 'proc')
  t.is(at(rep, '/dev')?.fstype, 'tmpfs')
  t.true(opts(rep, '/').includes('ro'))
  t.truthy(at(rep, '/proc/keys'), 'masked')
  t.true(opts(rep, '/proc/sys').includes('ro'), 'read-only path')
})

t0(r.title('masked paths: files are the real /dev/null, directories share one read-only tmpfs'), (t) => {
  const out = sh('masks', 'stat -c "%F %t:%T" /proc/keys /proc/timer_list; grep -E " (/proc/acpi|/sys/firmware|/proc/scsi|/mnt/a|/mnt/b) " /proc/self/mountinfo', (s) => {
    s.mounts!.push({ destination: '/mnt/a', type: 'tmpfs', source: 'tmpfs' }, { destination: '/mnt/b', type: 'tmpfs', source: 'tmpfs' })
    s.linux!.maskedPaths!.push('/mnt/a', '/mnt/b', '/does/not/exist')
  })
  const lines = out.trim().split('\n')
  t.deepEqual(lines.slice(0, 2), ['character special file 1:3', 'character special file 1:3'])
  const last = new Map(lines.slice(2).map((l) => [l.split(' ')[4], l.split(' ')])) // the top mount at each path
  const dirs = [...last.values()]
  t.true(dirs.length >= 3, out)
  t.is(new Set(dirs.map((f) => f[2])).size, 1, `one tmpfs (one device number) for every masked directory:\n${out}`)
  for (const f of dirs) {
    t.true(f[5]!.split(',').includes('ro'), f.join(' '))
    t.is(f[f.indexOf('-') + 1], 'tmpfs')
  }
})

t0(r.title('linux.devices: created with mknod with mode and owner'), (t) => {
  const out = sh('mknod', 'stat -c "%n %F %t:%T %a %u:%g" /dev/myfull /dev/sub/zero; grep -c " /dev/myfull " /proc/self/mountinfo || true', (s) => {
    s.linux!.devices = [
      { path: '/dev/myfull', type: 'c', major: 1, minor: 7, fileMode: 0o640, uid: 1, gid: 2 },
      { path: '/dev/sub/zero', type: 'c', major: 1, minor: 5, fileMode: 0o666 },
    ]
    s.linux!.resources = { devices: [{ allow: false, access: 'rwm' }] }
  })
  t.deepEqual(out.trim().split('\n'), ['/dev/myfull character special file 1:7 640 1:2', '/dev/sub/zero character special file 1:5 666 0:0', '0'])
})

t0(r.title('linux.devices in a user namespace: bind mounts of the host nodes'), (t) => {
  const out = sh('devns', 'stat -c "%n %F %t:%T" /dev/fuse /dev/null; grep -cE " /dev/(fuse|null) " /proc/self/mountinfo; echo x > /dev/null && echo writable', (s) => {
    s.linux!.namespaces!.push({ type: 'user' })
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
    s.linux!.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }]
  })
  t.deepEqual(out.trim().split('\n'), ['/dev/fuse character special file a:e5', '/dev/null character special file 1:3', '2', 'writable'])
  const missing = run('devns2', (s) => {
    s.linux!.namespaces!.push({ type: 'user' })
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
    s.linux!.devices = [{ path: '/dev/tsrun-no-such-device', type: 'c', major: 10, minor: 229 }]
  })
  t.is(missing.status, 1)
  t.regex(errorMsg(missing.stderr), /: linux\.devices\[0\] \(\/dev\/tsrun-no-such-device\): ENOENT: no such file or directory$/)
})
