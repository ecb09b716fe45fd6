// config.md "Process" (and its Linux/POSIX parts): args, env, cwd, user (uid, gid, umask,
// additionalGids), rlimits, capabilities, noNewPrivileges, oomScoreAdj, ioPriority, scheduler,
// terminal (with --console-socket), and the same fields for `exec`.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { consoleReceiver, consoleReceiverMissing, describe, Suite, type Spec } from './lib'

const s = new Suite('config-process')

/** The CapXxx hex string of a set of capability numbers. */
const capHex = (...bits: number[]) => bits.reduce((acc, b) => acc | (1n << BigInt(b)), 0n).toString(16).padStart(16, '0')
const CAP = { CHOWN: 0, KILL: 5, NET_BIND_SERVICE: 10, NET_RAW: 13, SYS_ADMIN: 21, AUDIT_WRITE: 29 }

s.test('args are passed verbatim (spaces, empty strings, quotes)', (t) => {
  const id = s.id('argv')
  const v = s.run(id, ['sh', '-c', 'printf "[%s]" "$@"', 'zero', 'a b', '', 'q"uote', "it's"])
  t.is(v.status, 0, describe('run', v))
  t.is(v.stdout, `[a b][][q"uote][it's]`)
})

s.test('env is exactly the configured list (plus HOME from /etc/passwd when unset)', (t) => {
  const env = ['PATH=/bin:/usr/bin', 'FOO=bar', 'EMPTY=', 'WITH_EQ=a=b', 'SPACE=x y']
  const rep = s.checker(t, 'env', (sp) => { sp.process!.env = env })
  t.deepEqual(rep.env.filter((e) => !e.startsWith('HOME=')), env)
  t.true(rep.env.includes('HOME=/root'), rep.env.join(' '))
})

s.test('a configured HOME is kept', (t) => {
  const rep = s.checker(t, 'home', (sp) => { sp.process!.env = ['PATH=/bin', 'HOME=/tmp'] })
  t.deepEqual(rep.env, ['PATH=/bin', 'HOME=/tmp'])
})

s.test('cwd is the working directory', (t) => {
  const rep = s.checker(t, 'cwd', (sp) => { sp.process!.cwd = '/tmp' })
  t.is(rep.cwd, '/tmp')
})

s.test('user uid/gid set real and effective ids; additionalGids are the supplementary groups', (t) => {
  const rep = s.checker(t, 'user', (sp) => { sp.process!.user = { uid: 1000, gid: 1001, additionalGids: [10, 20] } })
  t.is(rep.uid, 1000)
  t.is(rep.euid, 1000)
  t.is(rep.gid, 1001)
  t.is(rep.egid, 1001)
  t.deepEqual([...rep.groups].sort((a, b) => a - b), [10, 20])
})

s.test('root without additionalGids has no supplementary groups', (t) => {
  const rep = s.checker(t, 'rootgroups')
  t.is(rep.uid, 0)
  t.deepEqual(rep.groups.filter((g) => g !== 0), [])
})

s.test('umask is applied; the default is 0022', (t) => {
  t.is(s.checker(t, 'umask', (sp) => { sp.process!.user.umask = 0o027 }).umask, 0o027)
  t.is(s.checker(t, 'umask-default').umask, 0o022)
})

