// An image configuration turned into a runtime config.json, following image-spec v1.1 conversion.md.
// Pure: reads the image's files only through `opts.readFile`, writes nothing.
//
// conversion.md's mapping, as implemented here:
//   verbatim:    Config.WorkingDir → process.cwd; Config.Env → process.env;
//                Config.Entrypoint + Config.Cmd → process.args
//   parsed:      Config.User → process.user.uid/gid/additionalGids (the image's /etc/passwd and /etc/group)
//   annotations: os → org.opencontainers.image.os; architecture → org.opencontainers.image.architecture;
//                variant → org.opencontainers.image.variant; os.version → org.opencontainers.image.os.version;
//                os.features → org.opencontainers.image.os.features (comma-separated);
//                author → org.opencontainers.image.author; created → org.opencontainers.image.created;
//                Config.StopSignal → org.opencontainers.image.stopSignal; Config.Labels → annotations as they are
//   optional:    Config.ExposedPorts → org.opencontainers.image.exposedPorts (comma-separated, sorted);
//                Config.Volumes → mounts (binds from per-bundle host directories)
//   ignored:     Config.ArgsEscaped (Windows only), history, rootfs
// Precedence of annotations (umoci's order): Labels first, then the fields above, then opts.annotations
// (conversion.md: a value the user gives explicitly overrides the image's).
import { createHash } from 'node:crypto'
import { join, posix } from 'node:path'
import { defaultSpec } from '../spec/defaults'
import type { Mount, Spec } from '../spec/types'
import { ImageError, type ImageConfig } from './types'
import { resolveUser } from './user-lookup'

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export const ANNOTATION = {
  os: 'org.opencontainers.image.os',
  architecture: 'org.opencontainers.image.architecture',
  variant: 'org.opencontainers.image.variant',
  osVersion: 'org.opencontainers.image.os.version',
  osFeatures: 'org.opencontainers.image.os.features',
  author: 'org.opencontainers.image.author',
  created: 'org.opencontainers.image.created',
  stopSignal: 'org.opencontainers.image.stopSignal',
  exposedPorts: 'org.opencontainers.image.exposedPorts',
} as const

/** docker's and podman's default capability set for containers. */
export const IMAGE_CAPABILITIES = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'] as const

export interface ImageSpecOptions {
  /** Reads a file from the image's merged layers (e.g. layeredReader); undefined when the image lacks it. */
  readFile(path: string): Buffer | undefined
  /** Host directory under which each volume gets its own directory (absolute, normally inside the bundle). */
  volumesDir: string
  /** The command given by the user (`docker run IMAGE CMD...`): replaces Cmd; an empty list counts as none. */
  args?: string[]
  /** Replaces Entrypoint (`--entrypoint`; [] clears it); the image's Cmd is then dropped. */
  entrypoint?: string[]
  /** KEY=VALUE entries added after the image's Env; a later entry wins over an earlier one with the same key. */
  env?: string[]
  /** Overrides Config.User (`docker run -u`). */
  user?: string
  /** Overrides Config.WorkingDir (`docker run -w`); must be absolute. */
  cwd?: string
  /** Overrides every annotation derived from the image. */
  annotations?: Record<string, string>
  /** root.path; default "rootfs" */
  rootfs?: string
  /** root.readonly; default false */
  readonly?: boolean
  /** hostname; default: the first 12 characters of `id` (sha256: prefix dropped), else the default spec's */
  hostname?: string
  id?: string
  /** process.terminal; default false. Adds TERM=xterm unless the environment sets TERM. */
  terminal?: boolean
}

export interface ImageSpec {
  spec: Spec
  /** Host directories the caller must create (mode 0755, before `create`) for the volume mounts, in mount order. */
  volumeDirs: string[]
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string')
}

/** A list field that may be absent or null; anything else but a list of strings is an error. */
function stringList(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined
  if (!isStringArray(v)) throw new ImageError(`${field} must be a list of strings`)
  return v
}

function optString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new ImageError(`${field} must be a string`)
  return v
}

