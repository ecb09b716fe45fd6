// Image platforms: `--platform os/arch[/variant]`, the host's own platform in OCI (GOOS/GOARCH) names,
// and the rule that says whether an image built for one platform is the one asked for.
import { endianness } from 'node:os'
import { ImageError, type Platform } from './types'

/** Common other spellings of OCI architecture names. */
const archAliases: Record<string, Platform['architecture'] | [string, string]> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  x64: 'amd64',
  aarch64: 'arm64',
  i386: '386',
  i486: '386',
  i586: '386',
  i686: '386',
  ia32: '386',
  x86: '386',
  armhf: ['arm', 'v7'],
  armel: ['arm', 'v6'],
  armv6l: ['arm', 'v6'],
  armv7l: ['arm', 'v7'],
  ppc64el: 'ppc64le',
  mips64el: 'mips64le',
  mipsel: 'mipsle',
}

/**
 * Lowercases and spells a platform the way image indexes do: x86_64 → amd64, aarch64 → arm64,
 * armhf → arm/v7, and arm64 variant "8" → "v8".
 */
export function normalizePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase()
  let architecture = p.architecture.toLowerCase()
  let variant = p.variant === undefined || p.variant === '' ? undefined : p.variant.toLowerCase()
  const alias = archAliases[architecture]
  if (typeof alias === 'string') architecture = alias
  else if (alias) [architecture, variant] = [alias[0], variant ?? alias[1]]
  if (variant !== undefined && /^[0-9]+$/.test(variant) && (architecture === 'arm' || architecture === 'arm64')) variant = `v${variant}`
  return variant === undefined ? { os, architecture } : { os, architecture, variant }
}

/** Parses `os/arch[/variant]` (e.g. "linux/amd64", "linux/arm64/v8"); throws an ImageError otherwise. */
export function parsePlatform(s: string): Platform {
  const parts = s.trim().split('/')
  if (parts.length < 2 || parts.length > 3 || parts.some((x) => !/^[A-Za-z0-9_.-]+$/.test(x))) {
    throw new ImageError(`invalid platform ${JSON.stringify(s)}: want os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8`)
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined]
  return normalizePlatform(variant === undefined ? { os, architecture } : { os, architecture, variant })
}

/** "os/arch[/variant]". */
export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`
}

/** The OCI architecture (GOARCH) name of a Node `process.arch`, with its variant where it has one. */
export function ociArchitecture(arch: string = process.arch, armVersion?: string): { architecture: string; variant?: string } {
  switch (arch) {
    case 'x64': return { architecture: 'amd64' }
    case 'arm64': return { architecture: 'arm64', variant: 'v8' }
    case 'arm': return { architecture: 'arm', variant: `v${armVersion ?? '7'}` }
    case 'ia32': return { architecture: '386' }
    case 'ppc64': return { architecture: endianness() === 'LE' ? 'ppc64le' : 'ppc64' }
    case 'mips64el': return { architecture: 'mips64le' }
    case 'mipsel': return { architecture: 'mipsle' }
    default: return { architecture: arch } // s390x, riscv64, loong64, mips, ppc: the same name
  }
}

/** The host's platform: linux/<GOARCH>[/variant] (x64 → amd64, arm64 → arm64/v8, arm → arm/v7 …). */
export function hostPlatform(): Platform {
  const vars = (process.config.variables ?? {}) as Record<string, unknown>
  const armVersion = vars.arm_version === undefined ? undefined : String(vars.arm_version)
  const os = process.platform === 'win32' ? 'windows' : process.platform
  return { os, ...ociArchitecture(process.arch, armVersion) }
}

/**
 * Whether an image for `have` satisfies a request for `want`: the same os and architecture, and the
 * same variant when both name one (an image or request without a variant matches any variant).
 */
export function platformMatches(want: Platform, have: Platform): boolean {
  const w = normalizePlatform(want)
  const h = normalizePlatform(have)
  if (w.os !== h.os || w.architecture !== h.architecture) return false
  return w.variant === undefined || h.variant === undefined || w.variant === h.variant
}

/**
 * How well `have` fits `want`, to pick among several matches: -1 no match, 2 same variant (or neither
 * names one), 1 one side leaves the variant open.
 */
export function platformScore(want: Platform, have: Platform): number {
  if (!platformMatches(want, have)) return -1
  const w = normalizePlatform(want).variant
  const h = normalizePlatform(have).variant
  return w === h ? 2 : 1
}
