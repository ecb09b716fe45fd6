// Images → bundles → containers: the layer store, overlay rootfs, sharing, whiteouts, many layers, hostile images.
import test from 'ava'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildTestImages, busyboxImageRef, type TestImages } from '../../oci-tests/images/build'
import { writeOciLayout, type LayerInput } from '../../oci-tests/images/layout'
import { layerEntries } from '../../oci-tests/images/layer'
import { dirEntry, fileEntry, type TarEntry } from '../../oci-tests/images/tar-buffer'
import { errorMsg, makeEnv, mountsMentioning, parseState, requires, rootReason, tsrunBin, type Env } from './harness'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
let env: Env
let images: TestImages
let store: string
const ids = new Set<string>()

test.before(async () => {
  if (!r.ok) return
  env = makeEnv()
  images = await buildTestImages(join(env.dir, 'images'), join(env.dir, 'busybox-rootfs'))
  store = join(env.dir, 'store')
})
test.after.always(() => {
  if (!r.ok) return
  for (const id of ids) env.run(['delete', '--force', id])
  env.cleanup()
})

const img = (args: string[]): ReturnType<Env['run']> => env.run(['image', '--store', store, ...args])
function bundleCreate(dir: string, image: string, extra: string[] = [], cmd: string[] = []): ReturnType<Env['run']> {
  return env.run(['bundle', 'create', '--store', store, '--image', image, '--cgroups-path', `${env.cgroupParent}/${dir.split('/').pop()}`, ...extra, dir, ...cmd])
}
function runBundle(id: string, bundle: string): ReturnType<Env['run']> {
  ids.add(id)
  const res = env.run(['run', '--bundle', bundle, id])
  ids.delete(id)
  return res
}
const layersInStore = (): string[] => (existsSync(join(store, 'layers')) ? readdirSync(join(store, 'layers')).filter((n) => /^[0-9a-f]{64}$/.test(n)) : [])

/** The busybox layer plus the given layers on top. */
async function layeredImage(name: string, upper: LayerInput[], config?: Record<string, unknown>): Promise<string> {
  const dir = join(env.dir, 'layouts', name)
  await writeOciLayout(dir, [{ entries: layerEntries(images.rootfs) }, ...upper], { ref: `localhost/${name}:latest`, config })
  return dir
}

t0(r.title('image load: an OCI archive goes into the store; image ls lists it (table and JSON)'), (t) => {
  const l = img(['load', images.busybox.oci.path])
  t.is(l.status, 0, l.stderr)
  t.regex(l.stdout, new RegExp(`Loaded image: ${busyboxImageRef}`))
  t.is(layersInStore().length, 1)
  const js = JSON.parse(img(['ls', '--format', 'json']).stdout) as { id: string; names: string[]; layers: string[] }[]
  t.is(js.length, 1)
  t.deepEqual(js[0]!.names, [busyboxImageRef])
  t.is(js[0]!.id, images.busybox.oci.manifestDigest!)
  t.regex(img(['ls']).stdout, /NAME\s+IMAGE ID\s+PLATFORM\s+LAYERS\s+SIZE\n.*tsrun-busybox:latest/)
  const again = img(['load', images.busybox.docker.path])
  t.is(again.status, 0, again.stderr)
  t.regex(again.stdout, /0 of 1 layers unpacked/, 'the same layer from a docker-archive is not unpacked again')
})

t0(r.title('bundle create + run: the image runs with its own config; the overlay is mounted at create and gone at delete'), (t) => {
  const b = join(env.dir, 'b-one')
  const c = bundleCreate(b, 'tsrun-busybox', [], ['sh', '-c', 'echo hi from $(cat /etc/hostname 2>/dev/null || hostname); ls /bin/busybox'])
  t.is(c.status, 0, c.stderr)
  const cfg = JSON.parse(readFileSync(join(b, 'config.json'), 'utf8')) as { root: { path: string }; process: { args: string[]; env: string[] } }
  t.is(cfg.root.path, 'rootfs')
  t.deepEqual(cfg.process.args.slice(0, 2), ['sh', '-c'])
  t.true(cfg.process.env.some((e) => e.startsWith('PATH=')))
  const run = runBundle('img-one', b)
  t.is(run.status, 0, run.stderr)
  t.regex(run.stdout, /hi from/)
  t.regex(run.stdout, /\/bin\/busybox/)
  t.deepEqual(mountsMentioning(join(b, 'rootfs')), [], 'no mount left on the bundle rootfs')
  ids.add('img-created')
  t.is(env.run(['create', '--bundle', b, 'img-created']).status, 0)
  t.true(mountsMentioning(join(b, 'rootfs')).some((l) => / - overlay /.test(l)), 'overlay mounted at create')
  const busy = env.run(['create', '--bundle', b, 'img-created2'])
  t.is(busy.status, 1)
  t.regex(errorMsg(busy.stderr), /already mounted/)
  t.false(existsSync(join(env.root, 'img-created2')))
  t.is(env.run(['delete', '--force', 'img-created']).status, 0)
  ids.delete('img-created')
  t.deepEqual(mountsMentioning(join(b, 'rootfs')), [], 'delete unmounts it')
})

