// config.json as a whole: the version, root, mounts, hooks, annotations, and the platform sections.

import type { Check, Optional, Shape } from './check'
import {
  absolutePath,
  anyObject,
  arrayOf,
  bool,
  fail,
  integer,
  mapOf,
  nonEmpty,
  object,
  opt,
  str,
  strings,
  then,
} from './check'
import { HOOK_NAMES } from './enums'
import type { Hook, Hooks, Mount, Root, Spec } from './types'
import { idMappings, linux } from './validate-linux'
import { validateProcess } from './validate-process'

/** SemVer with the major version 1: "1.0.2-dev", "1.3.0". */
const SUPPORTED_VERSION = /^1\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/

const ociVersion = then(str, (v, p) => {
  if (!SUPPORTED_VERSION.test(v)) fail(p, `unsupported version ${JSON.stringify(v)} (tsrun supports 1.x.y)`)
})

const root = object<Root>({ path: nonEmpty, readonly: opt(bool) })

const mount = object<Mount>({
  destination: nonEmpty,
  type: opt(str),
  source: opt(str),
  options: opt(strings),
  uidMappings: opt(idMappings),
  gidMappings: opt(idMappings),
})

const hook = object<Hook>({
  path: absolutePath,
  args: opt(strings),
  env: opt(strings),
  timeout: opt(integer(1)),
})

const hookList: Optional<Hook[]> = opt(arrayOf(hook))
const hooks = object<Hooks>(Object.fromEntries(HOOK_NAMES.map((name) => [name, hookList])) as Shape<Hooks>)

const spec: Check<Spec> = object<Spec>({
  ociVersion,
  process: opt(validateProcess),
  root,
  hostname: opt(str),
  domainname: opt(str),
  mounts: opt(arrayOf(mount)),
  hooks: opt(hooks),
  annotations: opt(mapOf(str)),
  linux: opt(linux),
  solaris: opt(anyObject),
  windows: opt(anyObject),
  vm: opt(anyObject),
  zos: opt(anyObject),
  freebsd: opt(anyObject),
})

/**
 * Checks a parsed config.json against the runtime-spec and returns the same object typed as Spec.
 * Throws SpecError at the first problem, naming its JSON path. Unknown fields are ignored.
 */
export function validateSpec(raw: unknown): Spec {
  return spec(raw, '')
}
