// A rootfs that tries to redirect the runtime out of it: mount destinations, masked and read-only paths, device
// nodes and the cwd as symlinks to the host's / or to a host directory, and cwd through /proc/self/fd. The container
// starts or fails cleanly; nothing on the host is mounted over, created or written. Plus overlay root filesystems.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Spec } from '../../src/spec'
import { errorMsg, fixtureRootfs, makeEnv, requires, rootReason, type Env } from './harness'
import { parseCheckerReport } from '../../rootfs-fixtures/checker-report'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
let env: Env
let rootfs = ''
let hostDir = ''
let hostMountinfo = ''
const hostMounts: string[] = []

const mountinfoShape = (): string => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ').slice(3, 5).join(' ')).sort().join('\n')

test.before(() => {
  if (!r.ok) return
  env = makeEnv()
  hostDir = join(env.dir, 'host-victim')
  mkdirSync(hostDir)
  writeFileSync(join(hostDir, 'marker'), 'host\n')
  rootfs = join(env.dir, 'evil-rootfs')
  spawnSync('cp', ['-a', fixtureRootfs(), rootfs])
  for (const [name, target] of [['to-root', '/'], ['to-host', hostDir], ['to-etc', '/etc'], ['to-proc', '/proc/self/fd/5']])
    symlinkSync(target!, join(rootfs, name!))
  hostMountinfo = mountinfoShape()
})
test.after.always(() => {
  if (!r.ok) return
  for (const m of hostMounts.reverse()) spawnSync('umount', ['-l', m])
  env.cleanup()
})

function run(id: string, edit: (s: Spec) => void, script?: string): ReturnType<Env['run']> {
  return env.run(['run', '--bundle', env.bundle(id, (s) => {
    s.root = { path: rootfs, readonly: false }
    if (script) s.process!.args = ['sh', '-c', script]
    edit(s)
  }), id])
}

/** Nothing reached the host: the victim dir holds only its marker, host / and /etc have no new entries or mounts. */
function hostUntouched(t: import('ava').ExecutionContext, hostRootBefore: string[], etcBefore: string[]): void {
  t.deepEqual(readdirSync(hostDir), ['marker'])
  t.is(readFileSync(join(hostDir, 'marker'), 'utf8'), 'host\n')
  t.deepEqual(readdirSync('/').sort(), hostRootBefore)
  t.deepEqual(readdirSync('/etc').sort(), etcBefore)
  t.is(mountinfoShape(), hostMountinfo, 'the host mount table is unchanged')
}

const snapshot = (): [string[], string[]] => [readdirSync('/').sort(), readdirSync('/etc').sort()]

