// runtime.md "Lifecycle" and "Operations": create/start/kill/delete (plus runc's pause/resume/exec/
// run/ps/list) in every status, and their errors with runc's wording (contract.md §2.4).
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, Suite, waitFor, type Spec } from './lib'

const s = new Suite('lifecycle')

/** Binds a scratch dir at /home (it exists in the fixture: nothing is created in the shared rootfs). */
function withOut(dir: string, edit?: (sp: Spec) => void): (sp: Spec) => void {
  return (sp) => {
    sp.mounts!.push({ destination: '/home', type: 'bind', source: dir, options: ['rbind', 'rw'] })
    edit?.(sp)
  }
}

const alive = (pid: number) => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z')
  } catch {
    return false
  }
}

// ---- create ----

s.test('create builds the container without running process.args; start runs them', (t) => {
  const out = s.scratch('create-norun')
  const id = s.id('norun')
  s.create(t, id, ['sh', '-c', 'echo ran > /home/ran; exec sleep 1000'], withOut(out))
  t.is(s.status(id), 'created')
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200)
  t.false(existsSync(join(out, 'ran')), 'process.args ran before start')
  const r = s.rt(['start', id])
  t.is(r.status, 0, describe('start', r))
  t.true(waitFor(() => existsSync(join(out, 'ran'))), 'process.args did not run after start')
  t.is(s.status(id), 'running')
  s.remove(id)
})

s.test('create --pid-file writes the init pid without a newline, the same pid state reports', (t) => {
  const id = s.id('pidfile')
  const b = s.bundle(id, ['sleep', '1000'])
  const pidFile = join(s.env.dir, `${id}.pid`)
  const r = s.rt(['create', '--bundle', b, '--pid-file', pidFile, id])
  t.is(r.status, 0, describe('create', r))
  const text = readFileSync(pidFile, 'utf8')
  t.regex(text, /^\d+$/)
  t.is(Number(text), s.state(id)?.pid ?? -1)
  t.true(alive(Number(text)))
  s.remove(id)
})

s.test('create with an id already in use fails and leaves the first container alone', (t) => {
  const id = s.id('dup')
  const b = s.create(t, id)
  const before = s.state(id)
  const r = s.rt(['create', '--bundle', b, id])
  t.is(r.status, 1)
  t.is(r.msg, 'container with given ID already exists')
  const after = s.state(id)
  t.is(after?.status, 'created')
  t.is(after?.pid, before?.pid)
  s.remove(id)
})

for (const bad of ['../x', 'a b', '..', 'x/y', 'x:y']) {
  s.test(`create with the invalid id ${JSON.stringify(bad)} fails: "invalid container ID format"`, (t) => {
    const b = s.bundle(s.id('badid'), ['true'])
    const r = s.rt(['create', '--bundle', b, bad])
    t.is(r.status, 1)
    t.true(r.msg.startsWith('invalid container ID format'), r.msg)
    t.is(s.rt(['list', '-q']).stdout.split('\n').filter((l) => l === bad).length, 0)
  })
}

s.test('create without config.json fails and creates nothing', (t) => {
  const id = s.id('nobundle')
  const r = s.rt(['create', '--bundle', join(s.env.dir, 'no-such-bundle'), id])
  t.is(r.status, 1)
  t.not(r.msg, '')
  t.is(s.rt(['state', id]).status, 1)
})

s.test('create of a missing executable fails with runc\'s wording and leaves no container', (t) => {
  const id = s.id('noexe')
  const b = s.bundle(id, ['nosuchexe'])
  const r = s.rt(['create', '--bundle', b, id])
  t.is(r.status, 1)
  t.is(r.msg, 'unable to start container process: exec: "nosuchexe": executable file not found in $PATH')
  const st = s.rt(['state', id])
  t.is(st.status, 1)
  t.is(st.msg, 'container does not exist')
})

s.test('create of an absolute path that does not exist fails with "no such file or directory"', (t) => {
  const id = s.id('noabs')
  const b = s.bundle(id, ['/nosuch/exe'])
  const r = s.rt(['create', '--bundle', b, id])
  t.is(r.status, 1)
  t.true(r.msg.includes('no such file or directory'), r.msg)
  t.is(s.rt(['state', id]).status, 1)
})

