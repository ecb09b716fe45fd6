// config.md "Root", "Mounts", "Hostname"/"Domainname", and config-linux.md masked/readonly paths.
// The busybox fixture rootfs is shared: nothing here writes into it (writes go to tmpfs or binds).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, fixtureRootfs, Suite, type CheckerReport, type Spec } from './lib'

const s = new Suite('config')

const mount = (rep: CheckerReport, mountpoint: string) => rep.mounts?.filter((m) => m.mountpoint === mountpoint).pop()
const opts = (o: string | undefined) => new Set((o ?? '').split(','))

// ---- root ----

s.test('root.path relative to the bundle (as ctr writes it)', (t) => {
  const id = s.id('relroot')
  const b = s.bundle(id, ['/checker'], (sp) => { sp.root!.path = 'rootfs' })
  const rootfs = join(b, 'rootfs') // a bind of the fixture: runc refuses a symlinked rootfs
  mkdirSync(rootfs)
  execFileSync('mount', ['--bind', fixtureRootfs(), rootfs])
  try {
    const r = s.rt(['run', '--bundle', b, id])
    t.is(r.status, 0, describe('run', r))
    t.is((JSON.parse(r.stdout) as CheckerReport).pid, 1)
  } finally {
    execFileSync('umount', ['-l', rootfs])
  }
})

s.test('root.readonly: / is mounted read-only and writes fail with EROFS; other mounts stay writable', (t) => {
  const r = s.sh('ro', 'touch /x; echo "rc=$?"; echo ok > /dev/shm/f && cat /dev/shm/f', (sp) => { sp.root!.readonly = true })
  t.is(r.status, 0, describe('run', r))
  t.is(r.stdout, 'rc=1\nok\n')
  t.regex(r.stderr, /Read-only file system/)
  const rep = s.checker(t, 'ro-check', (sp) => { sp.root!.readonly = true })
  t.true(opts(mount(rep, '/')?.options).has('ro'), JSON.stringify(mount(rep, '/')))
})

s.test('root.readonly false: / is mounted read-write', (t) => {
  const rep = s.checker(t, 'rw-check', (sp) => { sp.root!.readonly = false })
  t.true(opts(mount(rep, '/')?.options).has('rw'), JSON.stringify(mount(rep, '/')))
})

// ---- hostname / domainname ----

s.test('hostname is set in the new UTS namespace', (t) => {
  t.is(s.checker(t, 'hostname', (sp) => { sp.hostname = 'conformance-host' }).hostname, 'conformance-host')
})

s.test('hostname without a private UTS namespace: create fails and leaves no container', (t) => {
  const id = s.id('hostname-nouts')
  const b = s.bundle(id, ['true'], (sp) => {
    sp.hostname = 'x'
    sp.linux!.namespaces = sp.linux!.namespaces!.filter((n) => n.type !== 'uts')
  })
  const r = s.rt(['create', '--bundle', b, id])
  t.is(r.status, 1)
  t.true(r.msg.includes('unable to set hostname without a private UTS namespace'), r.msg)
  t.is(s.rt(['state', id]).status, 1)
})

s.runcDeviation('domainname is set in the new UTS namespace (spec 1.1)', 'domainname is ignored', (t) => {
  t.is(s.checker(t, 'domainname', (sp) => { (sp as unknown as Record<string, unknown>).domainname = 'example.org' }).domainname, 'example.org')
})

// ---- mounts ----

s.test('the default mounts: proc, /dev tmpfs, devpts, shm, mqueue, sysfs read-only', (t) => {
  const rep = s.checker(t, 'defmounts')
  t.is(mount(rep, '/proc')?.fstype, 'proc')
  t.is(mount(rep, '/dev')?.fstype, 'tmpfs')
  t.is(mount(rep, '/dev/pts')?.fstype, 'devpts')
  t.is(mount(rep, '/dev/shm')?.fstype, 'tmpfs')
  t.is(mount(rep, '/dev/mqueue')?.fstype, 'mqueue')
  t.is(mount(rep, '/sys')?.fstype, 'sysfs')
  t.true(opts(mount(rep, '/sys')?.options).has('ro'))
  for (const o of ['nosuid', 'noexec', 'nodev']) t.true(opts(mount(rep, '/dev/shm')?.options).has(o), o)
})

s.test('bind mount read-write: the container sees the host files and its writes reach the host', (t) => {
  const dir = s.scratch('bind-rw')
  writeFileSync(join(dir, 'from-host'), 'host\n')
  const r = s.sh('bind-rw', 'cat /home/from-host && echo container > /home/from-container', (sp) => {
    sp.mounts!.push({ destination: '/home', type: 'bind', source: dir, options: ['rbind', 'rw'] })
  })
  t.is(r.status, 0, describe('run', r))
  t.is(r.stdout, 'host\n')
  t.is(readFileSync(join(dir, 'from-container'), 'utf8'), 'container\n')
})

s.test('bind mount read-only: readable, writes fail with EROFS, the mount is ro', (t) => {
  const dir = s.scratch('bind-ro')
  writeFileSync(join(dir, 'f'), 'data\n')
  const edit = (sp: Spec) => { sp.mounts!.push({ destination: '/home', type: 'bind', source: dir, options: ['rbind', 'ro'] }) }
  const r = s.sh('bind-ro', 'cat /home/f; echo x > /home/g; echo "rc=$?"', edit)
  t.is(r.stdout, 'data\nrc=1\n', describe('run', r))
  t.regex(r.stderr, /Read-only file system/)
  t.false(existsSync(join(dir, 'g')))
  t.true(opts(mount(s.checker(t, 'bind-ro-check', edit), '/home')?.options).has('ro'))
})

