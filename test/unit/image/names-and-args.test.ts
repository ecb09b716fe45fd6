import test from 'ava'
import { idMatches, nameMatches, normalizeName } from '../../../src/image/reference'
import { parseImageArg } from '../../../src/image/image-arg'
import { parseArgs } from '../../../src/cli/args'

test('normalizeName: docker\'s short forms', (t) => {
  t.is(normalizeName('busybox'), 'docker.io/library/busybox:latest')
  t.is(normalizeName('busybox:1.36'), 'docker.io/library/busybox:1.36')
  t.is(normalizeName('me/app'), 'docker.io/me/app:latest')
  t.is(normalizeName('quay.io/me/app'), 'quay.io/me/app:latest')
  t.is(normalizeName('localhost/app'), 'localhost/app:latest')
  t.is(normalizeName('localhost:5000/app:v1'), 'localhost:5000/app:v1')
  t.is(normalizeName('busybox@sha256:abc'), 'docker.io/library/busybox@sha256:abc')
})

test('nameMatches and idMatches', (t) => {
  t.true(nameMatches('docker.io/library/busybox:latest', 'busybox'))
  t.false(nameMatches('docker.io/library/busybox:latest', 'busybox:1'))
  const id = `sha256:${'ab'.repeat(32)}`
  t.true(idMatches(id, id))
  t.true(idMatches(id, 'abababababab'))
  t.false(idMatches(id, 'ababab'), 'fewer than 12 digits is not enough')
  t.false(idMatches(id, 'busybox'))
})

test('parseImageArg: a path, a path with :REF, or an image in the store', (t) => {
  const files = new Set(['/x/busybox.tar', '/x/dir'])
  const exists = (p: string): boolean => files.has(p)
  t.deepEqual(parseImageArg('/x/busybox.tar', exists), { source: '/x/busybox.tar' })
  t.deepEqual(parseImageArg('/x/busybox.tar:busybox:1.36', exists), { source: '/x/busybox.tar', ref: 'busybox:1.36' })
  t.deepEqual(parseImageArg('/x/dir:', exists), { source: '/x/dir' })
  t.deepEqual(parseImageArg('busybox:latest', exists), { ref: 'busybox:latest' })
})

test('run --image: everything after the container id is the command, flags included', (t) => {
  const p = parseArgs(['run', '--image', 'b.tar', '--store', '/s', 'c1', 'sh', '-c', 'echo -n hi', '--bundle', 'x'])
  t.is(p.flags.image, 'b.tar')
  t.is(p.flags.store, '/s')
  t.false('bundle' in p.flags)
  t.deepEqual(p.args, ['c1', 'sh', '-c', 'echo -n hi', '--bundle', 'x'])
  const plain = parseArgs(['run', 'c1', '--bundle', 'x'])
  t.is(plain.flags.bundle, 'x', 'without --image, flags after the id still count (urfave/cli reorders them)')
})

test('bundle create: DIR then the command', (t) => {
  const p = parseArgs(['bundle', 'create', '--image', 'busybox', '-e', 'A=1', '-e', 'B=2', '/b', 'ls', '-l'])
  t.deepEqual(p.args, ['create', '/b', 'ls', '-l'])
  t.deepEqual(p.flags.env, ['A=1', 'B=2'])
})
