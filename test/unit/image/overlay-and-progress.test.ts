import test from 'ava'
import { legacyOverlayOptions } from '../../../src/image/overlay-mount'
import { progressLine } from '../../../src/image/progress'
import { imageTable } from '../../../src/cli/image'
import { ImageError } from '../../../src/image/types'

const hex = (i: number): string => i.toString(16).padStart(64, '0')
const lowers = (n: number): string[] => Array.from({ length: n }, (_, i) => `/var/lib/tsrun/layers/${hex(n - i)}/diff`)
const o = (n: number) => ({ target: '/b/rootfs', lowers: lowers(n), upper: '/b/overlay/upper', work: '/b/overlay/work' })

test('legacy overlay options: absolute paths while they fit a page', (t) => {
  const r = legacyOverlayOptions(o(3))
  t.is(r.cwd, undefined)
  t.is(r.data, `lowerdir=${lowers(3).join(':')},upperdir=/b/overlay/upper,workdir=/b/overlay/work`)
})

test('legacy overlay options: 50 layers of store paths overflow a page; relative to the layers dir they fit', (t) => {
  t.true(`lowerdir=${lowers(50).join(':')}`.length > 4096)
  const r = legacyOverlayOptions(o(50))
  t.is(r.cwd, '/var/lib/tsrun/layers')
  t.true(r.data.length < 4096)
  t.true(r.data.startsWith(`lowerdir=${hex(50)}/diff:${hex(49)}/diff:`))
})

test('legacy overlay options: too many layers even relative is a clear error', (t) => {
  const e = t.throws(() => legacyOverlayOptions(o(80)), { instanceOf: ImageError })
  t.regex(e!.message, /80 layers do not fit/)
})

test('progress line', (t) => {
  t.is(progressLine(2, 3, 500_000, 1_000_000, 10), 'unpacking layer 2/3 [=====     ] 500.0 kB/1.0 MB')
  t.is(progressLine(1, 1, 0, 0, 4), 'unpacking layer 1/1 [    ] 0 B/0 B')
})

test('image ls table', (t) => {
  const table = imageTable([{
    id: `sha256:${'a'.repeat(64)}`, names: ['docker.io/library/busybox:latest'], configDigest: '', config: { rootfs: { type: 'layers', diff_ids: [] } },
    platform: { os: 'linux', architecture: 'amd64' }, chainIds: ['x', 'y'], size: 4_300_000, imported: '',
  }])
  t.is(table, 'NAME                               IMAGE ID       PLATFORM      LAYERS   SIZE\n'
    + 'docker.io/library/busybox:latest   aaaaaaaaaaaa   linux/amd64   2        4.3MB')
})

test('terminal progress: drawn on a terminal, cleared at the end; silent when quiet or not a terminal', (t) => {
  const { terminalProgress } = require('../../../src/image/progress') as typeof import('../../../src/image/progress')
  const writes: string[] = []
  const tty = { isTTY: true, write: (s: string) => { writes.push(s); return true } } as unknown as NodeJS.WriteStream
  const p = terminalProgress(tty, false, 0)
  p.layer(1, 2, 1000)
  p.bytes(1000)
  p.done()
  t.true(writes[0]!.startsWith('\runpacking layer 1/2 ['))
  t.is(writes.at(-1), '\r\x1b[K')
  for (const [out, quiet] of [[tty, true], [{ ...tty, isTTY: false } as unknown as NodeJS.WriteStream, false]] as const) {
    const before = writes.length
    const q = terminalProgress(out, quiet, 0)
    q.layer(1, 1, 10); q.bytes(10); q.done()
    t.is(writes.length, before)
  }
})

test('legacy overlay options: a path with "," ":" or "\\" is refused, not spliced into the options', (t) => {
  for (const bad of ['/b,upperdir=/x/overlay/upper', '/b:c/overlay/upper', '/b\\c/overlay/upper']) {
    const e = t.throws(() => legacyOverlayOptions({ ...o(2), upper: bad }), { instanceOf: ImageError })
    t.regex(e!.message, /cannot be passed to mount\(2\)/)
  }
})