s.test('bind mount of a single file', (t) => {
  const dir = s.scratch('bind-file')
  writeFileSync(join(dir, 'motd'), 'hello file\n')
  const r = s.run(s.id('bind-file'), ['cat', '/etc/hostname'], (sp) => {
    sp.mounts!.push({ destination: '/etc/hostname', type: 'bind', source: join(dir, 'motd'), options: ['bind', 'ro'] })
  })
  t.is(r.status, 0, describe('run', r))
  t.is(r.stdout, 'hello file\n')
})

s.test('tmpfs options: size and mode reach the superblock; nosuid,nodev,noexec the mount', (t) => {
  const rep = s.checker(t, 'tmpfs', (sp) => {
    sp.mounts!.push({ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', 'size=1m', 'mode=700'] })
  })
  const m = mount(rep, '/run')
  t.is(m?.fstype, 'tmpfs')
  const sup = opts(m?.superOptions)
  t.true(sup.has('size=1024k'), m?.superOptions)
  t.true(sup.has('mode=700'), m?.superOptions)
  for (const o of ['nosuid', 'nodev', 'noexec']) t.true(opts(m?.options).has(o), `${o} in ${m?.options}`)
})

s.test('a noexec tmpfs refuses to execute a binary copied into it', (t) => {
  const r = s.sh('noexec', 'cp /bin/busybox /run/bb && /run/bb true; echo "rc=$?"', (sp) => {
    sp.mounts!.push({ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['noexec'] })
  })
  t.is(r.stdout, 'rc=126\n', describe('run', r))
})

s.test('a read-only tmpfs (option ro)', (t) => {
  const r = s.sh('tmpfs-ro', 'touch /run/x; echo "rc=$?"', (sp) => {
    sp.mounts!.push({ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['ro'] })
  })
  t.is(r.stdout, 'rc=1\n', describe('run', r))
})

s.test('mounts are made in order; a missing destination is created (here inside an earlier tmpfs)', (t) => {
  const dir = s.scratch('nested')
  writeFileSync(join(dir, 'inner'), 'inner\n')
  const r = s.sh('nested', 'cat /run/a/b/inner; ls -d /run/a', (sp) => {
    sp.mounts!.push({ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: [] })
    sp.mounts!.push({ destination: '/run/a/b', type: 'bind', source: dir, options: ['rbind'] })
  })
  t.is(r.status, 0, describe('run', r))
  t.is(r.stdout, 'inner\n/run/a\n')
})

s.test('a later mount on the same destination hides the earlier one', (t) => {
  const one = s.scratch('over-1')
  const two = s.scratch('over-2')
  writeFileSync(join(one, 'which'), 'one\n')
  writeFileSync(join(two, 'which'), 'two\n')
  const r = s.sh('over', 'cat /home/which', (sp) => {
    sp.mounts!.push({ destination: '/home', type: 'bind', source: one, options: ['rbind'] })
    sp.mounts!.push({ destination: '/home', type: 'bind', source: two, options: ['rbind'] })
  })
  t.is(r.stdout, 'two\n', describe('run', r))
})

s.test('a bind mount with a missing source: create fails and leaves no container or mount', (t) => {
  const id = s.id('nosource')
  const b = s.bundle(id, ['true'], (sp) => {
    sp.mounts!.push({ destination: '/home', type: 'bind', source: join(s.env.dir, 'does-not-exist'), options: ['rbind'] })
  })
  const r = s.rt(['create', '--bundle', b, id])
  t.is(r.status, 1)
  t.regex(r.msg, /no such file or directory/)
  t.is(s.rt(['state', id]).status, 1)
})

// ---- masked and readonly paths ----

s.test('default masked paths read as empty (/proc/timer_list, /proc/keys) and /sys/firmware is an empty directory', (t) => {
  const r = s.sh('masked-default', 'for f in /proc/timer_list /proc/keys; do printf "%s:%s\\n" $f "$(wc -c < $f)"; done; ls -A /sys/firmware | wc -l')
  t.is(r.status, 0, describe('run', r))
  t.is(r.stdout.replace(/ +/g, ''), '/proc/timer_list:0\n/proc/keys:0\n0\n')
})

s.test('masked paths: a file reads empty, a directory is empty and read-only, a missing path is ignored', (t) => {
  const dir = s.scratch('masked')
  writeFileSync(join(dir, 'secret'), 'secret\n')
  mkdirSync(join(dir, 'sub'))
  writeFileSync(join(dir, 'sub', 'inside'), 'x')
  const r = s.sh('masked', 'wc -c < /home/secret; ls -A /home/sub | wc -l; touch /home/sub/new; echo "rc=$?"', (sp) => {
    sp.mounts!.push({ destination: '/home', type: 'bind', source: dir, options: ['rbind', 'rw'] })
    sp.linux!.maskedPaths = ['/home/secret', '/home/sub', '/home/not-there']
  })
  t.is(r.status, 0, describe('run', r))
  t.is(r.stdout.replace(/ +/g, ''), '0\n0\nrc=1\n')
  t.false(existsSync(join(dir, 'sub', 'new')))
})

s.test('readonly paths: /proc/sys and a configured directory refuse writes with EROFS', (t) => {
  const dir = s.scratch('rop')
  const r = s.sh('rop', 'echo x > /proc/sys/kernel/hostname; echo "rc=$?"; touch /home/f; echo "rc=$?"', (sp) => {
    sp.mounts!.push({ destination: '/home', type: 'bind', source: dir, options: ['rbind', 'rw'] })
    sp.linux!.readonlyPaths = ['/proc/sys', '/home']
  })
  t.is(r.stdout, 'rc=1\nrc=1\n', describe('run', r))
  t.regex(r.stderr, /Read-only file system/)
  t.false(existsSync(join(dir, 'f')))
})

s.finish()
