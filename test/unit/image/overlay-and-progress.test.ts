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
