// tsrun containers with real cgroup v2 limits: natively on a pure v2 host, otherwise in the vm-run.sh guest.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { probeCgroupHost } from '../../src/host/cgroups'

const repo = join(__dirname, '..', '..')
const vmRun = process.env.TSRUN_VM_RUN ?? join(repo, '..', 'shared', 'tools', 'vm-run.sh')
const isRoot = process.getuid?.() === 0
const native = isRoot && probeCgroupHost().mode === 'v2'
const reason = !isRoot ? 'requires root' : native || existsSync(vmRun) ? null : `requires a pure v2 host or ${vmRun}`

let results: Record<string, { ok: boolean; detail: string }> | undefined
let failure = ''
test.before(() => {
  if (reason !== null) return
  const cmd = ['node', '--import', 'tsx', join(__dirname, 'guest-runtime-checks.ts')]
  const r = native
    ? spawnSync(cmd[0]!, cmd.slice(1), { cwd: repo, encoding: 'utf8', timeout: 400_000 })
    : spawnSync(vmRun, ['--timeout=380', '--', ...cmd], { cwd: repo, encoding: 'utf8', timeout: 420_000 })
  try { results = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') } catch {
    failure = `no results (status ${r.status}): ${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`
  }
})

for (const name of ['memory limit OOM-kills inside the container', 'pids limit stops forks',
  'pause/resume use cgroup.freeze; update writes memory.max; kill --all; delete removes the cgroup', 'nothing left behind']) {
  ;(reason === null ? test : test.skip)(reason === null ? `cgroup v2: ${name}` : `cgroup v2: ${name} (skipped: ${reason})`, (t) => {
    t.truthy(results, failure)
    t.true(results?.[name]?.ok, results?.[name]?.detail ?? `did not run: ${failure}`)
  })
}
