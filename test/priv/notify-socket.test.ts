// sd_notify: NOTIFY_SOCKET proxied as runc does. A host-side "systemd" (a datagram socket bound here) must get
// READY=1 and MAINPID once the container sends READY=1 on /run/notify/notify.sock, and not before.
import test from 'ava'
import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Spec } from '../../src/spec'
import { bindUnix, dgramSocket, pollReadable, recvDatagram } from '../../src/sys/dgram'
import { errorMsg, makeEnv, parseState, requires, rootReason, tsrunBin, waitFor, type Env } from './harness'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
let env: Env
let share: string // bind-mounted on /mnt: the static sdnotify and files the test and the container exchange
let hostPath: string
let hostFd = -1

test.before(() => {
  if (!r.ok) return
  env = makeEnv()
  chmodSync(env.dir, 0o711) // the share dir is reachable from a user namespace (the state root stays 0700)
  share = join(env.dir, 'share')
  mkdirSync(share, { mode: 0o755 })
  chmodSync(share, 0o755)
  execFileSync('gcc', ['-static', '-O2', '-o', join(share, 'sdnotify'), join(__dirname, 'fixtures-notify.c')])
  hostPath = join(env.dir, 'systemd-notify.sock')
  hostFd = dgramSocket(true)
  bindUnix(hostFd, hostPath)
})
test.after.always(() => {
  if (!r.ok) return
  env.cleanup() // hostFd stays open until the worker exits: closing a koffi-made fd from an ava worker only draws a warning
})

/** Everything the host socket has received within ms. */
function received(ms: number): string[] {
  const out: string[] = []
  const end = Date.now() + ms
  for (;;) {
    for (let d = recvDatagram(hostFd); d; d = recvDatagram(hostFd)) out.push(d.toString('utf8'))
    const left = end - Date.now()
    if (left <= 0 || out.length > 0) return out
    pollReadable([hostFd], left)
  }
}

const withNotify = (): NodeJS.ProcessEnv => ({ ...process.env, NOTIFY_SOCKET: hostPath })
const withoutNotify = (): NodeJS.ProcessEnv => { const e = { ...process.env }; delete e.NOTIFY_SOCKET; return e }

function notifyBundle(id: string, script: string, edit?: (s: Spec) => void): string {
  return env.bundle(id, (s) => {
    s.mounts!.push({ destination: '/mnt', type: 'bind', source: share, options: ['rbind', 'rw'] })
    s.process!.args = ['sh', '-c', script]
    edit?.(s)
  })
}

t0(r.title('start waits for READY=1, then sends READY=1 and MAINPID=<init> to the host; state is not blocked meanwhile'), async (t) => {
  received(0)
  const b = notifyBundle('ready',
    'echo "$NOTIFY_SOCKET" > /mnt/ready.env; /mnt/sdnotify STATUS=starting; while [ ! -e /mnt/ready.go ]; do sleep 0.05; done; ' +
    '/mnt/sdnotify STATUS=up READY=1; exec sleep 100',
    (s) => { s.process!.env!.push('NOTIFY_SOCKET=/bogus') })
  const c = env.run(['create', '--bundle', b, 'ready'], { env: withNotify() })
  t.is(c.status, 0, c.stderr)
  t.true(existsSync(join(env.root, 'ready', 'notify')), 'notify dir in the state dir')
  const saved = JSON.parse(readFileSync(join(env.root, 'ready', 'config.json'), 'utf8')) as Spec
  t.deepEqual(saved.mounts!.at(-1), { destination: '/run/notify', source: join(env.root, 'ready', 'notify'), options: ['bind', 'nosuid', 'noexec', 'nodev', 'ro'] })

  let stderr = ''
  const start = spawn(tsrunBin, ['--root', env.root, 'start', 'ready'], { env: withNotify(), stdio: ['ignore', 'ignore', 'pipe'] })
  start.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const done = new Promise<number | null>((resolve) => start.on('exit', (code) => resolve(code)))
  t.true(waitFor(() => existsSync(join(share, 'ready.env')), 10_000), 'the process runs')
  t.is(readFileSync(join(share, 'ready.env'), 'utf8'), '/run/notify/notify.sock\n', "tsrun's NOTIFY_SOCKET replaces the config's")
  t.deepEqual(received(300), [], 'nothing forwarded before READY (STATUS= is dropped)')
  t.is(start.exitCode, null, 'start has not returned before READY=1')
  const st = env.run(['state', 'ready'], { timeout: 5000 })
  t.is(st.status, 0, 'state does not wait behind start')
  const pid = parseState(st.stdout).pid
  t.is(parseState(st.stdout).status, 'running')
  t.regex(readFileSync(`/proc/${pid}/mountinfo`, 'utf8'), / \/run\/notify ro,nosuid,nodev,noexec/)

  writeFileSync(join(share, 'ready.go'), '')
  t.is(await done, 0, stderr)
  t.deepEqual(received(2000), [`READY=1\nMAINPID=${pid}\n`])
  t.is(env.run(['delete', '--force', 'ready']).status, 0)
  t.false(existsSync(join(env.root, 'ready')), 'the socket goes with the state dir')
})

