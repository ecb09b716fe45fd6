// What the process inside sees: new or joined namespaces, hostname, /, /proc, /dev, env, cwd, fds.
import test from 'ava'
import { statSync } from 'node:fs'
import { makeEnv, parseState, requires, rootReason, type Env } from './harness'
import { parseCheckerReport, type CheckerReport } from '../../rootfs-fixtures/checker-report'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
let env: Env
test.before(() => { if (r.ok) env = makeEnv() })
test.after.always(() => { if (r.ok) env.cleanup() })

const hostNs = (name: string): number => statSync(`/proc/self/ns/${name}`).ino

function check(id: string, edit?: Parameters<Env['bundle']>[1]): CheckerReport {
  const b = env.bundle(id, edit)
  const out = env.run(['run', '--bundle', b, id])
  if (out.status !== 0) throw new Error(`run ${id}: ${out.status} ${out.stderr}`)
  return parseCheckerReport(out.stdout)
}

t0(r.title('all eight namespace types are new (inode differs from the host)'), (t) => {
  const rep = check('allns', (s) => {
    s.linux!.namespaces = ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup', 'time', 'user'].map((type) => ({ type: type as never }))
    s.linux!.uidMappings = [{ containerID: 0, hostID: 0, size: 65536 }]
    s.linux!.gidMappings = [{ containerID: 0, hostID: 0, size: 65536 }]
  })
  for (const ns of ['mnt', 'pid', 'net', 'ipc', 'uts', 'user', 'cgroup', 'time'] as const)
    t.not(rep.namespaces[ns], hostNs(ns), `${ns} namespace should be new`)
  t.is(rep.pid, 1)
  t.is(rep.uid, 0)
})

t0(r.title('user namespace maps uids: root inside is 100000 outside'), (t) => {
  const b = env.bundle('userns', (s) => {
    s.linux!.namespaces!.push({ type: 'user' })
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
    s.process!.args = ['sleep', '100']
  })
  t.is(env.run(['run', '-d', '--bundle', b, 'userns']).status, 0)
  const pid = parseState(env.run(['state', 'userns']).stdout).pid
  t.is(statSync(`/proc/${pid}`).uid, 100000)
  t.not(statSync(`/proc/${pid}/ns/user`).ino, hostNs('user'))
  env.run(['delete', '--force', 'userns'])
})

t0(r.title('a namespace given by path is joined'), (t) => {
  const b = env.bundle('owner', (s) => { s.process!.args = ['sleep', '100'] })
  t.is(env.run(['run', '-d', '--bundle', b, 'owner']).status, 0)
  const pid = parseState(env.run(['state', 'owner']).stdout).pid
  const rep = check('joiner', (s) => {
    s.linux!.namespaces = s.linux!.namespaces!.map((n) => (n.type === 'network' || n.type === 'ipc' || n.type === 'uts'
      ? { type: n.type, path: `/proc/${pid}/ns/${n.type === 'network' ? 'net' : n.type}` } : n))
    delete s.hostname
  })
  t.is(rep.namespaces.net, statSync(`/proc/${pid}/ns/net`).ino)
  t.is(rep.namespaces.ipc, statSync(`/proc/${pid}/ns/ipc`).ino)
  t.is(rep.namespaces.uts, statSync(`/proc/${pid}/ns/uts`).ino)
  t.not(rep.namespaces.pid, statSync(`/proc/${pid}/ns/pid`).ino)
  env.run(['delete', '--force', 'owner'])
})

t0(r.title('hostname, env, HOME, cwd, umask and only stdio fds'), (t) => {
  const rep = check('view', (s) => {
    s.hostname = 'tsrun-test-host'
    s.process!.env = ['PATH=/bin:/usr/bin', 'FOO=bar baz']
    s.process!.cwd = '/tmp'
  })
  t.is(rep.hostname, 'tsrun-test-host')
  t.true(rep.env.includes('FOO=bar baz'))
  t.true(rep.env.includes('HOME=/root'), 'HOME is added from /etc/passwd when missing')
  t.is(rep.cwd, '/tmp')
  t.is(rep.umask, 0o022)
  t.deepEqual(rep.fds.map((f) => f.fd).sort(), [0, 1, 2], 'no fd but stdio reaches the container')
})

t0(r.title('/ is the rootfs, /proc is a new procfs, /dev has the default devices and links'), (t) => {
  const rep = check('mounts')
  const at = (p: string) => (rep.mounts ?? []).filter((m) => m.mountpoint === p).pop()
  t.is(at('/proc')?.fstype, 'proc')
  t.is(at('/dev')?.fstype, 'tmpfs')
  t.is(at('/dev/pts')?.fstype, 'devpts')
  t.is(at('/dev/shm')?.fstype, 'tmpfs')
  t.is(at('/dev/mqueue')?.fstype, 'mqueue')
  t.is(at('/sys')?.fstype, 'sysfs')
  t.truthy(at('/'))
  const b = env.bundle('devs', (s) => { s.process!.args = ['sh', '-c', 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done; for l in fd stdin ptmx; do readlink /dev/$l; done; ls /'] })
  const out = env.run(['run', '--bundle', b, 'devs'])
  t.is(out.status, 0, out.stderr)
  t.is(out.stdout.split('\n').slice(0, 6).join('\n'), [
    '/dev/null character special file 1:3', '/dev/zero character special file 1:5', '/dev/full character special file 1:7',
    '/dev/random character special file 1:8', '/dev/urandom character special file 1:9', '/dev/tty character special file 5:0'].join('\n'))
  t.regex(out.stdout, /\/proc\/self\/fd\n\/proc\/self\/fd\/0\npts\/ptmx\n/)
  t.regex(out.stdout, /checker/)
})

t0(r.title('masked and read-only paths'), (t) => {
  const b = env.bundle('mask', (s) => {
    s.process!.args = ['sh', '-c', 'cat /proc/kcore | wc -c; ls /proc/acpi 2>&1 | wc -l; echo x > /proc/sys/kernel/domainname 2>/dev/null && echo writable || echo readonly']
  })
  const out = env.run(['run', '--bundle', b, 'mask'])
  t.is(out.status, 0, out.stderr)
  t.deepEqual(out.stdout.trim().split('\n').map((l) => l.trim()), ['0', '0', 'readonly'])
})
