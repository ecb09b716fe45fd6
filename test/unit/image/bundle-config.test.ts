// imageToSpec: image-spec conversion.md applied to the `tsrun spec` default, with docker's run overrides.
import test from 'ava'
import { ANNOTATION, DEFAULT_PATH, imageToSpec, mergeEnv, volumeDirName, type ImageSpecOptions, IMAGE_CAPABILITIES } from '../../../src/image/bundle-config'
import { ImageError, type ImageConfig, type ImageRunConfig } from '../../../src/image/types'
import { defaultSpec, validateSpec } from '../../../src/spec'

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/bin/false\n'
const GROUP = 'root:x:0:\nwww:x:33:\nweb:x:80:www\nlogs:x:90:www,root\n'

function files(map: Record<string, string>): (p: string) => Buffer | undefined {
  return (p) => (p in map ? Buffer.from(map[p]) : undefined)
}

function image(config: ImageRunConfig | undefined, extra: Partial<ImageConfig> = {}): ImageConfig {
  return { rootfs: { type: 'layers', diff_ids: [] }, ...(config === undefined ? {} : { config }), ...extra }
}

const base: ImageSpecOptions = { readFile: files({ '/etc/passwd': PASSWD, '/etc/group': GROUP }), volumesDir: '/b/volumes' }

function convert(config: ImageRunConfig | undefined, opts: Partial<ImageSpecOptions> = {}, extra: Partial<ImageConfig> = {}) {
  return imageToSpec(image(config, extra), { ...base, ...opts })
}

function args(config: ImageRunConfig, opts: Partial<ImageSpecOptions> = {}): string[] {
  return convert(config, opts).spec.process?.args ?? []
}

test('starts from the rootful default and validates', (t) => {
  const { spec, volumeDirs } = convert({ Cmd: ['sh'] })
  const def = defaultSpec({ rootless: false })
  t.deepEqual(spec.linux, def.linux)
  t.deepEqual(spec.mounts, def.mounts)
  const docker = [...IMAGE_CAPABILITIES]
  t.is(docker.length, 14, 'docker\'s default set')
  t.deepEqual(spec.process?.capabilities, { bounding: docker, effective: docker, permitted: docker }, 'docker\'s capabilities, none inheritable or ambient')
  t.is(spec.process?.noNewPrivileges, false, 'setuid programs of the image work, as under docker')
  t.true(def.process?.noNewPrivileges)
  t.is(spec.hostname, 'tsrun')
  t.deepEqual(spec.root, { path: 'rootfs', readonly: false })
  t.is(spec.process?.terminal, false)
  t.is(spec.process?.cwd, '/')
  t.deepEqual(spec.process?.user, { uid: 0, gid: 0, additionalGids: [90] })
  t.deepEqual(spec.process?.env, [DEFAULT_PATH])
  t.is(spec.annotations, undefined)
  t.deepEqual(volumeDirs, [])
  t.notThrows(() => validateSpec(JSON.parse(JSON.stringify(spec))))
})

test('root, hostname and terminal options', (t) => {
  const { spec } = convert({ Cmd: ['sh'] }, { rootfs: '/abs/rootfs', readonly: true, terminal: true, hostname: 'box' })
  t.deepEqual(spec.root, { path: '/abs/rootfs', readonly: true })
  t.is(spec.hostname, 'box')
  t.is(spec.process?.terminal, true)
  t.is(convert({ Cmd: ['sh'] }, { id: 'sha256:0123456789abcdef0123' }).spec.hostname, '0123456789ab')
  t.is(convert({ Cmd: ['sh'] }, { id: 'abc', hostname: 'h' }).spec.hostname, 'h')
})

