// Small combinators the spec validators are written in. A Check<T> takes a JSON value and the JSON path it
// was found at, and either returns the same value typed as T or throws a SpecError naming that path.
// Checks never copy: objects and arrays come back as the very values they were given.

import { SpecError } from './errors'

export type Check<T> = (value: unknown, path: string) => T

export function fail(path: string, reason: string): never {
  throw new SpecError(path, reason)
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** `linux` + `seccomp` → `linux.seccomp`; keys that are not identifiers use brackets: `sysctl["net.ipv4.ip_forward"]`. */
export function keyPath(path: string, key: string): string {
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`
  return path === '' ? key : `${path}.${key}`
}

export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`
}

export const str: Check<string> = (v, p) => (typeof v === 'string' ? v : fail(p, 'must be a string'))

export const bool: Check<boolean> = (v, p) => (typeof v === 'boolean' ? v : fail(p, 'must be a boolean'))

function rangeReason(min: number, max: number): string {
  if (max === Infinity) return `must be at least ${min}`
  if (min === -Infinity) return `must be at most ${max}`
  return `must be between ${min} and ${max}`
}

/** An integer in [min, max]. JSON numbers past 2^53 arrive rounded; they are still integers. */
export function integer(min = -Infinity, max = Infinity): Check<number> {
  return (v, p) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) fail(p, 'must be an integer')
    if (v < min || v > max) fail(p, rangeReason(min, max))
    return v
  }
}

export const int64 = integer()
export const uint64 = integer(0)
export const int32 = integer(-(2 ** 31), 2 ** 31 - 1)
export const uint32 = integer(0, 2 ** 32 - 1)
export const uint16 = integer(0, 2 ** 16 - 1)

/** One of a closed vocabulary; `noun` names it in the error: `unknown namespace "pidd"`. */
export function oneOf<T extends string>(values: readonly T[], noun: string): Check<T> {
  return (v, p) => {
    const s = str(v, p)
    if (!(values as readonly string[]).includes(s)) fail(p, `unknown ${noun} ${JSON.stringify(s)}`)
    return s as T
  }
}

/** Runs `after` on a value `check` accepted, for rules that look at more than one field. */
export function then<T>(check: Check<T>, after: (value: T, path: string) => void): Check<T> {
  return (v, p) => {
    const value = check(v, p)
    after(value, p)
    return value
  }
}

export function refine<T>(check: Check<T>, ok: (value: T) => boolean, reason: string): Check<T> {
  return then(check, (value, p) => {
    if (!ok(value)) fail(p, reason)
  })
}

/** CPU or NUMA node lists such as "0-3,7" (the spec's pattern: digits, commas, dashes, spaces). */
export function rangeList(noun: string): Check<string> {
  return refine(str, (s) => /^[0-9, -]*$/.test(s), `must be a ${noun} list like "0-3,7"`)
}

export const nonEmpty = refine(str, (s) => s !== '', 'must not be empty')
export const absolutePath = refine(str, (s) => s.startsWith('/'), 'must be an absolute path')

/** `noun` describes the elements for the error when the value is not an array: `must be an array of strings`. */
export function arrayOf<T>(item: Check<T>, noun?: string): Check<T[]> {
  return (v, p) => {
    if (!Array.isArray(v)) fail(p, noun === undefined ? 'must be an array' : `must be an array of ${noun}`)
    v.forEach((element, i) => item(element, indexPath(p, i)))
    return v as T[]
  }
}

export const strings = arrayOf(str, 'strings')

export function nonEmptyArray<T>(check: Check<T[]>): Check<T[]> {
  return refine(check, (a) => a.length > 0, 'must not be empty')
}

/** For arrays whose elements must differ in one field: `linux.namespaces[3].type: duplicate namespace "pid"`. */
export function distinct<T>(key: (item: T) => string, field: string, noun: string): (items: T[], path: string) => void {
  return (items, p) => {
    const seen = new Set<string>()
    items.forEach((item, i) => {
      const k = key(item)
      if (seen.has(k)) fail(keyPath(indexPath(p, i), field), `duplicate ${noun} ${JSON.stringify(k)}`)
      seen.add(k)
    })
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export const anyObject: Check<Record<string, unknown>> = (v, p) => (isPlainObject(v) ? v : fail(p, 'must be an object'))

/** A JSON object used as a map (annotations, sysctl, unified): non-empty keys, every value checked. */
export function mapOf<T>(value: Check<T>): Check<Record<string, T>> {
  return (v, p) => {
    const map = anyObject(v, p)
    for (const [k, entry] of Object.entries(map)) {
      if (k === '') fail(keyPath(p, k), 'key must not be empty')
      value(entry, keyPath(p, k))
    }
    return map as Record<string, T>
  }
}

export interface Optional<T> {
  readonly optional: Check<T>
}

/** Marks a field that may be absent; when present it must pass `check`. */
export function opt<T>(check: Check<T>): Optional<T> {
  return { optional: check }
}

type Field<V> = undefined extends V ? Optional<Exclude<V, undefined>> : Check<V>

/** One check per field of T, no field left out: the compiler keeps the validators in step with the types. */
export type Shape<T> = { readonly [K in keyof T]-?: Field<T[K]> }

/**
 * A JSON object with the fields of `shape`, checked in the shape's order. Required fields must be present;
 * fields the shape does not name are left alone (the spec says unknown properties MUST be ignored).
 */
export function object<T>(shape: Shape<T>, after?: (value: T, path: string) => void): Check<T> {
  const fields = Object.entries(shape) as [string, Check<unknown> | Optional<unknown>][]
  return (v, p) => {
    const obj = anyObject(v, p)
    for (const [key, field] of fields) {
      const value = obj[key]
      if (typeof field === 'function') {
        if (value === undefined) fail(keyPath(p, key), 'is required')
        field(value, keyPath(p, key))
      } else if (value !== undefined) {
        field.optional(value, keyPath(p, key))
      }
    }
    const typed = obj as T
    after?.(typed, p)
    return typed
  }
}