t0(r.title('mount destinations through symlinks to / and to a host dir stay inside the rootfs'), (t) => {
  const [root, etc] = snapshot()
  const out = run('dest-root', (s) => {
    s.mounts!.push({ destination: '/to-root/etc', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup'] })
    s.mounts!.push({ destination: '/to-etc/hosts', type: 'bind', source: join(env.dir, 'hosts'), options: ['bind', 'ro'] })
    writeFileSync(join(env.dir, 'hosts'), '10.0.0.1 bound\n')
  }, 'grep " /etc " /proc/self/mountinfo | cut -d" " -f9; cat /etc/hosts; echo pwned > /etc/pwned && echo wrote')
  t.is(out.status, 0, errorMsg(out.stderr))
  t.deepEqual(out.stdout.trim().split('\n'), ['tmpfs', '10.0.0.1 bound', 'wrote'])
  for (const dest of ['/to-host', '/to-host/newfile', '/to-host/sub/dir']) {
    const bad = run(`dest-host${dest.split('/').length}`, (s) => {
      s.mounts!.push(dest.endsWith('newfile')
        ? { destination: dest, type: 'bind', source: join(env.dir, 'hosts'), options: ['bind'] }
        : { destination: dest, type: 'tmpfs', source: 'tmpfs' })
    })
    if (bad.status !== 0) t.regex(errorMsg(bad.stderr), /mounts\[7\] \(.* on \/to-host.*\): E[A-Z]+: /, 'fails naming the mount')
  }
  hostUntouched(t, root, etc)
})

t0(r.title('masked and read-only paths through symlinks are refused (ELOOP), never followed to the host'), (t) => {
  // a masked or read-only path is resolved without following symlinks (CVE-2025-52881: a planted /proc symlink)
  for (const [id, edit] of [
    ['mask-links', (s: Spec) => { s.linux!.maskedPaths!.push('/to-etc/hostname') }],
    ['ro-links', (s: Spec) => { s.linux!.readonlyPaths!.push('/to-host/marker') }],
  ] as const) {
    const [root, etc] = snapshot()
    const out = run(id, edit, 'true')
    t.is(out.status, 1, `${id}: a symlink on the way must refuse the container`)
    t.regex(errorMsg(out.stderr), /linux\.(maskedPaths|readonlyPaths)\[\d+\] \(\/to-(etc|host)\/\w+\): ELOOP/)
    hostUntouched(t, root, etc)
  }
})

t0(r.title('device nodes under a symlinked directory are not created on the host'), (t) => {
  const [root, etc] = snapshot()
  const out = run('dev-links', (s) => { s.linux!.devices = [{ path: '/to-host/null', type: 'c', major: 1, minor: 3 }] })
  if (out.status !== 0) t.regex(errorMsg(out.stderr), /linux\.devices\[0\] \(\/to-host\/null\): E[A-Z]+/)
  hostUntouched(t, root, etc)
})

t0(r.title('cwd: a symlink to / stays in the rootfs; /proc/self/fd/N and a host dir are refused'), (t) => {
  const [root, etc] = snapshot()
  const ok = run('cwd-root', (s) => { s.process!.cwd = '/to-root' })
  t.is(ok.status, 0, errorMsg(ok.stderr))
  t.is(parseCheckerReport(ok.stdout).cwd, '/')
  for (const cwd of ['/to-proc', '/proc/self/fd/5', '/proc/self/cwd', '/to-host']) {
    const bad = run(`cwd${cwd.replace(/\W/g, '-')}`, (s) => { s.process!.cwd = cwd })
    t.is(bad.status, 1, `${cwd} must not be entered`)
    t.regex(errorMsg(bad.stderr), new RegExp(`process\\.cwd \\(${cwd.replace(/\//g, '\\/')}\\): (ELOOP|ENOENT)`))
  }
  hostUntouched(t, root, etc)
})

function hostMount(args: string[], target: string): void {
  mkdirSync(target, { recursive: true })
  const res = spawnSync('mount', [...args, target], { encoding: 'utf8' })
  if (res.status !== 0) throw new Error(`mount ${args.join(' ')} ${target}: ${res.stderr}`)
  hostMounts.push(target)
}

t0(r.title('overlay rootfs: busybox fixture as the lower layer, upper and work on a tmpfs; writes land in upper only'), (t) => {
  const scratch = join(env.dir, 'ovl')
  hostMount(['-t', 'tmpfs', 'tmpfs'], scratch)
  for (const d of ['upper', 'work', 'merged']) mkdirSync(join(scratch, d))
  hostMount(['-t', 'overlay', 'overlay', '-o', `lowerdir=${fixtureRootfs()},upperdir=${scratch}/upper,workdir=${scratch}/work`], join(scratch, 'merged'))
  const before = readFileSync(join(fixtureRootfs(), 'etc/hostname'), 'utf8')
  const out = env.run(['run', '--bundle', env.bundle('ovl', (s) => {
    s.root = { path: join(scratch, 'merged'), readonly: false }
    s.process!.args = ['sh', '-c', 'echo changed > /etc/hostname; mkdir /newdir; echo hi > /newdir/f; rm /bin/true; cat /etc/hostname']
  }), 'ovl'])
  t.is(out.status, 0, errorMsg(out.stderr))
  t.is(out.stdout, 'changed\n')
  t.is(readFileSync(join(scratch, 'upper/etc/hostname'), 'utf8'), 'changed\n')
  t.is(readFileSync(join(scratch, 'upper/newdir/f'), 'utf8'), 'hi\n')
  t.is(readFileSync(join(fixtureRootfs(), 'etc/hostname'), 'utf8'), before, 'the lower layer is untouched')
  t.true(readdirSync(join(fixtureRootfs(), 'bin')).includes('true'))
})

t0(r.title('an overlay in mounts[] (lowerdir/upperdir/workdir options) writes to its upper dir'), (t) => {
  const scratch = join(env.dir, 'ovl2')
  hostMount(['-t', 'tmpfs', 'tmpfs'], scratch)
  for (const d of ['lower', 'upper', 'work']) mkdirSync(join(scratch, d))
  writeFileSync(join(scratch, 'lower/base'), 'lower\n')
  const out = env.run(['run', '--bundle', env.bundle('ovl2', (s) => {
    s.mounts!.push({ destination: '/data', type: 'overlay', source: 'overlay', options: [`lowerdir=${scratch}/lower`, `upperdir=${scratch}/upper`, `workdir=${scratch}/work`, 'nodev'] })
    s.process!.args = ['sh', '-c', 'cat /data/base; echo new > /data/new; grep " /data " /proc/self/mountinfo | cut -d" " -f9']
  }), 'ovl2'])
  t.is(out.status, 0, errorMsg(out.stderr))
  t.deepEqual(out.stdout.trim().split('\n'), ['lower', 'overlay'])
  t.is(readFileSync(join(scratch, 'upper/new'), 'utf8'), 'new\n')
  t.deepEqual(readdirSync(join(scratch, 'lower')), ['base'])
})
