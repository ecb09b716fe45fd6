import test from 'ava'
import { formatPlatform, hostPlatform, normalizePlatform, ociArchitecture, parsePlatform, platformMatches, platformScore } from '../../../src/image/platform'
import { ImageError } from '../../../src/image/types'

test('parsePlatform: os/arch[/variant], normalized', (t) => {
  t.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' })
  t.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' })
  t.deepEqual(parsePlatform('Linux/x86_64'), { os: 'linux', architecture: 'amd64' })
  t.deepEqual(parsePlatform('linux/aarch64'), { os: 'linux', architecture: 'arm64' })
  t.deepEqual(parsePlatform('linux/arm64/8'), { os: 'linux', architecture: 'arm64', variant: 'v8' })
  t.deepEqual(parsePlatform('linux/armhf'), { os: 'linux', architecture: 'arm', variant: 'v7' })
  t.deepEqual(parsePlatform('linux/i686'), { os: 'linux', architecture: '386' })
  for (const bad of ['linux', 'linux/', 'linux/amd64/v1/x', '', 'linux/am d64']) {
    t.throws(() => parsePlatform(bad), { instanceOf: ImageError, message: `invalid platform ${JSON.stringify(bad)}: want os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8` })
  }
  t.is(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' }), 'linux/arm/v7')
  t.is(formatPlatform({ os: 'linux', architecture: 'amd64' }), 'linux/amd64')
})

test('host platform: Node arch names mapped to OCI ones', (t) => {
  t.deepEqual(ociArchitecture('x64'), { architecture: 'amd64' })
  t.deepEqual(ociArchitecture('arm64'), { architecture: 'arm64', variant: 'v8' })
  t.deepEqual(ociArchitecture('arm', '6'), { architecture: 'arm', variant: 'v6' })
  t.deepEqual(ociArchitecture('arm'), { architecture: 'arm', variant: 'v7' })
  t.deepEqual(ociArchitecture('ia32'), { architecture: '386' })
  t.deepEqual(ociArchitecture('s390x'), { architecture: 's390x' })
  t.deepEqual(ociArchitecture('riscv64'), { architecture: 'riscv64' })
  t.deepEqual(ociArchitecture('mips64el'), { architecture: 'mips64le' })
  const h = hostPlatform()
  t.is(h.os, 'linux')
  t.is(h.architecture, ociArchitecture(process.arch).architecture)
})

test('matching: os and arch exact, variant only when both have one; scores prefer the same variant', (t) => {
  const p = (s: string) => parsePlatform(s)
  t.true(platformMatches(p('linux/amd64'), p('linux/amd64')))
  t.false(platformMatches(p('linux/amd64'), p('linux/arm64')))
  t.false(platformMatches(p('linux/amd64'), p('windows/amd64')))
  t.true(platformMatches(p('linux/arm64/v8'), p('linux/arm64')))
  t.true(platformMatches(p('linux/arm64'), p('linux/arm64/v8')))
  t.false(platformMatches(p('linux/arm/v7'), p('linux/arm/v6')))
  t.true(platformMatches(p('linux/arm/v7'), { os: 'linux', architecture: 'armhf' }))
  t.true(platformMatches({ os: 'linux', architecture: 'x86_64' }, p('linux/amd64')))
  t.is(platformScore(p('linux/arm/v7'), p('linux/arm/v7')), 2)
  t.is(platformScore(p('linux/arm/v7'), p('linux/arm')), 1)
  t.is(platformScore(p('linux/arm/v7'), p('linux/arm/v6')), -1)
  t.deepEqual(normalizePlatform({ os: 'linux', architecture: 'arm64', variant: '' }), { os: 'linux', architecture: 'arm64' })
})
