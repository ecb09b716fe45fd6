// Real cgroup v2 behaviour (memory.max OOM, pids.max, freeze/thaw, kill --all, cpu.max, io.max, device
// eBPF, stats, cleanup): runs guest-v2-checks.ts natively on a pure v2 host as root, otherwise inside
// the throwaway pure-v2 guest of ../shared/tools/vm-run.sh (the repository is shared at the same path).
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { probeCgroupHost } from '../../../src/host/cgroups'

const repo = join(__dirname, '..', '..', '..')
const vmRun = process.env.TSRUN_VM_RUN ?? join(repo, '..', 'shared', 'tools', 'vm-run.sh')
const script = join(__dirname, 'guest-v2-checks.ts')
const isRoot = process.getuid?.() === 0
const native = isRoot && probeCgroupHost().mode === 'v2'
const reason = native ? null : !isRoot ? 'requires root' : existsSync(vmRun) ? null : `requires a pure v2 host or ${vmRun}`

interface Results {
  [name: string]: { ok: boolean; detail: string }
}

let results: Results | undefined
let failure = ''
test.before(() => {
  if (reason !== null) return
  const cmd = ['node', '--import', 'tsx', script]
  const r = native
    ? spawnSync(cmd[0] as string, cmd.slice(1), { cwd: repo, encoding: 'utf8', timeout: 300_000 })
    : spawnSync(vmRun, ['--timeout=280', '--', ...cmd], { cwd: repo, encoding: 'utf8', timeout: 320_000 })
  const line = r.stdout.trim().split('\n').pop() ?? ''
  try {
    results = JSON.parse(line) as Results
  } catch {
    failure = `no results (status ${r.status}): ${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`
  }
})

const CHECKS = [
  'memory.max OOM-kills and events() counts it',
  'pids.max stops a fork bomb; update raises it',
  'freeze stops progress, thaw resumes',
  'kill --all: SIGTERM via freeze+signal, SIGKILL via cgroup.kill',
  'cpu.max throttles a busy loop',
  'io.max limits writes to the scratch disk',
  'device eBPF: /dev/null readable not writable; update allows writing',
  'cpuset cpus and mems (qemu backend)',
  'hugetlb limits (qemu backend)',
  'stats JSON and destroy leaves nothing',
  'nothing left behind',
]

const qemu = native || (process.env.VM_RUN_BACKEND ?? '').startsWith('qemu')
for (const name of CHECKS) {
  // the UML guest has no cpuset or hugetlb controller: those checks run only with the qemu backend
  const why = reason ?? (name.includes('(qemu backend)') && !qemu ? 'needs cpuset/hugetlb: set VM_RUN_BACKEND=qemu' : null)
  const t0 = why === null ? test : test.skip
  t0(why === null ? name : `${name} (skipped: ${why})`, (t) => {
    t.truthy(results, failure)
    t.is(results?.main, undefined, results?.main?.detail)
    const r = results?.[name]
    t.truthy(r, `check did not run: ${name}`)
    t.true(r?.ok, r?.detail)
    t.log(r?.detail)
  })
}
