import test from 'ava'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodePlan, encodePlan } from '../../../src/plan/codec'
import { listPlan } from '../../../src/plan/format'
import { renderHeader } from '../../../src/plan/header'
import { OPS, type Op } from '../../../src/plan/ops'

const repo = join(__dirname, '..', '..', '..')
const helper = join(repo, 'native', 'build', 'tsrun-init')

/** One op of every kind with awkward values: nulls, empty and unicode strings, quotes, 64-bit values, -1 fds. */
const sample: Op[] = [
  { op: 'SET_DUMPABLE', on: 0 },
  { op: 'SETNS', fd: 0, nstype: 0x40000000 },
  { op: 'UNSHARE', flags: 0x80n },
  { op: 'CLONE', flags: 0x7e020000n, cgroupFd: -1, wait: 1 },
  { op: 'MOUNT', source: null, target: '/', fstype: null, flags: 0xffff_ffff_0000n, data: null },
  { op: 'MOUNT_IN_ROOT', source: 'tmpfs', dest: '/dev', fstype: 'tmpfs', flags: 2n, data: 'mode=755,size=65536k', create: 1 },
  { op: 'SETUSER', uid: 1000, gid: 1000, groups: [1, 2, 4294967295], setgroups: 1 },
  { op: 'SECCOMP', program: new Uint8Array(16).fill(7), flags: 1 },
  { op: 'EXEC', args: ['sh', '-c', 'echo "héllo"\n\\ok'], env: [] },
  { op: 'SETRLIMIT', resource: 7, soft: 0xffffffffffffffffn, hard: 1024n },
  { op: 'LOOKUP_EXEC', file: 'sh', path: '' },
]

test('every op in the table has a unique code and name', (t) => {
  t.is(new Set(OPS.map((o) => o.code)).size, OPS.length)
  t.is(new Set(OPS.map((o) => o.name)).size, OPS.length)
})

test('encode → decode round-trips every field kind', (t) => {
  t.deepEqual(decodePlan(encodePlan(sample)), sample)
})

test('decode rejects truncation, trailing bytes and unknown ops', (t) => {
  const buf = encodePlan(sample)
  t.throws(() => decodePlan(buf.subarray(0, buf.length - 3)), { message: /truncated|length/ })
  t.throws(() => decodePlan(Buffer.concat([buf, Buffer.from([0])])), { message: /trailing/ })
  const bad = Buffer.from(buf)
  bad.writeUInt32LE(999, 8)
  t.throws(() => decodePlan(bad), { message: /unknown op code 999/ })
})

test('strings with NUL bytes are refused at encode time', (t) => {
  t.throws(() => encodePlan([{ op: 'CHDIR_IN_ROOT', path: 'a\0b' }]), { message: /NUL/ })
})

test('the committed C header is the one ops.ts generates', (t) => {
  t.is(readFileSync(join(repo, 'native', 'plan-ops.h'), 'utf8'), renderHeader())
})

const haveHelper = existsSync(helper)
;(haveHelper ? test : test.skip)(`tsrun-init --decode prints the same listing as TypeScript${haveHelper ? '' : ' (skipped: native/build/tsrun-init not built)'}`, (t) => {
  const out = execFileSync(helper, ['--decode'], { input: encodePlan(sample) }).toString()
  t.is(out, `${listPlan(sample)}\n`)
})

;(haveHelper ? test : test.skip)(`tsrun-init --decode refuses a corrupted plan${haveHelper ? '' : ' (skipped: helper not built)'}`, (t) => {
  const buf = encodePlan(sample)
  const err = t.throws(() => execFileSync(helper, ['--decode'], { input: buf.subarray(0, 20), stdio: 'pipe' }))
  t.regex(String((err as { stderr?: Buffer }).stderr), /malformed plan/)
})

test('docs/protocol.md is the one the tables generate', (t) => {
  const { renderProtocolDoc } = require('../../../src/plan/protocol-doc') as typeof import('../../../src/plan/protocol-doc')
  t.is(readFileSync(join(repo, 'docs', 'protocol.md'), 'utf8'), renderProtocolDoc())
})