s.test('editing config.json after create does not change the container', (t) => {
  const out = s.scratch('edit-after')
  const id = s.id('edit')
  const b = s.create(t, id, ['sh', '-c', 'echo original > /home/which'], withOut(out))
  const cfg = JSON.parse(readFileSync(join(b, 'config.json'), 'utf8')) as Spec
  cfg.process!.args = ['sh', '-c', 'echo edited > /home/which']
  writeFileSync(join(b, 'config.json'), JSON.stringify(cfg))
  t.is(s.rt(['start', id]).status, 0)
  t.true(waitFor(() => existsSync(join(out, 'which'))))
  t.is(readFileSync(join(out, 'which'), 'utf8'), 'original\n')
  s.remove(id)
})

// ---- start ----

s.test('start of a running container fails: "cannot start an already running container"', (t) => {
  const id = s.id('start-running')
  const pid = s.started(t, id)
  const r = s.rt(['start', id])
  t.is(r.status, 1)
  t.is(r.msg, 'cannot start an already running container')
  t.is(s.state(id)?.pid, pid)
  s.remove(id)
})

s.test('start of a paused container fails: "cannot start a container in the paused state"', (t) => {
  const id = s.id('start-paused')
  s.started(t, id)
  t.is(s.rt(['pause', id]).status, 0)
  const r = s.rt(['start', id])
  t.is(r.status, 1)
  t.is(r.msg, 'cannot start a container in the paused state')
  t.is(s.status(id), 'paused')
  s.remove(id)
})

s.test('start of a stopped container fails: "cannot start a container that has stopped"', (t) => {
  const id = s.id('start-stopped')
  s.started(t, id, ['true'])
  t.true(s.waitStatus(id, 'stopped'))
  const r = s.rt(['start', id])
  t.is(r.status, 1)
  t.is(r.msg, 'cannot start a container that has stopped')
  s.remove(id)
})

s.test('a process that exits by itself leaves the container stopped with pid 0', (t) => {
  const id = s.id('exits')
  s.started(t, id, ['sh', '-c', 'exit 3'])
  t.true(s.waitStatus(id, 'stopped'))
  t.is(s.state(id)?.pid, 0)
  t.is(s.rt(['delete', id]).status, 0)
})

// ---- kill ----

s.test('kill KILL of a created container stops it', (t) => {
  const id = s.id('kill-created')
  s.create(t, id)
  const pid = s.state(id)!.pid
  t.is(s.rt(['kill', id, 'KILL']).status, 0)
  t.true(s.waitStatus(id, 'stopped'))
  t.true(waitFor(() => !alive(pid)))
  t.is(s.rt(['delete', id]).status, 0)
})

s.test('kill TERM of a created container stops it (runc: the waiting init dies)', (t) => {
  const id = s.id('term-created')
  s.create(t, id)
  t.is(s.rt(['kill', id, 'TERM']).status, 0)
  t.true(s.waitStatus(id, 'stopped'), `status is ${s.status(id)}`)
  s.remove(id)
})

for (const sig of ['10', 'USR1', 'SIGUSR1']) {
  s.test(`kill of a running container delivers the signal given as ${sig}`, (t) => {
    const out = s.scratch(`kill-${sig}`)
    const id = s.id('kill-usr1')
    s.started(t, id, ['sh', '-c', 'trap "echo usr1 >> /home/sig" USR1; echo ready > /home/ready; while :; do sleep 0.05; done'], withOut(out))
    t.true(waitFor(() => existsSync(join(out, 'ready'))))
    const r = s.rt(['kill', id, sig])
    t.is(r.status, 0, describe('kill', r))
    t.true(waitFor(() => existsSync(join(out, 'sig'))), 'the trap did not run')
    t.is(s.status(id), 'running')
    s.remove(id)
  })
}

