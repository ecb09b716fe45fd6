// Terminals: the console socket as conmon and the shim use it, and tsrun's own relay for `run -t`.
import test from 'ava'
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { makeEnv, requires, rootReason, tsrunBin, waitFor, type Env } from './harness'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
let env: Env
test.before(() => { if (r.ok) env = makeEnv() })
test.after.always(() => { if (r.ok) env.cleanup() })

const script = 'tty; stty size; ls -l /dev/console | cut -c1; read x; echo got $x'

t0(r.title('create --console-socket sends the pty master with its name; the process has it as controlling tty'), async (t) => {
  const sock = join(env.dir, 'console.sock')
  const recv = spawn('python3', [join(__dirname, 'console-receiver.py'), sock, 'hello\n'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  recv.stdout.on('data', (d: Buffer) => { out += d.toString() })
  const finished = new Promise((res) => recv.on('exit', res))
  await new Promise((res) => setTimeout(res, 300))
  const b = env.bundle('tty1', (s) => {
    s.process!.terminal = true
    s.process!.consoleSize = { height: 30, width: 100 }
    s.process!.args = ['sh', '-c', script]
  })
  const c = env.run(['create', '--bundle', b, '--console-socket', sock, 'tty1'])
  t.is(c.status, 0, c.stderr)
  t.is(env.run(['start', 'tty1']).status, 0)
  await finished
  t.regex(out, /^listening\nname \/dev\/pts\/0\n/)
  const output = JSON.stringify(out.split('output ')[1] ?? '')
  t.regex(output, /\/dev\/pts\/0\\\\r\\\\n30 100\\\\r\\\\nc\\\\r\\\\n/)
  t.regex(output, /got hello/)
  t.true(waitFor(() => env.run(['state', 'tty1']).stdout.includes('"stopped"')))
  t.is(env.run(['delete', 'tty1']).status, 0)
})

t0(r.title('a terminal without a console socket is refused for create and run -d (runc wording)'), (t) => {
  const b = env.bundle('tty2', (s) => { s.process!.terminal = true })
  const c = env.run(['create', '--bundle', b, 'tty2'])
  t.is(c.status, 1)
  t.regex(c.stderr, /cannot allocate tty if tsrun will detach without setting console socket/)
  const b3 = env.bundle('tty3', (s) => { s.process!.terminal = false })
  const d = env.run(['create', '--bundle', b3, '--console-socket', join(env.dir, 'x.sock'), 'tty3'])
  t.is(d.status, 1)
  t.regex(d.stderr, /cannot use console socket if tsrun will not detach or allocate tty/)
})

const haveScript = spawnSync('script', ['--version']).status === 0
;(haveScript && r.ok ? test.serial : test.serial.skip)(r.title(`run -t in a terminal relays the pty${haveScript ? '' : ' (skipped: util-linux script missing)'}`), (t) => {
  const b = env.bundle('tty4', (s) => {
    s.process!.terminal = true
    s.process!.args = ['sh', '-c', 'tty; read x; echo got $x; exit 7']
  })
  const cmd = `${tsrunBin} --root ${env.root} run --bundle ${b} tty4`
  const res = spawnSync('sh', ['-c', `(sleep 1; echo world) | script -qec '${cmd}' /dev/null; echo "rc=$?"`], { encoding: 'utf8', timeout: 20_000 })
  t.regex(res.stdout, /\/dev\/pts\/0/)
  t.regex(res.stdout, /got world/)
  t.regex(res.stdout, /rc=7/)
})