function optObject(v: unknown, field: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v)) throw new ImageError(`${field} must be an object`)
  return v as Record<string, unknown>
}

/** Entrypoint + Cmd with docker's overrides. */
export function processArgs(entrypoint: string[] | undefined, cmd: string[] | undefined, opts: Pick<ImageSpecOptions, 'args' | 'entrypoint'>): string[] {
  const userArgs = opts.args !== undefined && opts.args.length > 0 ? opts.args : undefined
  let args: string[]
  if (opts.entrypoint !== undefined) args = [...opts.entrypoint, ...(userArgs ?? [])]
  else args = [...(entrypoint ?? []), ...(userArgs ?? cmd ?? [])]
  if (args.length === 0) throw new ImageError('image has no Entrypoint or Cmd: give a command')
  if (args[0] === '') throw new ImageError('the command to run is an empty string (config.Entrypoint/config.Cmd or the given command)')
  return args
}

function envKey(entry: string): string {
  const eq = entry.indexOf('=')
  return eq < 0 ? entry : entry.slice(0, eq)
}

/** Merge env lists: a later entry replaces an earlier one with the same key in place; new keys are appended. */
export function mergeEnv(...lists: string[][]): string[] {
  const out: string[] = []
  const index = new Map<string, number>()
  for (const list of lists) {
    for (const entry of list) {
      const key = envKey(entry)
      const at = index.get(key)
      if (at === undefined) {
        index.set(key, out.length)
        out.push(entry)
      } else out[at] = entry
    }
  }
  return out
}

function checkEnv(list: string[], field: string): void {
  for (const e of list) {
    if (e.indexOf('=') <= 0) throw new ImageError(`${field}: "${e}" is not KEY=VALUE`)
    if (e.includes('\0')) throw new ImageError(`${field}: an entry holds a NUL byte`)
  }
}

function processEnv(image: string[] | undefined, opts: ImageSpecOptions): string[] {
  if (image !== undefined) checkEnv(image, 'config.Env')
  const user = opts.env ?? []
  checkEnv(user, 'env')
  // Defaults (PATH, and TERM with a terminal) only for keys neither the image nor the user sets, so the
  // image's order is kept as it is.
  const given = new Set([...(image ?? []), ...user].map(envKey))
  const defaults = (opts.terminal === true ? [DEFAULT_PATH, 'TERM=xterm'] : [DEFAULT_PATH]).filter((e) => !given.has(envKey(e)))
  return mergeEnv(defaults, image ?? [], user)
}

function checkAbsolute(path: string, field: string): string {
  if (!path.startsWith('/')) throw new ImageError(`${field}: "${path}" is not an absolute path`)
  if (path.includes('\0')) throw new ImageError(`${field}: the path holds a NUL byte`)
  return path
}

/** A directory name for a volume path: readable, unique (short hash of the path), safe on any filesystem. */
export function volumeDirName(path: string): string {
  const readable = path
    .replace(/^\/+/, '')
    .replace(/\//g, '_')
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 64)
  const hash = createHash('sha256').update(path).digest('hex').slice(0, 12)
  return `${readable === '' || readable.startsWith('.') ? 'v' + readable : readable}-${hash}`
}

function volumePaths(volumes: Record<string, unknown> | undefined): string[] {
  const out = new Set<string>()
  for (const raw of Object.keys(volumes ?? {})) {
    const field = `config.Volumes: "${raw}"`
    checkAbsolute(raw, field)
    if (raw.split('/').includes('..')) throw new ImageError(`${field} contains ".."`)
    const path = posix.normalize(raw).replace(/\/+$/, '')
    if (path === '') throw new ImageError(`${field} is the root directory`)
    out.add(path)
  }
  // Sorted, so a volume inside another one is mounted after it.
  return [...out].sort()
}