s.test('kill without a signal sends SIGTERM', (t) => {
  const out = s.scratch('kill-default')
  const id = s.id('kill-default')
  s.started(t, id, ['sh', '-c', 'trap "echo term > /home/sig; exit 0" TERM; echo ready > /home/ready; while :; do sleep 0.05; done'], withOut(out))
  t.true(waitFor(() => existsSync(join(out, 'ready'))))
  t.is(s.rt(['kill', id]).status, 0)
  t.true(waitFor(() => existsSync(join(out, 'sig'))))
  t.true(s.waitStatus(id, 'stopped'))
  s.remove(id)
})

s.test('kill of a stopped container fails: "container not running"; kill --all of it succeeds', (t) => {
  const id = s.id('kill-stopped')
  s.started(t, id, ['true'])
  t.true(s.waitStatus(id, 'stopped'))
  const r = s.rt(['kill', id, '15'])
  t.is(r.status, 1)
  t.is(r.msg, 'container not running')
  t.is(s.rt(['kill', '--all', id, '9']).status, 0)
  s.remove(id)
})

s.test('kill --all kills every process of a container without its own pid namespace', (t) => {
  const id = s.id('kill-all')
  s.started(t, id, ['sh', '-c', 'sleep 1000 & sleep 1000 & exec sleep 1000'], (sp) => {
    sp.linux!.namespaces = sp.linux!.namespaces!.filter((n) => n.type !== 'pid')
  })
  const cgroup = `/sys/fs/cgroup/pids${s.env.cgroupParent}/${id}/cgroup.procs`
  t.true(waitFor(() => readFileSync(cgroup, 'utf8').trim().split('\n').length === 3), readFileSync(cgroup, 'utf8'))
  const r = s.rt(['kill', '--all', id, 'KILL'])
  t.is(r.status, 0, describe('kill --all', r))
  t.true(waitFor(() => !existsSync(cgroup) || readFileSync(cgroup, 'utf8').trim() === ''), 'processes remain')
  t.true(s.waitStatus(id, 'stopped'))
  s.remove(id)
})

// ---- pause / resume ----

s.test('pause → paused, resume → running; the process keeps its pid', (t) => {
  const id = s.id('pause')
  const pid = s.started(t, id)
  t.is(s.rt(['pause', id]).status, 0)
  t.is(s.status(id), 'paused')
  t.is(readFileSync(`/sys/fs/cgroup/freezer${s.env.cgroupParent}/${id}/freezer.state`, 'utf8').trim(), 'FROZEN')
  t.is(s.rt(['resume', id]).status, 0)
  t.is(s.status(id), 'running')
  t.is(s.state(id)?.pid, pid)
  s.remove(id)
})

s.test('pause of a paused container fails: "container not running"', (t) => {
  const id = s.id('pause-twice')
  s.started(t, id)
  t.is(s.rt(['pause', id]).status, 0)
  const r = s.rt(['pause', id])
  t.is(r.status, 1)
  t.is(r.msg, 'container not running')
  t.is(s.status(id), 'paused')
  s.remove(id)
})

s.test('resume of a running container fails: "container not paused"', (t) => {
  const id = s.id('resume-running')
  s.started(t, id)
  const r = s.rt(['resume', id])
  t.is(r.status, 1)
  t.is(r.msg, 'container not paused')
  t.is(s.status(id), 'running')
  s.remove(id)
})

s.test('pause and resume of a stopped container fail: "container not running" / "container not paused"', (t) => {
  const id = s.id('pause-stopped')
  s.started(t, id, ['true'])
  t.true(s.waitStatus(id, 'stopped'))
  const p = s.rt(['pause', id])
  t.is(p.status, 1)
  t.is(p.msg, 'container not running')
  const r = s.rt(['resume', id])
  t.is(r.status, 1)
  t.is(r.msg, 'container not paused')
  s.remove(id)
})

s.test('a created container can be paused and resumed back to created (runc)', (t) => {
  const id = s.id('pause-created')
  s.create(t, id)
  t.is(s.rt(['pause', id]).status, 0)
  t.is(s.status(id), 'paused')
  t.is(s.rt(['resume', id]).status, 0)
  t.is(s.status(id), 'created')
  t.is(s.rt(['start', id]).status, 0)
  t.is(s.status(id), 'running')
  s.remove(id)
})

