// runtime-linux.md and the Linux environment every container gets: /dev symlinks, default
// devices, file descriptors (0-2 only; --preserve-fds, LISTEN_FDS), stdio, cgroup placement seen
// from /proc/self/cgroup, and exec joining the container.
import { closeSync, openSync, readFileSync, readlinkSync, statSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { describe, procCgroups, Suite, type CheckerReport, type Spec } from './lib'

const s = new Suite('runtime-linux')

const noCgroupNs = (sp: Spec) => { sp.linux!.namespaces = sp.linux!.namespaces!.filter((n) => n.type !== 'cgroup') }

s.test('/dev/fd, /dev/stdin, /dev/stdout, /dev/stderr and /dev/ptmx are the standard symlinks', (t) => {
  const r = s.sh('symlinks', 'for f in fd stdin stdout stderr ptmx; do echo "$f $(readlink /dev/$f)"; done')
  t.is(r.status, 0, describe('run', r))
  t.is(r.stdout, 'fd /proc/self/fd\nstdin /proc/self/fd/0\nstdout /proc/self/fd/1\nstderr /proc/self/fd/2\nptmx pts/ptmx\n')
})

s.test('default devices: null, zero, full, random, urandom, tty are character devices, mode 0666, owned by root', (t) => {
  const r = s.sh('devices', 'cd /dev && stat -c "%n %F %t:%T %a %u:%g" null zero full random urandom tty')
  t.is(r.status, 0, describe('run', r))
  t.is(r.stdout, [
    'null character special file 1:3 666 0:0',
    'zero character special file 1:5 666 0:0',
    'full character special file 1:7 666 0:0',
    'random character special file 1:8 666 0:0',
    'urandom character special file 1:9 666 0:0',
    'tty character special file 5:0 666 0:0',
    '',
  ].join('\n'))
})

s.test('default devices work: /dev/null swallows, /dev/zero and /dev/urandom read, /dev/full is full', (t) => {
  const r = s.sh('devuse', 'echo x > /dev/null && echo null-ok; head -c4 /dev/zero | wc -c; head -c4 /dev/urandom | wc -c; echo x > /dev/full; echo "full=$?"')
  t.is(r.stdout.replace(/ +/g, ''), 'null-ok\n4\n4\nfull=1\n', describe('run', r))
  t.regex(r.stderr, /No space left on device/)
})

s.test('/dev/pts is a new devpts instance (newinstance, ptmxmode=666)', (t) => {
  const rep = s.checker(t, 'devpts')
  const pts = rep.mounts?.find((m) => m.mountpoint === '/dev/pts')
  t.is(pts?.fstype, 'devpts')
  t.true(pts?.superOptions.split(',').includes('ptmxmode=666'), pts?.superOptions)
})

s.test('only fds 0, 1 and 2 reach the process, even when the runtime has more open', (t) => {
  const extra = [openSync('/etc/hostname', 'r'), openSync('/etc/passwd', 'r')]
  try {
    const rep = s.checker(t, 'fds', undefined, { extraFds: extra })
    t.deepEqual(rep.fds.map((f) => f.fd), [0, 1, 2], JSON.stringify(rep.fds))
  } finally {
    extra.forEach((fd) => closeSync(fd))
  }
})

s.test('stdio: after create, the process has the runtime\'s own fds 1 and 2 (here: files)', (t) => {
  const id = s.id('stdio')
  const b = s.bundle(id)
  const c = s.rt(['create', '--bundle', b, id])
  t.is(c.status, 0, describe('create', c))
  t.is(s.rt(['start', id]).status, 0)
  t.true(s.waitStatus(id, 'stopped'))
  const rep = JSON.parse(readFileSync(c.outPath, 'utf8')) as CheckerReport
  t.is(rep.fds[1]?.target, c.outPath)
  t.is(rep.fds[2]?.target, c.errPath)
  s.remove(id)
})

s.test('stdin of the runtime reaches the process', (t) => {
  const r = s.run(s.id('stdin'), ['cat'], undefined, { input: 'through stdin\n' })
  t.is(r.stdout, 'through stdin\n', describe('run', r))
})

s.test('--preserve-fds N passes fds 3..3+N-1 through', (t) => {
  const files = ['/etc/hostname', '/etc/passwd']
  const extra = files.map((f) => openSync(f, 'r'))
  try {
    const id = s.id('preserve')
    const b = s.bundle(id)
    const r = s.rt(['run', '--preserve-fds', '2', '--bundle', b, id], { extraFds: extra })
    t.is(r.status, 0, describe('run', r))
    const rep = JSON.parse(r.stdout) as CheckerReport
    t.deepEqual(rep.fds.map((f) => f.fd), [0, 1, 2, 3, 4])
    t.deepEqual(rep.fds.slice(3).map((f) => f.target), files)
  } finally {
    extra.forEach((fd) => closeSync(fd))
  }
})

s.test('socket activation: LISTEN_FDS=1 (LISTEN_PID = the runtime) passes fd 3 and sets LISTEN_FDS', (t) => {
  const extra = [openSync('/etc/hostname', 'r')]
  try {
    const id = s.id('listen')
    const b = s.bundle(id)
    const r = s.rt(['run', '--bundle', b, id], { extraFds: extra, shellPrefix: 'LISTEN_PID=$$ LISTEN_FDS=1 LISTEN_FDNAMES=x' })
    t.is(r.status, 0, describe('run', r))
    const rep = JSON.parse(r.stdout) as CheckerReport
    t.deepEqual(rep.fds.map((f) => f.fd), [0, 1, 2, 3])
    t.is(rep.fds[3]?.target, '/etc/hostname')
    t.true(rep.env.includes('LISTEN_FDS=1'), rep.env.join(' '))
  } finally {
    extra.forEach((fd) => closeSync(fd))
  }
})

s.test('LISTEN_FDS meant for another process (LISTEN_PID differs) is ignored', (t) => {
  const extra = [openSync('/etc/hostname', 'r')]
  try {
    const id = s.id('listen-other')
    const b = s.bundle(id)
    const r = s.rt(['run', '--bundle', b, id], { extraFds: extra, shellPrefix: 'LISTEN_PID=1 LISTEN_FDS=1' })
    t.is(r.status, 0, describe('run', r))
    t.deepEqual((JSON.parse(r.stdout) as CheckerReport).fds.map((f) => f.fd), [0, 1, 2])
  } finally {
    extra.forEach((fd) => closeSync(fd))
  }
})

s.test('with a cgroup namespace, /proc/self/cgroup shows the container cgroup as / in every hierarchy', (t) => {
  const rep = s.checker(t, 'cgns')
  t.true((rep.cgroup?.length ?? 0) > 0)
  for (const line of rep.cgroup ?? []) t.regex(line, /:\/$/, line)
})

s.test('without a cgroup namespace, /proc/self/cgroup shows cgroupsPath in every hierarchy', (t) => {
  const id = s.id('nocgns')
  const r = s.run(id, ['/checker'], noCgroupNs)
  t.is(r.status, 0, describe('run', r))
  const rep = JSON.parse(r.stdout) as CheckerReport
  const want = `${s.env.cgroupParent}/${id}`
  t.true((rep.cgroup?.length ?? 0) > 0)
  for (const line of rep.cgroup ?? []) t.true(line.endsWith(`:${want}`), `${line} (want ${want})`)
})

s.test('the process is pid 1 with ppid 0, and /proc shows only the container\'s processes', (t) => {
  const r = s.sh('pid1', 'echo $$; echo /proc/[0-9]*') // the glob is expanded by the shell itself
  t.is(r.stdout, '1\n/proc/1\n', describe('run', r))
  const rep = s.checker(t, 'ppid')
  t.is(rep.pid, 1)
  t.is(rep.ppid, 0)
})

s.test('exec joins every namespace and the cgroup of the container', (t) => {
  const id = s.id('exec-join')
  const pid = s.started(t, id)
  const r = s.rt(['exec', id, '/checker'])
  t.is(r.status, 0, describe('exec', r))
  const rep = JSON.parse(r.stdout) as CheckerReport
  for (const [name, file] of [['mnt', 'mnt'], ['pid', 'pid'], ['net', 'net'], ['ipc', 'ipc'], ['uts', 'uts'], ['cgroup', 'cgroup']] as const)
    t.is(rep.namespaces[name], statSync(`/proc/${pid}/ns/${file}`).ino, name)
  t.not(rep.pid, 1)
  const [self, init] = s.rt(['exec', id, 'sh', '-c', 'cat /proc/self/cgroup; echo --; cat /proc/1/cgroup']).stdout.split('--\n')
  t.is(self, init)
  s.remove(id)
})

s.test('an exec process is placed in the container cgroup (host view)', (t) => {
  const id = s.id('exec-cg')
  const pid = s.started(t, id)
  const pidFile = join(s.env.dir, `${id}.exec.pid`)
  t.is(s.rt(['exec', '-d', '--pid-file', pidFile, id, 'sleep', '1000']).status, 0)
  t.deepEqual(procCgroups(Number(readFileSync(pidFile, 'utf8'))), procCgroups(pid))
  s.remove(id)
})

s.test('mounts and hostname changes inside do not reach the host', (t) => {
  const before = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length
  const r = s.sh('private', 'mount -t tmpfs none /tmp && hostname changed-inside && echo done', (sp) => {
    const caps = ['CAP_SYS_ADMIN']
    sp.process!.capabilities = { bounding: caps, permitted: caps, effective: caps }
  })
  t.is(r.stdout, 'done\n', describe('run', r))
  t.not(hostname(), 'changed-inside')
  t.is(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length, before)
})

s.test('/proc/self/exe of the process is the program itself, not the runtime', (t) => {
  const id = s.id('exe')
  const pid = s.started(t, id)
  t.is(readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '').split('/').pop(), 'busybox')
  s.remove(id)
})

s.finish()
