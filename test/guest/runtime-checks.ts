// Run inside a pure cgroup v2 host (the vm-run.sh guest): tsrun containers with real v2 limits.
// Prints one JSON object {check: {ok, detail}} as its last line.
import { existsSync, readFileSync } from 'node:fs'
import { makeEnv, parseState, waitFor } from '../priv/harness'

const env = makeEnv()
const results: Record<string, { ok: boolean; detail: string }> = {}
const cg = (id: string, file: string): string => readFileSync(`/sys/fs/cgroup${env.cgroupParent}/${id}/${file}`, 'utf8').trim()

function check(name: string, fn: () => string): void {
  try { results[name] = { ok: true, detail: fn() } } catch (e) { results[name] = { ok: false, detail: (e as Error).message } }
}
function expect(cond: boolean, msg: string): void { if (!cond) throw new Error(msg) }

check('memory limit OOM-kills inside the container', () => {
  const b = env.bundle('oom', (s) => {
    s.process!.args = ['sh', '-c', 'head -c 67108864 /dev/zero | tail; echo status=$?']
    s.linux!.resources = { memory: { limit: 16 << 20, swap: 16 << 20 } }
  })
  const r = env.run(['run', '--bundle', b, 'oom'], { timeout: 120_000 })
  expect(/status=137/.test(r.stdout), `tail should be SIGKILLed by the OOM killer: ${r.stdout} ${r.stderr}`)
  return r.stdout.trim()
})

check('pids limit stops forks', () => {
  const b = env.bundle('pids', (s) => {
    s.process!.args = ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 5 & done 2>&1 | head -1; echo forks-done']
    s.linux!.resources = { pids: { limit: 5 } }
  })
  const r = env.run(['run', '--bundle', b, 'pids'], { timeout: 120_000 })
  expect(/can't fork|Resource temporarily unavailable/i.test(r.stdout + r.stderr), `a fork should fail: ${r.stdout} ${r.stderr}`)
  return 'fork refused at pids.max=5'
})

check('pause/resume use cgroup.freeze; update writes memory.max; kill --all; delete removes the cgroup', () => {
  const b = env.bundle('box', (s) => { s.process!.args = ['sleep', '1000'] })
  expect(env.run(['run', '-d', '--bundle', b, 'box']).status === 0, 'run -d')
  expect(env.run(['pause', 'box']).status === 0, 'pause')
  expect(cg('box', 'cgroup.freeze') === '1', 'cgroup.freeze is 1')
  expect(parseState(env.run(['state', 'box']).stdout).status === 'paused', 'state paused')
  expect(env.run(['resume', 'box']).status === 0 && cg('box', 'cgroup.freeze') === '0', 'resume')
  expect(env.run(['update', '--memory', '33554432', 'box']).status === 0 && cg('box', 'memory.max') === '33554432', 'update memory.max')
  const ev = JSON.parse(env.run(['events', '--stats', 'box']).stdout) as { data: { memory: { usage: { limit: number } } } }
  expect(ev.data.memory.usage.limit === 33554432, `events reports the limit: ${JSON.stringify(ev.data.memory)}`)
  env.run(['exec', '-d', 'box', 'sleep', '999'])
  expect(env.run(['kill', '--all', 'box', '9']).status === 0, 'kill --all')
  expect(waitFor(() => parseState(env.run(['state', 'box']).stdout).status === 'stopped', 10_000), 'stopped after kill --all')
  expect(env.run(['delete', 'box']).status === 0, 'delete')
  expect(!existsSync(`/sys/fs/cgroup${env.cgroupParent}/box`), 'cgroup removed')
  return 'ok'
})

env.cleanup()
check('nothing left behind', () => {
  expect(!existsSync(`/sys/fs/cgroup${env.cgroupParent}`), `${env.cgroupParent} still exists`)
  return 'ok'
})
process.stdout.write(`\n${JSON.stringify(results)}\n`)