function annotations(image: ImageConfig, opts: ImageSpecOptions): Record<string, string> {
  const cfg = image.config ?? {}
  const out: Record<string, string> = {}
  const labels = optObject(cfg.Labels, 'config.Labels') ?? {}
  for (const [k, v] of Object.entries(labels)) {
    if (typeof v !== 'string') throw new ImageError(`config.Labels: "${k}" must be a string`)
    out[k] = v
  }
  const set = (key: string, value: unknown, field: string): void => {
    const s = optString(value, field)
    if (s !== undefined && s !== '') out[key] = s
  }
  set(ANNOTATION.os, image.os, 'os')
  set(ANNOTATION.architecture, image.architecture, 'architecture')
  set(ANNOTATION.variant, image.variant, 'variant')
  set(ANNOTATION.osVersion, image['os.version'], 'os.version')
  const features = stringList(image['os.features'], 'os.features')
  if (features !== undefined && features.length > 0) out[ANNOTATION.osFeatures] = features.join(',')
  set(ANNOTATION.author, image.author, 'author')
  set(ANNOTATION.created, image.created, 'created')
  set(ANNOTATION.stopSignal, cfg.StopSignal, 'config.StopSignal')
  const ports = Object.keys(optObject(cfg.ExposedPorts, 'config.ExposedPorts') ?? {}).sort()
  if (ports.length > 0) out[ANNOTATION.exposedPorts] = ports.join(',')
  Object.assign(out, opts.annotations ?? {})
  return out
}

function text(buf: Buffer | undefined): string | undefined {
  return buf === undefined ? undefined : buf.toString('utf8')
}

/** The runtime config for a container of `image` (the rootful `tsrun spec` default, changed as conversion.md says). */
export function imageToSpec(image: ImageConfig, opts: ImageSpecOptions): ImageSpec {
  const cfg = optObject(image.config, 'config') ?? {}
  const spec = defaultSpec({ rootless: false })
  const proc = spec.process
  if (proc === undefined) throw new Error('default spec without a process')

  proc.args = processArgs(stringList(cfg.Entrypoint, 'config.Entrypoint'), stringList(cfg.Cmd, 'config.Cmd'), opts)
  proc.env = processEnv(stringList(cfg.Env, 'config.Env'), opts)

  if (opts.cwd !== undefined) proc.cwd = checkAbsolute(opts.cwd, 'cwd')
  else {
    const wd = optString(cfg.WorkingDir, 'config.WorkingDir') ?? ''
    proc.cwd = wd === '' ? '/' : checkAbsolute(wd, 'config.WorkingDir')
  }

  const userSpec = opts.user ?? optString(cfg.User, 'config.User') ?? ''
  const files = { passwd: text(opts.readFile('/etc/passwd')), group: text(opts.readFile('/etc/group')) }
  const user = resolveUser(userSpec, files, opts.user !== undefined ? 'user' : 'config.User')
  proc.user = { uid: user.uid, gid: user.gid }
  if (user.additionalGids.length > 0) proc.user.additionalGids = user.additionalGids

  proc.terminal = opts.terminal ?? false
  // what images expect from docker and podman: their default capabilities, and setuid programs that work
  // (su, apt's privilege drop, gosu entrypoints); runc's spec default keeps three and sets no_new_privs
  proc.capabilities = { bounding: [...IMAGE_CAPABILITIES], effective: [...IMAGE_CAPABILITIES], permitted: [...IMAGE_CAPABILITIES] }
  proc.noNewPrivileges = false
  spec.root = { path: opts.rootfs ?? 'rootfs', readonly: opts.readonly ?? false }
  if (opts.hostname !== undefined) spec.hostname = opts.hostname
  else if (opts.id !== undefined && opts.id !== '') spec.hostname = opts.id.replace(/^sha256:/, '').slice(0, 12)

  const ann = annotations(image, opts)
  if (Object.keys(ann).length > 0) spec.annotations = ann

  const volumeDirs: string[] = []
  const mounts: Mount[] = spec.mounts ?? []
  for (const path of volumePaths(optObject(cfg.Volumes, 'config.Volumes'))) {
    const source = join(opts.volumesDir, volumeDirName(path))
    volumeDirs.push(source)
    mounts.push({ destination: path, type: 'bind', source, options: ['rbind', 'rprivate'] })
  }
  spec.mounts = mounts
  return { spec, volumeDirs }
}