s.test('rlimits are set (soft and hard), others are inherited', (t) => {
  const rep = s.checker(t, 'rlimits', (sp) => {
    sp.process!.rlimits = [
      { type: 'RLIMIT_NOFILE', soft: 512, hard: 1000 },
      { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
      { type: 'RLIMIT_NPROC', soft: 3000, hard: 4000 },
      { type: 'RLIMIT_MSGQUEUE', soft: 4096, hard: 8192 },
    ]
  })
  t.deepEqual(rep.rlimits.NOFILE, [512, 1000])
  t.deepEqual(rep.rlimits.CORE, [0, 0])
  t.deepEqual(rep.rlimits.NPROC, [3000, 4000])
  t.deepEqual(rep.rlimits.MSGQUEUE, [4096, 8192])
})

// (For uid 0 the kernel makes effective = permitted at execve, so both are the same here.)
s.test('capabilities: each of the five sets is applied as configured', (t) => {
  const rep = s.checker(t, 'caps', (sp) => {
    sp.process!.capabilities = {
      bounding: ['CAP_CHOWN', 'CAP_NET_RAW', 'CAP_SYS_ADMIN', 'CAP_KILL'],
      permitted: ['CAP_CHOWN', 'CAP_NET_RAW', 'CAP_SYS_ADMIN'],
      effective: ['CAP_CHOWN', 'CAP_NET_RAW', 'CAP_SYS_ADMIN'],
      inheritable: ['CAP_NET_RAW'],
      ambient: ['CAP_NET_RAW'],
    }
  })
  t.is(rep.caps.bnd, capHex(CAP.CHOWN, CAP.NET_RAW, CAP.SYS_ADMIN, CAP.KILL))
  t.is(rep.caps.prm, capHex(CAP.CHOWN, CAP.NET_RAW, CAP.SYS_ADMIN))
  t.is(rep.caps.eff, capHex(CAP.CHOWN, CAP.NET_RAW, CAP.SYS_ADMIN))
  t.is(rep.caps.inh, capHex(CAP.NET_RAW))
  t.is(rep.caps.amb, capHex(CAP.NET_RAW))
})

s.test('capabilities of the default config (runc spec): AUDIT_WRITE, KILL, NET_BIND_SERVICE', (t) => {
  const rep = s.checker(t, 'caps-default')
  const want = capHex(CAP.AUDIT_WRITE, CAP.KILL, CAP.NET_BIND_SERVICE)
  t.is(rep.caps.bnd, want)
  t.is(rep.caps.prm, want)
  t.is(rep.caps.eff, want)
  t.is(rep.caps.inh, capHex())
  t.is(rep.caps.amb, capHex())
})

s.test('no capabilities object: the process has no capabilities at all', (t) => {
  const rep = s.checker(t, 'nocaps', (sp) => { delete sp.process!.capabilities })
  const none = capHex()
  t.deepEqual(rep.caps, { inh: none, prm: none, eff: none, bnd: none, amb: none })
})

s.test('a non-root user keeps ambient capabilities across exec', (t) => {
  const rep = s.checker(t, 'caps-user', (sp) => {
    sp.process!.user = { uid: 1000, gid: 1000 }
    const c = ['CAP_NET_BIND_SERVICE']
    sp.process!.capabilities = { bounding: c, permitted: c, effective: c, inheritable: c, ambient: c }
  })
  t.is(rep.uid, 1000)
  t.is(rep.caps.eff, capHex(CAP.NET_BIND_SERVICE))
  t.is(rep.caps.amb, capHex(CAP.NET_BIND_SERVICE))
})

s.test('noNewPrivileges true and false', (t) => {
  t.true(s.checker(t, 'nnp-on', (sp) => { sp.process!.noNewPrivileges = true }).noNewPrivs)
  t.false(s.checker(t, 'nnp-off', (sp) => { sp.process!.noNewPrivileges = false }).noNewPrivs)
})

s.test('oomScoreAdj is written to /proc/self/oom_score_adj', (t) => {
  const r = s.sh('oom', 'cat /proc/self/oom_score_adj', (sp) => { sp.process!.oomScoreAdj = 123 })
  t.is(r.status, 0, describe('run', r))
  t.is(r.stdout, '123\n')
})

s.runcDeviation('ioPriority is applied (spec 1.1)', 'ioPriority is ignored', (t) => {
  const r = s.sh('ioprio', 'ionice', (sp) => { (sp.process as unknown as Record<string, unknown>).ioPriority = { class: 'IOPRIO_CLASS_IDLE', priority: 0 } })
  t.is(r.status, 0, describe('run', r))
  t.regex(r.stdout, /^idle/)
})

s.runcDeviation('scheduler policy is applied (spec 1.1)', 'scheduler is ignored', (t) => {
  const r = s.sh('sched', 'grep -E "^policy" /proc/self/sched', (sp) => {
    (sp.process as unknown as Record<string, unknown>).scheduler = { policy: 'SCHED_BATCH', nice: 5 }
  })
  t.is(r.status, 0, describe('run', r))
  t.regex(r.stdout, /policy\s*:\s*3/) // SCHED_BATCH
})

// ---- terminal ----

const tty = (edit?: (sp: Spec) => void) => (sp: Spec) => {
  sp.process!.terminal = true
  edit?.(sp)
}

s.test('terminal without --console-socket: create fails and leaves no container', (t) => {
  const id = s.id('tty-nosock')
  const b = s.bundle(id, ['true'], tty())
  const r = s.rt(['create', '--bundle', b, id])
  t.is(r.status, 1)
  t.true(r.msg.includes('console socket') || r.msg.includes('console-socket'), r.msg)
  t.is(s.rt(['state', id]).status, 1)
})

s.test('terminal: create sends the pty master over --console-socket; the process has it as its controlling tty', async (t) => {
  if (consoleReceiverMissing) {
    t.pass(consoleReceiverMissing)
    return
  }
  const id = s.id('tty')
  const sock = join(s.scratch('tty'), 'console.sock')
  const received = consoleReceiver(sock)
  const b = s.bundle(id, ['sh', '-c', 'tty; test -t 0 && test -t 1 && test -t 2 && echo all-ttys'], tty())
  const c = s.rt(['create', '--bundle', b, '--console-socket', sock, id], { timeout: 20_000 })
  t.is(c.status, 0, describe('create', c))
  const st = s.rt(['start', id])
  t.is(st.status, 0, describe('start', st))
  const res = await received
  t.is(res.error, null)
  t.is(res.fdMode, 'chr')
  t.regex(res.output, /^\/dev\/pts\/\d+\r\nall-ttys\r\n/)
  s.remove(id)
})

s.test('exec -t with --console-socket gives the exec process a terminal', async (t) => {
  if (consoleReceiverMissing) {
    t.pass(consoleReceiverMissing)
    return
  }
  const id = s.id('exec-tty')
  s.started(t, id)
  const sock = join(s.scratch('exec-tty'), 'console.sock')
  const received = consoleReceiver(sock)
  const r = s.rt(['exec', '-t', '-d', '--console-socket', sock, id, 'sh', '-c', 'tty; echo done'], { timeout: 20_000 })
  t.is(r.status, 0, describe('exec -t', r))
  const res = await received
  t.is(res.error, null)
  t.regex(res.output, /^\/dev\/pts\/\d+\r\ndone\r\n/)
  s.remove(id)
})

// ---- exec process fields ----

s.test('exec without options runs with the container\'s env, cwd and user', (t) => {
  const id = s.id('exec-inherit')
  s.started(t, id, ['sleep', '1000'], (sp) => {
    sp.process!.env = ['PATH=/bin', 'FROM_CONFIG=1']
    sp.process!.cwd = '/tmp'
    sp.process!.user = { uid: 1000, gid: 1000 }
  })
  const r = s.rt(['exec', id, '/checker'])
  t.is(r.status, 0, describe('exec', r))
  const rep = JSON.parse(r.stdout) as { env: string[]; cwd: string; uid: number; gid: number }
  t.true(rep.env.includes('FROM_CONFIG=1'), rep.env.join(' '))
  t.is(rep.cwd, '/tmp')
  t.is(rep.uid, 1000)
  t.is(rep.gid, 1000)
  s.remove(id)
})

s.test('exec --env/--cwd/--user override the container\'s values', (t) => {
  const id = s.id('exec-flags')
  s.started(t, id)
  const r = s.rt(['exec', '--env', 'EXTRA=yes', '--cwd', '/etc', '--user', '65534:65534', id, '/checker'])
  t.is(r.status, 0, describe('exec', r))
  const rep = JSON.parse(r.stdout) as { env: string[]; cwd: string; uid: number; gid: number }
  t.true(rep.env.includes('EXTRA=yes'))
  t.is(rep.cwd, '/etc')
  t.is(rep.uid, 65534)
  t.is(rep.gid, 65534)
  s.remove(id)
})

s.test('exec --process process.json: args, env, cwd, user, capabilities and rlimits of the file', (t) => {
  const id = s.id('exec-process')
  s.started(t, id)
  const proc = {
    terminal: false,
    user: { uid: 1000, gid: 1000, additionalGids: [30] },
    args: ['/checker'],
    env: ['PATH=/bin', 'P=1'],
    cwd: '/var',
    capabilities: { bounding: ['CAP_KILL'], permitted: ['CAP_KILL'], effective: ['CAP_KILL'], inheritable: ['CAP_KILL'], ambient: ['CAP_KILL'] },
    rlimits: [{ type: 'RLIMIT_NOFILE', soft: 100, hard: 200 }],
    noNewPrivileges: true,
  }
  const file = join(s.env.dir, `${id}-process.json`)
  writeFileSync(file, JSON.stringify(proc))
  const r = s.rt(['exec', '--process', file, id])
  t.is(r.status, 0, describe('exec', r))
  const rep = JSON.parse(r.stdout) as { env: string[]; cwd: string; uid: number; groups: number[]; caps: { eff: string }; rlimits: { NOFILE: number[] } }
  t.deepEqual(rep.env.filter((e) => !e.startsWith('HOME=')), ['PATH=/bin', 'P=1'])
  t.is(rep.cwd, '/var')
  t.is(rep.uid, 1000)
  t.deepEqual(rep.groups, [30])
  t.is(rep.caps.eff, capHex(CAP.KILL))
  t.deepEqual(rep.rlimits.NOFILE, [100, 200])
  s.remove(id)
})

s.finish()
