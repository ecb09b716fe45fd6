// Real cgroup v2 behaviour (memory.max OOM, pids.max, freeze/thaw, kill --all, cpu.max, io.max, device
// eBPF, stats, cleanup): runs cgroups-v2-checks.ts natively on a pure v2 host as root, otherwise inside
// the throwaway pure-v2 guest of ../shared/tools/vm-run.sh (the repository is shared at the same path).
import test from 'ava'
import { join } from 'node:path'
import { qemuBackend, runChecks, skipReason as reason, type CheckResults } from './guest'

let results: CheckResults | undefined
let failure = ''
test.before(async () => {
  if (reason !== null) return
  ;({ results, failure } = await runChecks(join(__dirname, 'cgroups-v2-checks.ts'), 280))
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

for (const name of CHECKS) {
  // the UML guest has no cpuset or hugetlb controller: those checks run only with the qemu backend
  const why = reason ?? (name.includes('(qemu backend)') && !qemuBackend ? 'needs cpuset/hugetlb: set VM_RUN_BACKEND=qemu' : null)
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
