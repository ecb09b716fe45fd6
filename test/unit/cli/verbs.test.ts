import test from 'ava'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { featuresDocument } from '../../../src/runtime/features'
import { versionText } from '../../../src/cli/version'
import { spec } from '../../../src/cli/spec'
import { parseSignal } from '../../../src/runtime/signals'
import { parseDuration } from '../../../src/cli/events'
import { validateSpec } from '../../../src/spec'
import { formatLine } from '../../../src/log/logger'

test('--version: first line "tsrun version X" (go-runc parses it), then the spec version', (t) => {
  const lines = versionText().split('\n')
  t.regex(lines[0]!, /^tsrun version \S+$/)
  t.true(lines.includes('spec: 1.3.0'))
})

test('features: the OCI features document with what this build supports', (t) => {
  const f = featuresDocument()
  t.is(f.ociVersionMin, '1.0.0')
  t.is(f.ociVersionMax, '1.3.0')
  t.deepEqual(f.hooks, ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'])
  t.true(f.mountOptions!.includes('rbind') && f.mountOptions!.includes('rprivate'))
  t.deepEqual(f.linux!.namespaces, ['mount', 'pid', 'network', 'ipc', 'uts', 'user', 'cgroup', 'time'])
  t.true(f.linux!.capabilities!.includes('CAP_CHECKPOINT_RESTORE'))
  t.true(f.linux!.seccomp!.actions!.includes('SCMP_ACT_NOTIFY'))
  t.true(f.linux!.seccomp!.archs!.includes('SCMP_ARCH_X86_64'))
  t.deepEqual(f.linux!.apparmor, { enabled: false })
  t.deepEqual(f.linux!.selinux, { enabled: false })
})

test('spec writes a valid default config.json and refuses to overwrite it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-spec-'))
  try {
    const ctx = { command: 'spec', root: '/nonexistent', global: {}, flags: { bundle: dir }, args: [] }
    t.is(spec(ctx), 0)
    const s = validateSpec(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')))
    t.deepEqual(s.process!.args, ['sh'])
    t.is(s.root!.path, 'rootfs')
    t.throws(() => spec(ctx), { message: 'File config.json exists. Remove it first' })
    rmSync(join(dir, 'config.json'))
    t.is(spec({ ...ctx, flags: { bundle: dir, rootless: true } }), 0)
    t.true(validateSpec(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).linux!.namespaces!.some((n) => n.type === 'user'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('signals: numbers, bare names, SIG names, RT signals; bad ones are errors', (t) => {
  t.is(parseSignal('9'), 9)
  t.is(parseSignal('KILL'), 9)
  t.is(parseSignal('SIGTERM'), 15)
  t.is(parseSignal('term'), 15)
  t.is(parseSignal(undefined), 15)
  t.is(parseSignal('SIGRTMIN+2'), 36)
  t.throws(() => parseSignal('SIGBOGUS'), { message: 'unknown signal "SIGBOGUS"' })
  t.throws(() => parseSignal('99'), { message: 'invalid signal: 99' })
})

test('Go durations for events --interval', (t) => {
  t.is(parseDuration('5s'), 5000)
  t.is(parseDuration('500ms'), 500)
  t.is(parseDuration('1m30s'), 90_000)
  t.throws(() => parseDuration('5'), { message: 'invalid duration "5"' })
})

test('log lines: logrus text and JSON with RFC 3339 time (containerd decodes it as time.Time)', (t) => {
  const when = new Date('2026-11-22T10:00:00.123Z')
  t.is(formatLine('error', 'container does not exist', 'json', when), '{"level":"error","msg":"container does not exist","time":"2026-11-22T10:00:00.123Z"}\n')
  t.is(formatLine('error', 'boom', 'text', when), 'time="2026-11-22T10:00:00.123Z" level=error msg=boom\n')
  t.is(formatLine('warning', 'a "b"', 'text', when), 'time="2026-11-22T10:00:00.123Z" level=warning msg="a \\"b\\""\n')
})