t0(r.title('start fails (exit 1) when the container exits without READY=1'), (t) => {
  received(0)
  const b = notifyBundle('noready', '/mnt/sdnotify STATUS=nope; sleep 0.3')
  t.is(env.run(['create', '--bundle', b, 'noready'], { env: withNotify() }).status, 0)
  const s = env.run(['start', 'noready'], { env: withNotify(), timeout: 10_000 })
  t.is(s.status, 1, s.stderr)
  t.is(errorMsg(s.stderr), 'container init exited before it sent READY=1 on NOTIFY_SOCKET')
  t.deepEqual(received(100), [])
  t.is(parseState(env.run(['state', 'noready']).stdout).status, 'stopped')
  t.is(env.run(['delete', 'noready']).status, 0)
})

t0(r.title('run -d forwards READY=1 with MAINPID=<init>'), (t) => {
  received(0)
  const b = notifyBundle('rund', '/mnt/sdnotify READY=1; exec sleep 100')
  const run = env.run(['run', '-d', '--bundle', b, 'rund'], { env: withNotify(), timeout: 10_000 })
  t.is(run.status, 0, run.stderr)
  const pid = parseState(env.run(['state', 'rund']).stdout).pid
  t.deepEqual(received(2000), [`READY=1\nMAINPID=${pid}\n`])
  t.is(env.run(['delete', '--force', 'rund']).status, 0)
})

t0(r.title('run -d without READY=1 fails and removes the container'), (t) => {
  received(0)
  const b = notifyBundle('rundno', 'sleep 0.2')
  const run = env.run(['run', '-d', '--bundle', b, 'rundno'], { env: withNotify(), timeout: 10_000 })
  t.is(run.status, 1, run.stderr)
  t.is(errorMsg(run.stderr), 'tsrun run failed: container init exited before it sent READY=1 on NOTIFY_SOCKET')
  t.false(existsSync(join(env.root, 'rundno')))
  t.deepEqual(received(100), [])
})

t0(r.title('foreground run forwards READY=1 with MAINPID=<tsrun> (runc) and returns the exit status'), (t) => {
  received(0)
  const b = notifyBundle('runfg', '/mnt/sdnotify READY=1; sleep 0.2; exit 3')
  const run = env.run(['run', '--bundle', b, 'runfg'], { env: withNotify(), timeout: 10_000 })
  t.is(run.status, 3, run.stderr)
  t.deepEqual(received(2000), [`READY=1\nMAINPID=${run.pid}\n`])
  t.false(existsSync(join(env.root, 'runfg')))
})

t0(r.title('a user-namespaced container can notify'), (t) => {
  received(0)
  const b = notifyBundle('userns', '/mnt/sdnotify READY=1; exec sleep 100', (s) => {
    s.linux!.namespaces!.push({ type: 'user' })
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
  })
  const run = env.run(['run', '-d', '--bundle', b, 'userns'], { env: withNotify(), timeout: 10_000 })
  t.is(run.status, 0, run.stderr)
  const pid = parseState(env.run(['state', 'userns']).stdout).pid
  t.deepEqual(received(2000), [`READY=1\nMAINPID=${pid}\n`])
  t.regex(readFileSync(`/proc/${pid}/mountinfo`, 'utf8'), / \/run\/notify ro,nosuid,nodev,noexec,[^ ]*idmapped/)
  t.is(env.run(['delete', '--force', 'userns']).status, 0)
})

t0(r.title('without NOTIFY_SOCKET nothing changes; a later start with it only warns'), (t) => {
  received(0)
  const b = notifyBundle('plain', 'env > /mnt/plain.env; cat /proc/self/mountinfo > /mnt/plain.mounts; exec sleep 100')
  t.is(env.run(['create', '--bundle', b, 'plain'], { env: withoutNotify() }).status, 0)
  t.false(existsSync(join(env.root, 'plain', 'notify')))
  const s = env.run(['start', 'plain'], { env: withNotify(), timeout: 10_000 })
  t.is(s.status, 0, s.stderr)
  t.regex(s.stderr, /NOTIFY_SOCKET is set but the container was created without it/)
  t.true(waitFor(() => existsSync(join(share, 'plain.mounts'))))
  t.notRegex(readFileSync(join(share, 'plain.env'), 'utf8'), /NOTIFY_SOCKET/)
  t.notRegex(readFileSync(join(share, 'plain.mounts'), 'utf8'), /\/run\/notify/)
  t.deepEqual(received(100), [])
  t.is(env.run(['delete', '--force', 'plain']).status, 0)
})
