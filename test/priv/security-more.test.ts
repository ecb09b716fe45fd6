// Least privilege, attempted: what a container with runc spec's default capabilities (AUDIT_WRITE, KILL,
// NET_BIND_SERVICE) cannot do, and each seccomp action as the kernel defines it, including SCMP_ACT_NOTIFY
// served by a seccomp agent that answers (oci-tests/escapes/fixtures/seccomp-agent.c).
//
// The syscalls are made by oci-tests/escapes/fixtures/escape-tool.c (static), copied into a private copy of
// the busybox fixture; it prints `name=result` with the errno name.
import test from 'ava'
import { spawn } from 'node:child_process'
import { chmodSync, copyFileSync, cpSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LinuxSeccomp } from '../../src/spec'
import { buildFixture } from '../../oci-tests/escapes/lib'
import { fixtureRootfs, makeEnv, requires, rootReason, type Env } from './harness'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
let env: Env
let rootfs: string
test.before(() => {
  if (!r.ok) return
  env = makeEnv()
  rootfs = join(env.dir, 'rootfs')
  cpSync(fixtureRootfs(), rootfs, { recursive: true, verbatimSymlinks: true })
  copyFileSync(buildFixture('escape-tool'), join(rootfs, 'escape-tool'))
  chmodSync(join(rootfs, 'escape-tool'), 0o755)
})
test.after.always(() => { if (r.ok) env.cleanup() })

const SIGSYS = 31
const DEFAULT_CAPS = 0x20000420n // KILL, NET_BIND_SERVICE, AUDIT_WRITE

function bundle(id: string, args: string[], edit?: (s: Parameters<Parameters<Env['bundle']>[1] & object>[0]) => void): string {
  return env.bundle(id, (s) => {
    s.root = { path: rootfs, readonly: false }
    s.process!.args = args
    // a SIGSYS dumps core by default: not into the rootfs
    s.process!.rlimits = [...(s.process!.rlimits ?? []), { type: 'RLIMIT_CORE', soft: 0, hard: 0 }]
    edit?.(s)
  })
}

function run(id: string, args: string[], edit?: Parameters<typeof bundle>[2]): { status: number | null; stdout: string; stderr: string } {
  const out = env.run(['run', '--bundle', bundle(id, args, edit), id])
  env.run(['delete', '--force', id])
  return out
}

const seccomp = (action: string, names = ['mkdir']): LinuxSeccomp => ({
  defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names, action: action as never }],
})

// ---- default capabilities ----

t0(r.title('default capabilities: the container\'s process has exactly KILL, NET_BIND_SERVICE, AUDIT_WRITE'), (t) => {
  const out = run('caps', ['/escape-tool', 'caps'])
  t.is(out.status, 0, out.stderr)
  for (const set of ['CapPrm', 'CapEff']) t.is(BigInt(`0x${new RegExp(`${set}:\\s*(\\w+)`).exec(out.stdout)![1]}`), DEFAULT_CAPS, set)
})

t0(r.title('default capabilities: mount(2) and busybox mount -t tmpfs fail with EPERM'), (t) => {
  const out = run('mount', ['sh', '-c', '/escape-tool probe mount; mkdir -p /tmp/m; mount -t tmpfs none /tmp/m; echo "busybox=$?"; grep -c " /tmp/m " /proc/self/mountinfo'])
  t.is(out.status, 1, 'grep found no tmpfs mount (exit 1)')
  t.regex(out.stdout, /^mount=EPERM$/m)
  t.regex(out.stdout, /^busybox=[1-9]\d*$/m)
  t.regex(out.stderr, /permission denied|Operation not permitted/i)
  t.regex(out.stdout, /^0$/m, 'nothing is mounted')
})

const modules = existsSync('/proc/modules')
;(modules && r.ok ? test.serial : test.serial.skip)(r.title(`default capabilities: init_module and finit_module fail with EPERM${modules ? '' : ' (skipped: kernel built without module support, no /proc/modules: init_module is ENOSYS for every caller, so the missing CAP_SYS_MODULE cannot be observed)'}`), (t) => {
  const out = run('module', ['/escape-tool', 'probe', 'init_module', 'finit_module'])
  t.is(out.status, 0, out.stderr)
  t.regex(out.stdout, /^init_module=EPERM$/m)
  t.regex(out.stdout, /^finit_module=EPERM$/m)
})

t0(r.title('default capabilities: CAP_SYS_MODULE is not even in the bounding set'), (t) => {
  const out = run('modcap', ['grep', 'CapBnd', '/proc/self/status'])
  t.is(out.status, 0, out.stderr)
  t.is(BigInt(`0x${/CapBnd:\s*(\w+)/.exec(out.stdout)![1]}`) & (1n << 16n), 0n)
})

