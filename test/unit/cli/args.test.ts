import test from 'ava'
import { parseArgs } from '../../../src/cli/args'

// Every invocation form listed in ../shared/docs/contract.md, and what it must parse to.
test('containerd shim create with global flags first', (t) => {
  const p = parseArgs(['--root', '/run/containerd/runc/default', '--log', '/b/log.json', '--log-format', 'json',
    'create', '--bundle', '/b', '--pid-file', '/b/init.pid', '--console-socket', '/tmp/pty.sock', 'ctr1'])
  t.deepEqual(p.global, { root: '/run/containerd/runc/default', log: '/b/log.json', 'log-format': 'json' })
  t.is(p.command, 'create')
  t.deepEqual(p.flags, { bundle: '/b', 'pid-file': '/b/init.pid', 'console-socket': '/tmp/pty.sock' })
  t.deepEqual(p.args, ['ctr1'])
})

test('conmon style --flag=value and --systemd-cgroup', (t) => {
  const p = parseArgs(['--systemd-cgroup', '--log-format=json', '--log', '/r/oci-log', 'create', '--bundle', '/u', '--pid-file', '/r/pidfile', '--no-pivot', '--no-new-keyring', '--preserve-fds', '2', 'c1'])
  t.is(p.global['systemd-cgroup'], true)
  t.is(p.global['log-format'], 'json')
  t.deepEqual(p.flags, { bundle: '/u', 'pid-file': '/r/pidfile', 'no-pivot': true, 'no-new-keyring': true, 'preserve-fds': '2' })
})

test('kill: numeric, bare and SIG-prefixed signals; --all; parsing stops at the id', (t) => {
  t.deepEqual(parseArgs(['kill', 'c', '15']).args, ['c', '15'])
  t.deepEqual(parseArgs(['kill', '--all', 'c', '9']).flags, { all: true })
  t.deepEqual(parseArgs(['kill', '-a', 'c', 'KILL']).args, ['c', 'KILL'])
  t.deepEqual(parseArgs(['kill', 'c', 'SIGTERM']).args, ['c', 'SIGTERM'])
})

test('delete --force and -f; state; start', (t) => {
  t.deepEqual(parseArgs(['delete', '--force', 'c']).flags, { force: true })
  t.deepEqual(parseArgs(['delete', '-f', 'c']).flags, { force: true })
  t.deepEqual(parseArgs(['state', 'c']).args, ['c'])
  t.deepEqual(parseArgs(['start', 'c']).args, ['c'])
})

test('exec as the shim and conmon call it; args after the id are not flags', (t) => {
  const p = parseArgs(['exec', '--process', '/tmp/runc-process1', '--detach', '--pid-file', '/b/e.pid', '--console-socket', '/tmp/s', 'c'])
  t.deepEqual(p.flags, { process: '/tmp/runc-process1', detach: true, 'pid-file': '/b/e.pid', 'console-socket': '/tmp/s' })
  const q = parseArgs(['exec', '-t', '--tty', '-e', 'A=1', '--env=B=2', 'c', 'sh', '-c', 'ls -l'])
  t.deepEqual(q.flags, { tty: true, env: ['A=1', 'B=2'] })
  t.deepEqual(q.args, ['c', 'sh', '-c', 'ls -l'])
})

test('update --resources - and --resources=FILE; ps --format json; events --interval=5s', (t) => {
  t.is(parseArgs(['update', '--resources', '-', 'c']).flags.resources, '-')
  t.is(parseArgs(['update', '--resources=/var/tmp/p1', 'c']).flags.resources, '/var/tmp/p1')
  t.deepEqual(parseArgs(['ps', '--format', 'json', 'c']).flags, { format: 'json' })
  t.deepEqual(parseArgs(['ps', '--format', 'table', 'c', '-ef']).args, ['c', '-ef'])
  t.deepEqual(parseArgs(['events', '--interval=5s', 'c']).flags, { interval: '5s' })
  t.deepEqual(parseArgs(['events', '--stats', 'c']).flags, { stats: true })
})

test('single-dash long flags (Go style) and restore -no-subreaper style', (t) => {
  t.deepEqual(parseArgs(['-root', '/r', 'run', '-no-subreaper', '-bundle', '/b', '-d', 'c']).flags, { 'no-subreaper': true, bundle: '/b', detach: true })
  t.deepEqual(parseArgs(['-root', '/r', 'state', 'c']).global, { root: '/r' })
})

test('--version, -v, list --format=json -q, --rootless=false', (t) => {
  t.is(parseArgs(['--version']).global.version, true)
  t.is(parseArgs(['-v']).global.version, true)
  t.deepEqual(parseArgs(['list', '--format=json']).flags, { format: 'json' })
  t.deepEqual(parseArgs(['list', '-q']).flags, { quiet: true })
  t.is(parseArgs(['--rootless=false', 'list']).global.rootless, 'false')
})

test('errors name the flag or the command', (t) => {
  t.throws(() => parseArgs(['create', '--bogus', 'c']), { message: 'Incorrect Usage: flag provided but not defined: -bogus' })
  t.throws(() => parseArgs(['create', '--bundle']), { message: 'Incorrect Usage: flag needs an argument: -bundle' })
  t.throws(() => parseArgs(['frobnicate', 'c']), { message: "No help topic for 'frobnicate'" })
  t.throws(() => parseArgs(['delete', '--force=maybe', 'c']), { message: /invalid boolean value "maybe"/ })
})