test('Entrypoint, Cmd and the overrides as docker run combines them', (t) => {
  const both = { Entrypoint: ['/entry', '-x'], Cmd: ['--default'] }
  t.deepEqual(args(both), ['/entry', '-x', '--default'])
  t.deepEqual(args(both, { args: ['--mine', 'a'] }), ['/entry', '-x', '--mine', 'a'], 'args replace Cmd only')
  t.deepEqual(args(both, { args: [] }), ['/entry', '-x', '--default'], 'empty args are no args')
  t.deepEqual(args(both, { entrypoint: ['/other'] }), ['/other'], '--entrypoint drops Cmd')
  t.deepEqual(args(both, { entrypoint: ['/other'], args: ['x'] }), ['/other', 'x'])
  t.deepEqual(args(both, { entrypoint: [], args: ['sh', '-c', 'id'] }), ['sh', '-c', 'id'], '--entrypoint "" with a command')
  t.deepEqual(args({ Cmd: ['nginx', '-g', 'daemon off;'] }), ['nginx', '-g', 'daemon off;'])
  t.deepEqual(args({ Cmd: ['nginx'] }, { args: ['sh'] }), ['sh'])
  t.deepEqual(args({ Entrypoint: ['/e'] }), ['/e'])
  t.deepEqual(args({ Entrypoint: ['/e'], Cmd: null }, { args: ['a'] }), ['/e', 'a'])
  t.deepEqual(args({ Entrypoint: null, Cmd: null }, { args: ['true'] }), ['true'])
  t.deepEqual(args({}, { entrypoint: ['/bin/true'] }), ['/bin/true'])
})

test('no command at all is a clear error', (t) => {
  const msg = 'image has no Entrypoint or Cmd: give a command'
  t.throws(() => convert({}), { instanceOf: ImageError, message: msg })
  t.throws(() => convert(undefined), { instanceOf: ImageError, message: msg })
  t.throws(() => convert({ Entrypoint: [], Cmd: [] }), { message: msg })
  t.throws(() => convert({ Entrypoint: ['/e'], Cmd: ['x'] }, { entrypoint: [] }), { message: msg }, '--entrypoint "" alone')
  t.throws(() => convert({ Cmd: [''] }), { instanceOf: ImageError, message: /empty string/ })
  t.throws(() => convert({ Cmd: 'sh' as unknown as string[] }), { instanceOf: ImageError, message: 'config.Cmd must be a list of strings' })
  t.throws(() => convert({ Entrypoint: [1] as unknown as string[] }), { message: /config\.Entrypoint/ })
})

test('Env: default PATH only when the image has none, image order kept, user entries win', (t) => {
  const env = (config: ImageRunConfig, opts: Partial<ImageSpecOptions> = {}) => convert({ Cmd: ['sh'], ...config }, opts).spec.process?.env
  t.deepEqual(env({ Env: ['A=1', 'PATH=/img/bin', 'B=2'] }), ['A=1', 'PATH=/img/bin', 'B=2'])
  t.deepEqual(env({ Env: ['A=1'] }), [DEFAULT_PATH, 'A=1'])
  t.deepEqual(env({ Env: null }), [DEFAULT_PATH])
  t.deepEqual(env({ Env: ['A=1', 'B=2', 'A=3'] }), [DEFAULT_PATH, 'A=3', 'B=2'], 'a later duplicate replaces the earlier in place')
  t.deepEqual(env({ Env: ['A=1', 'B=2'] }, { env: ['B=user', 'C=3', 'C=4', 'E='] }), [DEFAULT_PATH, 'A=1', 'B=user', 'C=4', 'E='])
  t.deepEqual(env({}, { env: ['PATH=/mine'] }), ['PATH=/mine'])
  t.deepEqual(env({ Env: ['X=a=b'] }, { terminal: true }), [DEFAULT_PATH, 'TERM=xterm', 'X=a=b'], 'TERM=xterm with a terminal')
  t.deepEqual(env({ Env: ['TERM=dumb'] }, { terminal: true }), [DEFAULT_PATH, 'TERM=dumb'])
  t.deepEqual(env({}, { terminal: true, env: ['TERM=vt100'] }), [DEFAULT_PATH, 'TERM=vt100'])
  t.false(env({}, { terminal: false })?.some((e) => e.startsWith('TERM=')))
  t.throws(() => env({ Env: ['NOEQUALS'] }), { instanceOf: ImageError, message: /config\.Env: "NOEQUALS" is not KEY=VALUE/ })
  t.throws(() => env({ Env: ['=x'] }), { message: /config\.Env/ })
  t.throws(() => env({}, { env: ['FOO'] }), { message: /^env: "FOO"/ })
  t.deepEqual(mergeEnv(['A=1', 'B=1'], ['B=2', 'C=2'], ['A=3']), ['A=3', 'B=2', 'C=2'])
})