t0(r.title('default capabilities: the clock cannot be set (settimeofday, clock_settime, date -s)'), (t) => {
  const before = Date.now()
  // every attempt sets the current time: harmless even if it were allowed
  const out = run('clock', ['sh', '-c', '/escape-tool probe settimeofday clock_settime; date -s "$(date "+%Y-%m-%d %H:%M:%S")" >/dev/null'])
  t.is(out.status, 0, out.stderr)
  t.regex(out.stdout, /^settimeofday=EPERM$/m)
  t.regex(out.stdout, /^clock_settime=EPERM$/m)
  // busybox date reports the failure but exits 0
  t.regex(out.stderr, /date: can't set date: Operation not permitted/)
  t.true(Math.abs(Date.now() - before) < 60_000, 'host clock still sane')
})

t0(r.title('default capabilities: no block device can be made (CAP_MKNOD is not granted)'), (t) => {
  const out = run('mknod', ['/escape-tool', 'probe', 'mknod-block'])
  t.is(out.status, 0, out.stderr)
  t.regex(out.stdout, /^mknod-block=EPERM$/m)
  t.false(existsSync(join(rootfs, 'tmp', 'escape-blk')))
})

// ---- seccomp actions, as the kernel defines them ----

t0(r.title('seccomp SCMP_ACT_KILL: the calling process dies of SIGSYS (exit 128+31), the call is not made'), (t) => {
  const child = run('kill', ['sh', '-c', '/escape-tool mkdir /tmp/killed; echo "status=$?"'], (s) => { s.linux!.seccomp = seccomp('SCMP_ACT_KILL') })
  t.is(child.status, 0, child.stderr)
  t.is(child.stdout, `status=${128 + SIGSYS}\n`, 'a single-threaded process: KILL_THREAD kills the last thread with SIGSYS')
  t.false(existsSync(join(rootfs, 'tmp', 'killed')))
  // the container's own process: run exits 128+SIGSYS
  const init = run('kill-init', ['/escape-tool', 'mkdir', '/tmp/killed'], (s) => { s.linux!.seccomp = seccomp('SCMP_ACT_KILL') })
  t.is(init.status, 128 + SIGSYS, init.stderr)
  t.is(init.stdout, '')
})

t0(r.title('seccomp SCMP_ACT_KILL_THREAD kills only the calling thread; SCMP_ACT_KILL_PROCESS the whole process'), (t) => {
  const thread = run('kill-thread', ['sh', '-c', '/escape-tool thread-mkdir /tmp/kt; echo "status=$?"'], (s) => { s.linux!.seccomp = seccomp('SCMP_ACT_KILL_THREAD') })
  t.is(thread.status, 0, thread.stderr)
  t.is(thread.stdout, 'survived=1\nstatus=0\n', 'the other thread goes on; the killed one never printed')
  const proc = run('kill-process', ['sh', '-c', '/escape-tool thread-mkdir /tmp/kp; echo "status=$?"'], (s) => { s.linux!.seccomp = seccomp('SCMP_ACT_KILL_PROCESS') })
  t.is(proc.status, 0, proc.stderr)
  t.is(proc.stdout, `status=${128 + SIGSYS}\n`, 'the whole process dies of SIGSYS')
  t.false(existsSync(join(rootfs, 'tmp', 'kt')))
  t.false(existsSync(join(rootfs, 'tmp', 'kp')))
})

t0(r.title('seccomp SCMP_ACT_TRAP: SIGSYS with si_code SYS_SECCOMP, si_syscall and the arch; uncaught it kills'), (t) => {
  const out = run('trap', ['sh', '-c', '/escape-tool trap-mkdir /tmp/trapped; /escape-tool mkdir /tmp/trapped; echo "status=$?"'], (s) => { s.linux!.seccomp = seccomp('SCMP_ACT_TRAP') })
  t.is(out.status, 0, out.stderr)
  // SYS_SECCOMP = 1, mkdir = 83 on x86_64, AUDIT_ARCH_X86_64 = 0xc000003e
  t.regex(out.stdout, /^trapped=1 signo=31 code=1 syscall=83 arch=0xc000003e /m)
  t.regex(out.stdout, new RegExp(`^status=${128 + SIGSYS}$`, 'm'))
  t.false(existsSync(join(rootfs, 'tmp', 'trapped')))
})

t0(r.title('seccomp SCMP_ACT_ERRNO with errnoRet: the call fails with exactly that errno'), (t) => {
  const out = run('errno', ['/escape-tool', 'mkdir', '/tmp/errno'], (s) => {
    s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 18 }] }
  })
  t.is(out.status, 0, out.stderr)
  t.is(out.stdout, 'mkdir=EXDEV\n')
})

t0(r.title('seccomp SCMP_ACT_NOTIFY: an agent on listenerPath receives the fd and its answers reach the container'), async (t) => {
  const sock = join(env.dir, 'agent.sock')
  const stateFile = join(env.dir, 'agent-state.json')
  const agent = spawn(buildFixture('seccomp-agent'), [sock, stateFile, '20'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let agentOut = ''
  agent.stdout.on('data', (d: Buffer) => { agentOut += d.toString() })
  const done = new Promise((res) => agent.on('exit', res))
  await new Promise((res) => setTimeout(res, 200))
  const out = run('notify', ['sh', '-c', '/escape-tool mkdir /tmp/n1; /escape-tool mkdirat /tmp/n2; mkdir /tmp/n3 2>&1; ls -d /tmp/n1 /tmp/n2 2>&1'], (s) => {
    s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: sock, listenerMetadata: 'meta-42', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }] }
  })
  await done
  t.is(out.status, 1, `ls finds neither directory: ${out.stderr}`)
  t.regex(out.stdout, /^mkdir=42$/m, 'mkdir returns the value the agent chose')
  t.regex(out.stdout, /^mkdirat=EXDEV$/m, 'mkdirat fails with the errno the agent chose')
  for (const d of ['n1', 'n2', 'n3']) t.false(existsSync(join(rootfs, 'tmp', d)), `the agent answered instead of the kernel: no /tmp/${d}`)
  t.regex(agentOut, /^received nfds=1$/m)
  t.regex(agentOut, /^answered=3 mkdir=\d mkdirat=\d continued=0$/m, agentOut)
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { ociVersion: string; fds: string[]; pid: number; metadata: string; state: { id: string; status: string; pid?: number } }
  t.deepEqual(state.fds, ['seccompFd'])
  t.is(state.metadata, 'meta-42')
  t.is(state.state.id, 'notify')
  t.true(state.pid > 0)
})
