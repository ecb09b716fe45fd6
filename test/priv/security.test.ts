// Least privilege as the container sees it: capability sets, no_new_privs, seccomp, fds, the helper binary.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { readlinkSync } from 'node:fs'
import { parseCheckerReport, type CheckerReport } from '../../rootfs-fixtures/checker-report'
import { errorMsg, makeEnv, requires, rootReason, tsrunBin, type Env } from './harness'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
let env: Env
test.before(() => { if (r.ok) env = makeEnv() })
test.after.always(() => { if (r.ok) env.cleanup() })

function check(id: string, edit?: Parameters<Env['bundle']>[1]): CheckerReport {
  const out = env.run(['run', '--bundle', env.bundle(id, edit), id])
  if (out.status !== 0) throw new Error(`run ${id}: ${out.status} ${out.stderr}`)
  return parseCheckerReport(out.stdout)
}

const bit = (...caps: number[]) => caps.reduce((m, c) => m | (1n << BigInt(c)), 0n)
const hex = (v: bigint) => v.toString(16).padStart(16, '0')

t0(r.title('runc spec defaults: three capabilities, nothing inheritable or ambient, no_new_privs'), (t) => {
  const rep = check('caps')
  const want = hex(bit(5, 10, 29)) // KILL, NET_BIND_SERVICE, AUDIT_WRITE
  t.is(rep.caps.bnd, want)
  t.is(rep.caps.eff, want)
  t.is(rep.caps.prm, want)
  t.is(rep.caps.inh, hex(0n), 'no inheritable capability the config did not ask for (CVE-2022-29162)')
  t.is(rep.caps.amb, hex(0n))
  t.is(rep.noNewPrivs, true)
})

t0(r.title('a non-root user keeps exactly the ambient capabilities asked for'), (t) => {
  const rep = check('ambient', (s) => {
    s.process!.user = { uid: 1000, gid: 1000, additionalGids: [10, 20] }
    s.process!.capabilities = { bounding: ['CAP_NET_BIND_SERVICE', 'CAP_CHOWN'], effective: ['CAP_NET_BIND_SERVICE'], permitted: ['CAP_NET_BIND_SERVICE'], inheritable: ['CAP_NET_BIND_SERVICE'], ambient: ['CAP_NET_BIND_SERVICE'] }
  })
  t.is(rep.uid, 1000)
  t.is(rep.gid, 1000)
  t.deepEqual([...(rep.groups ?? [])].sort((a, b) => a - b), [10, 20])
  t.is(rep.caps.bnd, hex(bit(0, 10)))
  t.is(rep.caps.amb, hex(bit(10)))
  t.is(rep.caps.eff, hex(bit(10)))
})

t0(r.title('an unknown capability is refused before anything is created'), (t) => {
  const b = env.bundle('badcap', (s) => { s.process!.capabilities!.bounding!.push('CAP_TELEPORT') })
  const out = env.run(['create', '--bundle', b, 'badcap'])
  t.is(out.status, 1)
  t.is(errorMsg(out.stderr), 'tsrun create failed: process.capabilities.bounding: unknown capability "CAP_TELEPORT"')
})

t0(r.title('seccomp: an ERRNO rule is enforced inside the container'), (t) => {
  const b = env.bundle('seccomp', (s) => {
    s.process!.args = ['sh', '-c', 'mkdir /tmp/x && echo made; echo done']
    s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] }
  })
  const out = env.run(['run', '--bundle', b, 'seccomp'])
  t.is(out.status, 0, out.stderr)
  t.is(out.stdout, 'done\n')
  t.regex(out.stderr, /Operation not permitted/)
  const rep = check('seccomp2', (s) => { s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] } })
  t.is(rep.seccomp, 2, 'Seccomp: 2 (filter mode)')
})