t0(r.title('two containers from one image share the layer dirs and do not see each other\'s writes'), (t) => {
  const a = join(env.dir, 'b-a'), b = join(env.dir, 'b-b')
  t.is(bundleCreate(a, 'tsrun-busybox', [], ['sleep', '60']).status, 0)
  t.is(bundleCreate(b, 'tsrun-busybox', [], ['sleep', '60']).status, 0)
  for (const [id, dir] of [['share-a', a], ['share-b', b]] as const) {
    ids.add(id)
    const res = env.run(['run', '-d', '--bundle', dir, id])
    t.is(res.status, 0, res.stderr)
  }
  t.is(env.run(['exec', 'share-a', 'sh', '-c', 'echo mine > /written-by-a']).status, 0)
  t.is(env.run(['exec', 'share-a', 'cat', '/written-by-a']).stdout, 'mine\n')
  const other = env.run(['exec', 'share-b', 'cat', '/written-by-a'])
  t.not(other.status, 0, 'b does not see a\'s file')
  t.true(existsSync(join(a, 'overlay/upper/written-by-a')), 'the write landed in a\'s upper dir')
  const lower = (dir: string): string => mountsMentioning(join(dir, 'rootfs')).join('\n').match(/lowerdir\+?=([^,]+)/)?.[1] ?? 'none'
  t.regex(lower(a), new RegExp(`^${store}/layers/[0-9a-f]{64}/diff$`))
  t.is(lower(a), lower(b), 'same lower dirs')
  t.is(layersInStore().length, 1)
  for (const id of ['share-a', 'share-b']) { t.is(env.run(['delete', '--force', id]).status, 0); ids.delete(id) }
})

t0(r.title('run --image SRC ID CMD: one step; the bundle it made goes with the container'), (t) => {
  ids.add('img-run')
  const res = env.run(['run', '--image', images.busybox.oci.path, '--store', store, '--cgroups-path', `${env.cgroupParent}/img-run`, 'img-run', 'sh', '-c',
    'echo one step; grep -E "^(CapBnd|NoNewPrivs)" /proc/self/status; exit 3'])
  ids.delete('img-run')
  t.is(res.status, 3, res.stderr)
  t.is(res.stdout, 'one step\nCapBnd:\t00000000a80425fb\nNoNewPrivs:\t0\n', 'docker\'s default capabilities, no_new_privs off')
  t.deepEqual(existsSync(join(store, 'containers')) ? readdirSync(join(store, 'containers')) : [], [], 'no bundle left in the store')
  t.deepEqual(mountsMentioning(join(store, 'containers')), [])
  const d = env.run(['run', '-d', '--image', 'tsrun-busybox', '--store', store, '--cgroups-path', `${env.cgroupParent}/img-run-d`, 'img-run-d', 'sleep', '60'])
  ids.add('img-run-d')
  t.is(d.status, 0, d.stderr)
  const st = parseState(env.run(['state', 'img-run-d']).stdout)
  t.is(st.status, 'running')
  t.true(st.bundle.startsWith(join(store, 'containers')))
  t.is(env.run(['delete', '--force', 'img-run-d']).status, 0)
  ids.delete('img-run-d')
  t.false(existsSync(st.bundle), 'delete removed the bundle')
  const missing = env.run(['run', '--image', 'no-such-image', '--store', store, 'img-missing'])
  t.is(missing.status, 1)
  t.regex(errorMsg(missing.stderr), /no-such-image.*no such image in the store/)
  t.false(existsSync(join(env.root, 'img-missing')))
})

t0(r.title('whiteouts: a file and a directory deleted in an upper layer are gone; an opaque directory hides the lower contents'), async (t) => {
  const lower: TarEntry[] = [dirEntry('w'), fileEntry('w/file', 'x'), dirEntry('w/dir'), fileEntry('w/dir/inner', 'y'), fileEntry('w/kept', 'k'),
    dirEntry('opq'), fileEntry('opq/old', 'o')]
  const upper: TarEntry[] = [dirEntry('w'), fileEntry('w/.wh.file', ''), fileEntry('w/.wh.dir', ''), dirEntry('opq'), fileEntry('opq/.wh..wh..opq', ''), fileEntry('opq/new', 'n')]
  const layout = await layeredImage('whiteouts', [{ entries: lower }, { entries: upper, gzip: true }])
  const b = join(env.dir, 'b-wh')
  const c = bundleCreate(b, layout, [], ['sh', '-c', 'ls -A /w; echo --; ls -A /opq'])
  t.is(c.status, 0, c.stderr)
  const res = runBundle('img-wh', b)
  t.is(res.status, 0, res.stderr)
  t.is(res.stdout, 'kept\n--\nnew\n')
})