test('WorkingDir: absolute, "/" by default, relative is an error naming the field', (t) => {
  t.is(convert({ Cmd: ['sh'], WorkingDir: '/srv/app' }).spec.process?.cwd, '/srv/app')
  t.is(convert({ Cmd: ['sh'], WorkingDir: '' }).spec.process?.cwd, '/')
  t.is(convert({ Cmd: ['sh'], WorkingDir: '/srv' }, { cwd: '/tmp' }).spec.process?.cwd, '/tmp')
  t.throws(() => convert({ Cmd: ['sh'], WorkingDir: 'srv' }), { instanceOf: ImageError, message: /^config\.WorkingDir: "srv" is not an absolute path/ })
  t.throws(() => convert({ Cmd: ['sh'] }, { cwd: 'rel' }), { instanceOf: ImageError, message: /^cwd:/ })
})

test('User: every form resolved against the image files; opts.user overrides', (t) => {
  const user = (u: string | undefined, opts: Partial<ImageSpecOptions> = {}) => convert({ Cmd: ['sh'], User: u }, opts).spec.process?.user
  t.deepEqual(user(undefined), { uid: 0, gid: 0, additionalGids: [90] })
  t.deepEqual(user(''), { uid: 0, gid: 0, additionalGids: [90] })
  t.deepEqual(user('www'), { uid: 33, gid: 33, additionalGids: [80, 90] })
  t.deepEqual(user('33'), { uid: 33, gid: 33, additionalGids: [80, 90] })
  t.deepEqual(user('1234'), { uid: 1234, gid: 0 }, 'a uid without passwd entry: gid 0, no groups')
  t.deepEqual(user('1234:5678'), { uid: 1234, gid: 5678 })
  t.deepEqual(user('www:web'), { uid: 33, gid: 80, additionalGids: [80, 90] })
  t.deepEqual(user('www:7'), { uid: 33, gid: 7, additionalGids: [80, 90] }, 'explicit gid keeps the supplementary groups')
  t.deepEqual(user('1234:logs'), { uid: 1234, gid: 90 })
  t.deepEqual(user('www', { user: '1234' }), { uid: 1234, gid: 0 }, '-u wins')
  t.deepEqual(user('www', { user: '' }), { uid: 0, gid: 0, additionalGids: [90] }, '-u "" is root')
  t.deepEqual(user('1', { readFile: () => undefined }), { uid: 1, gid: 0 }, 'no passwd at all')
  t.throws(() => user('nobody2'), { instanceOf: ImageError, message: 'config.User: user "nobody2" not found in the image\'s /etc/passwd' })
  t.throws(() => user('www:nogroup'), { instanceOf: ImageError, message: /^config\.User: group "nogroup" not found in the image's \/etc\/group/ })
  t.throws(() => user(undefined, { user: 'ghost' }), { message: /^user: user "ghost" not found/ })
  t.throws(() => user('www', { readFile: () => undefined }), { message: /user "www" not found/ })
  t.throws(() => user('a:b:c'), { instanceOf: ImageError, message: /^config\.User/ })
})

test('the user files are read through readFile only', (t) => {
  const asked: string[] = []
  convert({ Cmd: ['sh'], User: 'www' }, { readFile: (p) => (asked.push(p), base.readFile(p)) })
  t.deepEqual(asked.sort(), ['/etc/group', '/etc/passwd'])
})

test('Labels and the image fields become annotations (fields over labels, opts.annotations over all)', (t) => {
  const { spec } = convert(
    {
      Cmd: ['sh'],
      Labels: { 'com.example.a': 'x', [ANNOTATION.os]: 'label-os', [ANNOTATION.author]: 'label author' },
      StopSignal: 'SIGQUIT',
      ExposedPorts: { '8080/tcp': {}, '53/udp': {}, '443/tcp': {} },
    },
    { annotations: { 'com.example.a': 'user' } },
    {
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
      author: 'someone',
      created: '2024-01-02T03:04:05Z',
      'os.version': '10.0',
      'os.features': ['f1', 'f2'],
    },
  )
  t.deepEqual(spec.annotations, {
    'com.example.a': 'user',
    [ANNOTATION.os]: 'linux',
    [ANNOTATION.author]: 'someone',
    [ANNOTATION.architecture]: 'arm64',
    [ANNOTATION.variant]: 'v8',
    [ANNOTATION.osVersion]: '10.0',
    [ANNOTATION.osFeatures]: 'f1,f2',
    [ANNOTATION.created]: '2024-01-02T03:04:05Z',
    [ANNOTATION.stopSignal]: 'SIGQUIT',
    [ANNOTATION.exposedPorts]: '443/tcp,53/udp,8080/tcp',
  })
  t.is(spec.annotations?.[ANNOTATION.author], 'someone')
  t.deepEqual(convert({ Cmd: ['sh'], Labels: { only: 'label' } }).spec.annotations, { only: 'label' })
  t.deepEqual(convert({ Cmd: ['sh'] }, {}, { os: 'linux' }).spec.annotations, { [ANNOTATION.os]: 'linux' })
  t.throws(() => convert({ Cmd: ['sh'], Labels: { a: 1 as unknown as string } }), { instanceOf: ImageError, message: /config\.Labels: "a"/ })
  t.throws(() => convert({ Cmd: ['sh'], StopSignal: 9 as unknown as string }), { message: /config\.StopSignal/ })
})

test('Volumes: a bind mount each from its own host dir, returned for the caller to create', (t) => {
  const { spec, volumeDirs } = convert({ Cmd: ['sh'], Volumes: { '/var/lib/data/': {}, '/data': {}, '/var//lib/data': {}, '/data/sub': {} } })
  const vols = (spec.mounts ?? []).slice(defaultSpec({ rootless: false }).mounts?.length)
  t.deepEqual(
    vols.map((m) => m.destination),
    ['/data', '/data/sub', '/var/lib/data'],
    'normalised, deduplicated, a parent before what is inside it',
  )
  for (const m of vols) {
    t.is(m.type, 'bind')
    t.deepEqual(m.options, ['rbind', 'rprivate'])
    t.is(m.source, `/b/volumes/${volumeDirName(m.destination)}`)
  }
  t.deepEqual(volumeDirs, vols.map((m) => m.source))
  t.is(new Set(volumeDirs).size, 3)
  t.regex(volumeDirName('/var/lib/data'), /^var_lib_data-[0-9a-f]{12}$/)
  t.not(volumeDirName('/a_b'), volumeDirName('/a/b'), 'the hash keeps look-alike paths apart')
  t.regex(volumeDirName('/..hidden/$weird name'), /^v\.\.hidden_-weird-name-[0-9a-f]{12}$/)
  t.notThrows(() => validateSpec(JSON.parse(JSON.stringify(spec))))
})

test('Volumes: bad paths are errors naming config.Volumes', (t) => {
  for (const bad of ['relative/dir', '/a/../b', '/..', '/', '//', '']) {
    t.throws(() => convert({ Cmd: ['sh'], Volumes: { [bad]: {} } }), { instanceOf: ImageError, message: /^config\.Volumes: / }, JSON.stringify(bad))
  }
  t.throws(() => convert({ Cmd: ['sh'], Volumes: ['/x'] as unknown as Record<string, object> }), { message: /config\.Volumes must be an object/ })
  t.deepEqual(convert({ Cmd: ['sh'], Volumes: null }).volumeDirs, [])
})

test('the result is fresh each time (no shared default objects)', (t) => {
  const a = convert({ Cmd: ['sh'], Volumes: { '/v': {} } }).spec
  const b = convert({ Cmd: ['sh'] }).spec
  t.not(a.mounts, b.mounts)
  t.is((b.mounts ?? []).length, (defaultSpec({ rootless: false }).mounts ?? []).length)
})
