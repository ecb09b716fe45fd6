// tsrun containers with real cgroup v2 limits: natively on a pure v2 host, otherwise in the vm-run.sh guest.
import test from 'ava'
import { join } from 'node:path'
import { runChecks, skipReason as reason, type CheckResults } from './guest'

let results: CheckResults | undefined
let failure = ''
test.before(async () => {
  if (reason !== null) return
  ;({ results, failure } = await runChecks(join(__dirname, 'runtime-checks.ts'), 380))
})

for (const name of ['memory limit OOM-kills inside the container', 'pids limit stops forks',
  'pause/resume use cgroup.freeze; update writes memory.max; kill --all; delete removes the cgroup', 'nothing left behind']) {
  ;(reason === null ? test : test.skip)(reason === null ? `cgroup v2: ${name}` : `cgroup v2: ${name} (skipped: ${reason})`, (t) => {
    t.truthy(results, failure)
    t.true(results?.[name]?.ok, results?.[name]?.detail ?? `did not run: ${failure}`)
  })
}
