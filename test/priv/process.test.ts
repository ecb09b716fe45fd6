// Process fields the init applies before exec: scheduler, I/O priority, CPU affinity, personality, memory policy,
// sysctl, oom score; fields that cannot be applied are refused with the field named.
import test from 'ava'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import type { Spec } from '../../src/spec'
import { errorMsg, makeEnv, parseState, requires, rootReason, type Env } from './harness'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
let env: Env
test.before(() => { if (r.ok) env = makeEnv() })
test.after.always(() => { if (r.ok) env.cleanup() })

function run(id: string, script: string, edit: (s: Spec) => void): ReturnType<Env['run']> {
  return env.run(['run', '--bundle', env.bundle(id, (s) => { s.process!.args = ['sh', '-c', script]; edit(s) }), id])
}
function sh(id: string, script: string, edit: (s: Spec) => void): string[] {
  const out = run(id, script, edit)
  if (out.status !== 0) throw new Error(`run ${id}: ${errorMsg(out.stderr)}`)
  return out.stdout.trim().split('\n')
}
/** policy (field 41) and nice (field 19) of /proc/self/stat, as the shell's child sees them. */
const SCHED = 'cut -d" " -f41,19 /proc/self/stat'

t0(r.title('process.scheduler: SCHED_BATCH with nice, SCHED_IDLE; the policy survives exec'), (t) => {
  t.deepEqual(sh('batch', SCHED, (s) => { s.process!.scheduler = { policy: 'SCHED_BATCH', nice: 7 } }), ['7 3'])
  t.deepEqual(sh('idle', SCHED, (s) => { s.process!.scheduler = { policy: 'SCHED_IDLE' } }), ['0 5'])
  const bad = run('iso', SCHED, (s) => { s.process!.scheduler = { policy: 'SCHED_ISO' } })
  t.is(bad.status, 1)
  t.regex(errorMsg(bad.stderr), /process\.scheduler: policy SCHED_ISO is not supported by Linux/)
})

t0(r.title('process.scheduler: a real-time policy fails or applies, never silently'), (t) => {
  const out = run('fifo', 'cut -d" " -f41,40 /proc/self/stat', (s) => { s.process!.scheduler = { policy: 'SCHED_FIFO', priority: 10 } })
  if (out.status === 0) t.is(out.stdout.trim(), '10 1')
  else t.regex(errorMsg(out.stderr), /process\.scheduler: E(PERM|INVAL)/, 'no real-time budget in this cgroup: the field is named')
})

t0(r.title('process.ioPriority: class and level as ionice reports them'), (t) => {
  t.deepEqual(sh('ionice', 'ionice', (s) => { s.process!.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 6 } }), ['best-effort: prio 6'])
  t.deepEqual(sh('ionice2', 'ionice', (s) => { s.process!.ioPriority = { class: 'IOPRIO_CLASS_IDLE', priority: 0 } }), ['idle'])
})

const twoCpus = cpus().length >= 2
;(twoCpus && r.ok ? test.serial : test.serial.skip)(r.title(`process.execCPUAffinity: final is the process's affinity; initial alone is inherited${twoCpus ? '' : ' (skipped: needs 2 CPUs)'}`), (t) => {
  const cpusOf = 'grep Cpus_allowed_list /proc/self/status | cut -f2'
  t.deepEqual(sh('aff', cpusOf, (s) => { s.process!.execCPUAffinity = { initial: '0', final: '1' } }), ['1'])
  t.deepEqual(sh('aff2', cpusOf, (s) => { s.process!.execCPUAffinity = { initial: '1' } }), ['1'])
  const bad = run('aff3', cpusOf, (s) => { s.process!.execCPUAffinity = { final: '4000' } })
  t.is(bad.status, 1)
  t.regex(errorMsg(bad.stderr), /process\.execCPUAffinity\.final: EINVAL/)
})

t0(r.title('linux.personality LINUX32: uname -m says i686; flags are refused'), (t) => {
  t.deepEqual(sh('pers', 'uname -m', (s) => { s.linux!.personality = { domain: 'LINUX32' } }), ['i686'])
  t.deepEqual(sh('pers64', 'uname -m', (s) => { s.linux!.personality = { domain: 'LINUX' } }), ['x86_64'])
  const bad = run('persf', 'true', (s) => { s.linux!.personality = { domain: 'LINUX', flags: ['ADDR_NO_RANDOMIZE'] } })
  t.regex(errorMsg(bad.stderr), /linux\.personality: flags are not supported/)
})