t0(r.title('fds: the container gets stdio and --preserve-fds only, never an fd the caller leaked'), (t) => {
  const b = env.bundle('fds', (s) => { s.process!.args = ['sh', '-c', 'ls /proc/self/fd | sort -n | tr "\\n" " "'] })
  // fd 3 is passed on purpose (--preserve-fds 1); fd 4 is leaked without CLOEXEC, like the containerd shim's ttrpc socket
  const out = spawnSync('sh', ['-c', `exec 3</dev/null 4</dev/null; ${tsrunBin} --root ${env.root} run --preserve-fds 1 --bundle ${b} fds`], { encoding: 'utf8' })
  t.is(out.status, 0, out.stderr)
  t.is(out.stdout.trim(), '0 1 2 3 4', 'stdio, the preserved fd 3, and the fd ls opens to list the directory; not the leaked one')
})

t0(r.title('the helper runs from a sealed memfd, not from the file on disk'), (t) => {
  const b = env.bundle('exe', (s) => { s.process!.args = ['sleep', '100'] })
  t.is(env.run(['create', '--bundle', b, 'exe']).status, 0)
  // a created container's init is still the helper image, waiting on the exec fifo
  const pid = JSON.parse(env.run(['state', 'exe']).stdout).pid as number
  t.regex(readlinkSync(`/proc/${pid}/exe`), /^\/memfd:tsrun-init/)
  const w = spawnSync('sh', ['-c', `echo x >> /proc/${pid}/exe`], { encoding: 'utf8' })
  t.not(w.status, 0, 'the sealed copy cannot be written')
  t.is(env.run(['delete', 'exe']).status, 0)
})

t0(r.title('SCMP_ACT_NOTIFY: the notify fd and the process state reach listenerPath'), async (t) => {
  const { spawn } = await import('node:child_process')
  const sock = `${env.dir}/agent.sock`
  const agent = spawn('python3', [`${__dirname}/seccomp-agent.py`, sock], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  agent.stdout.on('data', (d: Buffer) => { out += d.toString() })
  const done = new Promise((res) => agent.on('exit', res))
  await new Promise((res) => setTimeout(res, 300))
  const b = env.bundle('notify', (s) => {
    s.process!.args = ['sh', '-c', 'sleep 0.5; mkdir /tmp/n 2>&1; echo rc=$?']
    s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: sock, listenerMetadata: 'meta', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }] }
  })
  const run = env.run(['run', '--bundle', b, 'notify'])
  await done
  t.is(run.status, 0, run.stderr)
  const msg = JSON.parse(out.split('\n')[1]!) as { state: { fds: string[]; pid: number; metadata: string; state: { id: string; status: string } }; nfds: number; fd: string }
  t.deepEqual(msg.state.fds, ['seccompFd'])
  t.is(msg.state.metadata, 'meta')
  t.is(msg.state.state.id, 'notify')
  t.true(msg.state.pid > 0)
  t.is(msg.nfds, 1)
  t.is(msg.fd, 'anon_inode:seccomp notify')
  t.regex(run.stdout, /Function not implemented[\s\S]*rc=1/, 'with the agent gone, notified calls fail with ENOSYS')
})

t0(r.title('LISTEN_FDS: socket-activation fds reach the container with LISTEN_FDS/LISTEN_PID=1'), (t) => {
  const b = env.bundle('listen', (s) => { s.process!.args = ['sh', '-c', 'echo $LISTEN_FDS $LISTEN_PID; ls /proc/self/fd | sort -n | tr "\\n" " "'] })
  const out = spawnSync('sh', ['-c', `exec 3</dev/null 4</dev/null 5</dev/null; LISTEN_FDS=2 ${tsrunBin} --root ${env.root} run --bundle ${b} listen`], { encoding: 'utf8' })
  t.is(out.status, 0, out.stderr)
  t.is(out.stdout.trim(), '2 1\n0 1 2 3 4 5', 'fds 3 and 4 passed, 5 not (5 is the fd ls opens)')
})
