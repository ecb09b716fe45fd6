// Runs each suite with ava's TAP reporter, prints its output, and totals passed/failed/skipped.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const ava = join(root, 'node_modules', '.bin', 'ava')
const isRoot = process.getuid() === 0
const total = { passed: 0, failed: 0, skipped: 0 }

function count(tap) {
  for (const line of tap.split('\n')) {
    if (/^not ok \d+/.test(line)) total.failed++
    else if (/^ok \d+.*# SKIP/.test(line)) total.skipped++
    else if (/^ok \d+/.test(line)) total.passed++
  }
}

function suite(name, args, opts = {}) {
  process.stdout.write(`\n=== ${name}\n`)
  const r = spawnSync(opts.cmd ?? ava, opts.cmd ? args : ['--tap', ...args], {
    cwd: root, encoding: 'utf8', timeout: (opts.minutes ?? 20) * 60_000, maxBuffer: 256 << 20, env: { ...process.env, ...opts.env },
  })
  process.stdout.write(r.stdout ?? '')
  process.stderr.write(r.stderr ?? '')
  const before = total.failed + total.passed + total.skipped
  count(r.stdout ?? '')
  if (r.status !== 0 && total.failed === 0) total.failed++ // a crash or timeout without a failing test line still fails
  if (total.failed + total.passed + total.skipped === before) { total.failed++; process.stdout.write(`not ok - ${name}: no test results (exit ${r.status}, ${r.error ?? ''})\n`) }
}

const tc = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: root, encoding: 'utf8' })
process.stdout.write(`\n=== typecheck\n${tc.stdout}${tc.stderr}`)
if (tc.status === 0) total.passed++
else total.failed++

suite('unit tests', ['test/unit'])
if (isRoot) {
  suite('privileged tests (real containers)', ['--serial', '--concurrency=1', 'test/priv'], { minutes: 30 })
  const guest = join(root, 'test', 'guest')
  if (existsSync(guest) && readdirSync(guest).length)
    suite('cgroup v2 guest tests', ['--serial', '--concurrency=1', '--timeout=12m', 'test/guest'], { minutes: 25 })
  suite('escape regression suite', ['--serial', '--concurrency=1', 'oci-tests/escapes'], { minutes: 15 })
  suite('OCI conformance suite (tsrun)', ['--serial', '--concurrency=1', 'oci-tests/conformance'], { minutes: 20 })
  // the same black-box suite against Debian's runc checks the tests themselves (youki's validate-contest-runc)
  suite('OCI conformance suite (runc, checks the tests)', ['--serial', '--concurrency=1', 'oci-tests/conformance'],
    { minutes: 15, env: { TSRUN_TEST_RUNTIME: '/usr/sbin/runc' } })
  suite('client matrix (containerd, podman, docker)', ['--serial', '--concurrency=1', 'oci-tests/clients'], { minutes: 20 })
} else {
  process.stdout.write('\n=== privileged suites skipped: requires root\n')
  total.skipped++
}
process.stdout.write(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`)
process.exit(total.failed ? 1 : 0)