t0(r.title('a symlink to a host path in one layer and a write through it in the next: nothing reaches the host'), async (t) => {
  const sentinel = join(env.dir, 'host-sentinel')
  mkdirSync(sentinel)
  const layout = await layeredImage('symlink-escape', [
    { entries: [{ header: { name: 'evil', type: 'symlink', linkname: sentinel, mode: 0o777 } }, { header: { name: 'rel', type: 'symlink', linkname: '../../../../../../..' + sentinel } }] },
    { entries: [dirEntry('evil'), fileEntry('evil/pwned', 'p'), dirEntry('rel'), fileEntry('rel/pwned', 'p')] },
  ])
  const b = join(env.dir, 'b-sym')
  const c = bundleCreate(b, layout, [], ['sh', '-c', 'cat /evil/pwned /rel/pwned'])
  t.deepEqual(readdirSync(sentinel), [], 'nothing written through the symlink on the host')
  if (c.status === 0) {
    const res = runBundle('img-sym', b)
    t.is(res.stdout, 'pp', 'inside the container the upper layer\'s directories replace the symlinks')
  } else t.regex(c.stderr, /symlink/)
  t.deepEqual(readdirSync(sentinel), [])
})

t0(r.title('a device node in an image is created in its layer, and the device cgroup keeps the container from using it'), async (t) => {
  const layout = await layeredImage('device', [{ entries: [{ header: { name: 'evil-mem', type: 'character-device', devmajor: 1, devminor: 1, mode: 0o666 } }] }])
  const b = join(env.dir, 'b-dev')
  t.is(bundleCreate(b, layout, [], ['sh', '-c', 'ls -l /evil-mem; head -c 1 /evil-mem && echo READ']).status, 0)
  const res = runBundle('img-dev', b)
  t.regex(res.stdout, /^c.* 1,\s+1 .*\/evil-mem/m, 'the node exists in the container')
  t.notRegex(res.stdout, /READ/, 'reading /dev/mem through it is refused')
  t.regex(res.stderr, /Operation not permitted/)
})

t0(r.title('more than 43 layers: 50 layers mount with fsconfig lowerdir+, and with the mount(2) fallback'), async (t) => {
  const upper: LayerInput[] = []
  for (let i = 0; i < 49; i++) upper.push({ entries: [dirEntry('layers'), fileEntry(`layers/${String(i).padStart(2, '0')}`, `${i}`)] })
  const layout = await layeredImage('fifty', upper)
  for (const [name, legacy] of [['b-50', ''], ['b-50-legacy', '1']] as const) {
    const b = join(env.dir, name)
    t.is(bundleCreate(b, layout, [], ['sh', '-c', 'ls /layers | wc -l; cat /layers/00 /layers/48']).status, 0)
    ids.add(name)
    const res = env.run(['run', '--bundle', b, name], { env: { ...process.env, TSRUN_OVERLAY_LEGACY_MOUNT: legacy } })
    ids.delete(name)
    t.is(res.status, 0, res.stderr)
    t.is(res.stdout.replace(/\s+/g, ' ').trim(), '49 048', legacy ? 'legacy mount(2)' : 'fsconfig')
  }
})

t0(r.title('two imports of the same image at once: both succeed, the layer is unpacked once'), async (t) => {
  const fresh = join(env.dir, 'store-concurrent')
  const { spawn } = await import('node:child_process')
  const load = (): Promise<{ code: number | null; out: string }> => new Promise((resolve) => {
    const p = spawn(tsrunBin, ['image', 'load', '--store', fresh, images.busybox.docker.path], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (d: Buffer) => { out += d.toString() })
    p.stderr.on('data', (d: Buffer) => { out += d.toString() })
    p.on('close', (code) => resolve({ code, out }))
  })
  const results = await Promise.all([load(), load(), load()])
  for (const res of results) t.is(res.code, 0, res.out)
  const unpacked = results.map((res) => Number(/(\d) of 1 layers unpacked/.exec(res.out)?.[1]))
  t.deepEqual(unpacked.sort(), [0, 0, 1], 'exactly one of them unpacked the layer')
  t.is(readdirSync(join(fresh, 'layers')).filter((n) => /^[0-9a-f]{64}$/.test(n)).length, 1)
  t.deepEqual(readdirSync(join(fresh, 'tmp')), [])
  rmSync(fresh, { recursive: true })
})