// ---- delete ----

s.test('delete of a stopped container removes it; the id can be reused', (t) => {
  const id = s.id('del-stopped')
  s.started(t, id, ['true'])
  t.true(s.waitStatus(id, 'stopped'))
  t.is(s.rt(['delete', id]).status, 0)
  const st = s.rt(['state', id])
  t.is(st.status, 1)
  t.is(st.msg, 'container does not exist')
  s.create(t, id)
  t.is(s.status(id), 'created')
  s.remove(id)
})

s.test('delete of a running container fails: "cannot delete container ID that is not stopped: running"', (t) => {
  const id = s.id('del-running')
  const pid = s.started(t, id)
  const r = s.rt(['delete', id])
  t.is(r.status, 1)
  t.is(r.msg, `cannot delete container ${id} that is not stopped: running`)
  t.is(s.status(id), 'running')
  t.true(alive(pid))
  s.remove(id)
})

s.test('delete of a paused container fails: "... that is not stopped: paused"', (t) => {
  const id = s.id('del-paused')
  s.started(t, id)
  t.is(s.rt(['pause', id]).status, 0)
  const r = s.rt(['delete', id])
  t.is(r.status, 1)
  t.is(r.msg, `cannot delete container ${id} that is not stopped: paused`)
  t.is(s.status(id), 'paused')
  s.remove(id)
})

s.test('delete of a created container kills and removes it (runc; the shim relies on it)', (t) => {
  const id = s.id('del-created')
  s.create(t, id)
  const pid = s.state(id)!.pid
  const r = s.rt(['delete', id])
  t.is(r.status, 0, describe('delete', r))
  t.is(s.rt(['state', id]).status, 1)
  t.true(waitFor(() => !alive(pid)))
})

for (const status of ['running', 'paused'] as const) {
  s.test(`delete --force of a ${status} container kills it and removes its cgroups`, (t) => {
    const id = s.id(`force-${status}`)
    const pid = s.started(t, id)
    if (status === 'paused') t.is(s.rt(['pause', id]).status, 0)
    const t0 = Date.now()
    const r = s.rt(['delete', '--force', id])
    t.is(r.status, 0, describe('delete --force', r))
    t.true(Date.now() - t0 < 5000, `delete --force took ${Date.now() - t0} ms`)
    t.is(s.rt(['state', id]).status, 1)
    t.true(waitFor(() => !alive(pid)))
    for (const h of ['memory', 'pids', 'freezer', 'cpu', 'devices', 'unified'])
      t.false(existsSync(`/sys/fs/cgroup/${h}${s.env.cgroupParent}/${id}`), `${h} cgroup remains`)
  })
}

// ---- unknown containers ----

for (const verb of ['state', 'start', 'kill', 'delete', 'pause', 'resume', 'ps', 'exec']) {
  const code = verb === 'exec' ? 255 : 1 // runc's exec reports its own failures as 255
  s.test(`${verb} of an unknown container fails (exit ${code}): "container does not exist"`, (t) => {
    const args = verb === 'exec' ? ['exec', 'nosuch', 'true'] : [verb, 'nosuch']
    const r = s.rt(args)
    t.is(r.status, code)
    t.is(r.msg, 'container does not exist')
  })
}

s.test('delete --force of an unknown container exits 0', (t) => {
  const r = s.rt(['delete', '--force', 'nosuch'])
  t.is(r.status, 0, describe('delete --force', r))
})

s.test('an unknown command exits non-zero', (t) => {
  t.not(s.rt(['frobnicate', 'x']).status, 0)
})

// ---- run / exec / ps / list ----

