import test from 'ava'
import { parseProcStat, statusFrom } from '../../../src/state/status'
import { checkTransition, TransitionError } from '../../../src/state/transitions'
import { checkId } from '../../../src/state/paths'
import type { ContainerStatus } from '../../../src/spec'

const rec = { pid: 42, startTime: '1000' }
const alive = { state: 'S', startTime: '1000' }

test('parseProcStat reads state and start time even with spaces and parens in comm', (t) => {
  const line = '42 (my (odd) comm) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 123456 1000 10 18446744073709551615'
  t.deepEqual(parseProcStat(line), { state: 'S', startTime: '123456' })
})

test('status: dead, reused and zombie pids are stopped', (t) => {
  t.is(statusFrom(rec, { stat: undefined, fifoExists: true, frozen: false }), 'stopped')
  t.is(statusFrom(rec, { stat: { state: 'S', startTime: '999' }, fifoExists: true, frozen: false }), 'stopped')
  t.is(statusFrom(rec, { stat: { state: 'Z', startTime: '1000' }, fifoExists: false, frozen: false }), 'stopped')
  t.is(statusFrom({ pid: 0, startTime: '' }, { stat: alive, fifoExists: false, frozen: false }), 'stopped')
})

test('status: fifo means created, none means running, frozen means paused', (t) => {
  t.is(statusFrom(rec, { stat: alive, fifoExists: true, frozen: false }), 'created')
  t.is(statusFrom(rec, { stat: alive, fifoExists: false, frozen: false }), 'running')
  t.is(statusFrom(rec, { stat: alive, fifoExists: false, frozen: true }), 'paused')
})

const table: [Parameters<typeof checkTransition>[0], ContainerStatus, string | null][] = [
  ['start', 'created', null], ['start', 'running', 'cannot start an already running container'],
  ['start', 'stopped', 'cannot start a container that has stopped'],
  ['kill', 'created', null], ['kill', 'running', null], ['kill', 'paused', null], ['kill', 'stopped', 'container not running'],
  ['delete', 'stopped', null], ['delete', 'created', null], ['delete', 'running', 'cannot delete container c that is not stopped: running'],
  ['pause', 'running', null], ['pause', 'stopped', 'container not running'], ['resume', 'paused', null], ['resume', 'running', 'container not paused'],
  ['exec', 'running', null], ['exec', 'stopped', 'cannot exec in a stopped container'],
]
for (const [op, status, err] of table) {
  test(`transition ${op} from ${status} ${err ? 'fails' : 'is allowed'}`, (t) => {
    if (err === null) t.notThrows(() => checkTransition(op, status, 'c'))
    else t.is(t.throws(() => checkTransition(op, status, 'c'), { instanceOf: TransitionError })!.message, err)
  })
}

test('container ids follow runc: [A-Za-z0-9_+.-]+, not . or ..', (t) => {
  for (const ok of ['a', 'A-b_c+d.e', '123']) t.is(checkId(ok), ok)
  for (const bad of ['.', '..', 'a/b', 'a b', 'ü', '']) t.throws(() => checkId(bad))
  t.is(t.throws(() => checkId('a/b'))!.message, 'invalid container ID format: "a/b"')
})