t0(r.title('linux.memoryPolicy: MPOL_BIND to node 0 shows in numa_maps'), (t) => {
  const out = sh('mpol', 'grep -c " bind:0 " /proc/self/numa_maps', (s) => { s.linux!.memoryPolicy = { mode: 'MPOL_BIND', nodes: '0' } })
  t.true(Number(out[0]) > 0)
  const bad = run('mpol2', 'true', (s) => { s.linux!.memoryPolicy = { mode: 'MPOL_BIND', nodes: '7' } })
  t.is(bad.status, 1)
  t.regex(errorMsg(bad.stderr), /linux\.memoryPolicy: EINVAL/)
})

t0(r.title('linux.sysctl: namespaced keys land in the container\'s namespaces; host-wide keys are refused'), (t) => {
  const hostShmmni = readFileSync('/proc/sys/kernel/shmmni', 'utf8').trim()
  const out = sh('sysctl', 'cat /proc/sys/kernel/shmmni /proc/sys/net/ipv4/ip_forward /proc/sys/fs/mqueue/msg_max /proc/sys/kernel/domainname', (s) => {
    s.linux!.sysctl = { 'kernel.shmmni': '1234', 'net.ipv4.ip_forward': '1', 'fs.mqueue.msg_max': '20', 'kernel.domainname': 'tsrun.test' }
  })
  t.deepEqual(out, ['1234', '1', '20', 'tsrun.test'])
  t.is(readFileSync('/proc/sys/kernel/shmmni', 'utf8').trim(), hostShmmni, 'the host value is untouched')
  const userns = sh('sysctl-userns', 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni', (s) => {
    s.linux!.namespaces!.push({ type: 'user' })
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
    s.linux!.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.shmmni': '999' }
  })
  t.deepEqual(userns, ['1', '999'], 'written as root of the user namespace that owns the container\'s namespaces')
  const host = run('sysctl2', 'true', (s) => { s.linux!.sysctl = { 'vm.swappiness': '10' } })
  t.is(host.status, 1)
  t.regex(errorMsg(host.stderr), /linux\.sysctl: "vm\.swappiness" is not namespaced/)
  const nonet = run('sysctl3', 'true', (s) => {
    s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'network')
    s.linux!.sysctl = { 'net.ipv4.ip_forward': '1' }
  })
  t.regex(errorMsg(nonet.stderr), /linux\.sysctl: "net\.ipv4\.ip_forward" needs a network namespace/)
  const bad = run('sysctl4', 'true', (s) => { s.linux!.sysctl = { 'net.ipv4.no_such_key': '1' } })
  t.regex(errorMsg(bad.stderr), /linux\.sysctl "net\.ipv4\.no_such_key": ENOENT/)
})

t0(r.title('oomScoreAdj above the parent\'s and rlimits under the hard limit apply'), (t) => {
  const out = sh('oom', 'cat /proc/self/oom_score_adj; ulimit -n', (s) => {
    s.process!.oomScoreAdj = 500
    s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 512, hard: 1024 }]
  })
  t.deepEqual(out, ['500', '512'])
})

t0(r.title('linux.intelRdt and linux.netDevices are refused with the field named (no resctrl, no device move)'), (t) => {
  const rdt = run('rdt', 'true', (s) => { s.linux!.intelRdt = { closID: 'x', l3CacheSchema: 'L3:0=f' } })
  t.is(rdt.status, 1)
  t.regex(errorMsg(rdt.stderr), /linux\.intelRdt: /)
  const nd = run('netdev', 'true', (s) => { s.linux!.netDevices = { dummy0: { name: 'eth9' } } })
  t.is(nd.status, 1)
  t.regex(errorMsg(nd.stderr), /linux\.netDevices: /)
})

t0(r.title('exec applies the process fields of its own process'), (t) => {
  const b = env.bundle('execd', (s) => { s.process!.args = ['sleep', '100'] })
  t.is(env.run(['run', '-d', '--bundle', b, 'execd']).status, 0)
  t.true(parseState(env.run(['state', 'execd']).stdout).pid > 0)
  const proc = `${env.dir}/proc.json`
  writeFileSync(proc, JSON.stringify({
    args: ['sh', '-c', `${SCHED}; ionice`], cwd: '/', user: { uid: 0, gid: 0 },
    scheduler: { policy: 'SCHED_BATCH', nice: 3 }, ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 2 },
  }))
  const out = env.run(['exec', '--process', proc, 'execd'])
  t.is(out.status, 0, errorMsg(out.stderr))
  t.deepEqual(out.stdout.trim().split('\n'), ['3 3', 'best-effort: prio 2'])
  env.run(['delete', '--force', 'execd'])
})