s.test('run returns the process status, 128+signal when signalled, and removes the container', (t) => {
  const id = s.id('run-exit')
  const r = s.run(id, ['sh', '-c', 'echo out; echo err >&2; exit 3'])
  t.is(r.status, 3, describe('run', r))
  t.is(r.stdout, 'out\n')
  t.is(r.stderr, 'err\n')
  t.is(s.rt(['state', id]).status, 1)
  // Not pid 1 of a pid namespace, where SIGKILL from inside would be ignored.
  const id9 = s.id('run-sig')
  const r9 = s.run(id9, ['sh', '-c', 'kill -9 $$'], (sp) => { sp.linux!.namespaces = sp.linux!.namespaces!.filter((n) => n.type !== 'pid') })
  t.is(r9.status, 137, describe('run', r9))
})

s.test('run -d leaves a running container', (t) => {
  const id = s.id('run-d')
  const b = s.bundle(id, ['sleep', '1000'])
  const r = s.rt(['run', '-d', '--bundle', b, id])
  t.is(r.status, 0, describe('run -d', r))
  t.is(s.status(id), 'running')
  s.remove(id)
})

s.test('exec runs in a running container and returns its status', (t) => {
  const id = s.id('exec')
  s.started(t, id)
  const r = s.rt(['exec', id, 'sh', '-c', 'echo hi; exit 4'])
  t.is(r.status, 4, describe('exec', r))
  t.is(r.stdout, 'hi\n')
  t.is(s.status(id), 'running')
  s.remove(id)
})

s.test('exec -d --pid-file starts a detached process and writes its pid', (t) => {
  const id = s.id('exec-d')
  s.started(t, id)
  const pidFile = join(s.env.dir, `${id}-exec.pid`)
  const r = s.rt(['exec', '-d', '--pid-file', pidFile, id, 'sleep', '1000'])
  t.is(r.status, 0, describe('exec -d', r))
  const pid = Number(readFileSync(pidFile, 'utf8'))
  t.regex(readFileSync(pidFile, 'utf8'), /^\d+$/)
  // exec -d returns once the process exists; its execve may still be under way
  t.true(waitFor(() => /^sleep\x001000/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))), readFileSync(`/proc/${pid}/cmdline`, 'utf8'))
  s.remove(id)
})

s.test('exec in a stopped container fails (exit 255): "cannot exec in a stopped container"', (t) => {
  const id = s.id('exec-stopped')
  s.started(t, id, ['true'])
  t.true(s.waitStatus(id, 'stopped'))
  const r = s.rt(['exec', id, 'true'])
  t.is(r.status, 255)
  t.is(r.msg, 'cannot exec in a stopped container')
  s.remove(id)
})

s.test('exec in a paused container fails (exit 255): "cannot exec in a paused container"', (t) => {
  const id = s.id('exec-paused')
  s.started(t, id)
  t.is(s.rt(['pause', id]).status, 0)
  const r = s.rt(['exec', id, 'true'], { timeout: 10_000 })
  t.is(r.status, 255)
  t.true(r.msg.startsWith('cannot exec in a paused container'), r.msg)
  s.remove(id)
})

s.test('ps --format json lists the host pids of the container processes', (t) => {
  const id = s.id('ps')
  const pid = s.started(t, id, ['sh', '-c', 'sleep 1000 & exec sleep 1001'])
  t.true(waitFor(() => (JSON.parse(s.rt(['ps', '--format', 'json', id]).stdout || '[]') as number[]).length === 2))
  const r = s.rt(['ps', '--format', 'json', id])
  t.is(r.status, 0)
  t.is(r.stderr, '')
  const pids = JSON.parse(r.stdout) as number[]
  t.true(pids.includes(pid), r.stdout)
  s.remove(id)
})

s.test('list shows every container with its status; -q only the ids', (t) => {
  const a = s.id('list-a')
  const b = s.id('list-b')
  s.create(t, a)
  s.started(t, b)
  const json = JSON.parse(s.rt(['list', '--format', 'json']).stdout) as Array<{ id: string; status: string }>
  t.is(json.find((c) => c.id === a)?.status, 'created')
  t.is(json.find((c) => c.id === b)?.status, 'running')
  const q = s.rt(['list', '-q']).stdout.trim().split('\n')
  t.true(q.includes(a) && q.includes(b), q.join(','))
  s.remove(a)
  s.remove(b)
})

s.finish()