t0(r.title('hostile images are refused with a clear error and leave nothing in the store'), async (t) => {
  const before = layersInStore()
  const cases: [string, () => Promise<string>, RegExp][] = [
    ['digest mismatch', async () => {
      const l = await writeOciLayout(join(env.dir, 'layouts', 'digest'), [{ entries: [fileEntry('a', 'good')] }])
      writeFileSync(l.blobPath(l.layerDigests[0]!), readFileSync(l.blobPath(l.layerDigests[0]!)).toString('latin1').replace('good', 'evil'), 'latin1')
      return l.dir
    }, /digest mismatch/],
    ['truncated gzip', async () => (await writeOciLayout(join(env.dir, 'layouts', 'trunc'), [{ entries: [fileEntry('big', 'z'.repeat(100000))], gzip: true, alter: (b) => b.subarray(0, b.length - 40) }])).dir, /truncated|unexpected end/i],
    ['../ path', async () => (await writeOciLayout(join(env.dir, 'layouts', 'dotdot'), [{ entries: [fileEntry('../../../../escaped-by-dotdot', 'x')] }])).dir, /escape/],
    ['hardlink to a host file', async () => (await writeOciLayout(join(env.dir, 'layouts', 'hardlink'), [{ entries: [{ header: { name: 'pw', type: 'link', linkname: '/etc/passwd' } }] }])).dir, /pw|passwd/],
  ]
  for (const [what, make, msg] of cases) {
    const res = img(['load', await make()])
    t.is(res.status, 1, `${what}: refused`)
    t.regex(res.stderr, msg, `${what}: ${res.stderr}`)
  }
  t.deepEqual(layersInStore(), before, 'no new layer in the store')
  t.deepEqual(readdirSync(join(store, 'tmp')), [], 'no unpack left in tmp/')
  t.false(existsSync(join(env.dir, 'escaped-by-dotdot')))
})

t0(r.title('image rm and prune: layers go when no image and no bundle uses them'), (t) => {
  t.true(layersInStore().length >= 1)
  const b = join(env.dir, 'b-gc')
  t.is(bundleCreate(b, 'tsrun-busybox', [], ['true']).status, 0)
  const rm = img(['rm', 'tsrun-busybox'])
  t.is(rm.status, 0, rm.stderr)
  t.regex(rm.stdout, /Untagged: docker.io\/library\/tsrun-busybox:latest/)
  const gone = img(['rm', 'tsrun-busybox'])
  t.is(gone.status, 1)
  t.regex(gone.stderr, /not found/)
  for (const i of JSON.parse(img(['ls', '--format', 'json']).stdout) as { id: string }[]) t.is(img(['rm', i.id]).status, 0)
  t.deepEqual(JSON.parse(img(['ls', '--format', 'json']).stdout), [])
  for (const d of readdirSync(env.dir).filter((n) => n.startsWith('b-') && n !== 'b-gc')) rmSync(join(env.dir, d), { recursive: true })
  t.is(img(['prune']).status, 0)
  const kept = layersInStore()
  t.is(kept.length, 1, 'only the layer of the bundle left is kept')
  const run = runBundle('img-gc', b)
  t.is(run.status, 0, `the bundle still runs after image rm and prune: ${run.stderr}`)
  // a layer removed behind tsrun's back: create says which, and leaves nothing
  const b2 = join(env.dir, 'b-gc2')
  t.is(bundleCreate(b2, b.replace('b-gc', 'no-such-image-x')).status, 1, 'no image to make a bundle from')
  t.is(env.run(['bundle', 'create', '--store', store, '--image', images.busybox.oci.path, b2, 'true']).status, 0)
  rmSync(join(store, 'layers', kept[0]!), { recursive: true })
  const broken = runBundle('img-broken', b2)
  t.is(broken.status, 1)
  t.regex(errorMsg(broken.stderr), new RegExp(`layer sha256:${kept[0]} of image .* is not in the store`))
  t.false(existsSync(join(env.root, 'img-broken')), 'no container state left')
  t.deepEqual(mountsMentioning(join(b2, 'rootfs')), [])
  rmSync(b2, { recursive: true })
  rmSync(b, { recursive: true })
  const p = img(['prune'])
  t.is(p.status, 0, p.stderr)
  t.deepEqual(layersInStore(), [], 'an empty store once the bundle is gone')
  t.deepEqual(readdirSync(join(store, 'bundles')), [], 'the stale bundle reference went too')
  t.deepEqual(mountsMentioning(env.dir), [])
})
