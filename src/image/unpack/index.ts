// Unpacking one layer tar (uncompressed) into an empty directory that becomes an overlayfs lowerdir.
// Nothing is ever written outside `dir` (see root.ts and apply-entry.ts); on failure the promise rejects with an
// ImageError naming the member, and the caller removes `dir`.
import { readFileSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { extract, type Extract, type Header } from 'tar-stream'
import { ImageError } from '../types'
import { EntryApplier, type OpenMember } from './apply-entry'
import { creationDefaults } from './defaults'
import { MemberError } from './errors'
import { LayerRoot } from './root'
import { installTarPatches } from './tar-patches'

export interface UnpackOptions {
  /** called with the size of each chunk of tar read */
  onBytes?(n: number): void
  /** mark opaque directories with user.overlay.opaque (overlay mounted with -o userxattr) */
  userxattr?: boolean
  /** what to call the layer in messages (e.g. its digest); messages say just "layer" without it */
  layer?: string
}

export interface UnpackStats {
  /** tar members (after long-name and PAX headers were folded in), skipped ones included */
  entries: number
  /** uncompressed tar bytes read */
  bytes: number
  /** regular files written (hardlinks not counted) */
  files: number
  dirs: number
  /** whiteouts and opaque markers made */
  whiteouts: number
}

function ignore(): void {}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

export async function unpackLayer(tar: Readable, dir: string, opts: UnpackOptions = {}): Promise<UnpackStats> {
  installTarPatches()
  const label = opts.layer ? `layer ${opts.layer}` : 'layer'
  const stats: UnpackStats = { entries: 0, bytes: 0, files: 0, dirs: 0, whiteouts: 0 }
  let root: LayerRoot
  try {
    root = new LayerRoot(dir)
  } catch (e) {
    throw new ImageError(`${label}: ${dir}: ${message(e)}`, { cause: e })
  }
  const applier = new EntryApplier(root, { userxattr: opts.userxattr }, stats,
    creationDefaults(() => readFileSync('/proc/self/status', 'utf8')))
  // names as latin1 "binary strings", so that a name that is not UTF-8 keeps its bytes (paths.ts)
  const ex: Extract = extract({ filenameEncoding: 'latin1' } as Parameters<typeof extract>[0])

  let failure: ImageError | undefined
  let open: OpenMember | undefined
  let inMember = false

  const memberFailure = (e: unknown, name: string | undefined): ImageError => {
    if (e instanceof ImageError) return e
    const what = name === undefined ? label : `${label} member ${JSON.stringify(name)}`
    const err = new ImageError(`${what}: ${message(e)}`)
    if (!(e instanceof MemberError)) err.cause = e
    return err
  }
  const fail = (err: ImageError): void => {
    if (failure) return
    failure = err
    open?.abort()
    open = undefined
    ex.destroy(err)
    tar.destroy() // stop reading now, not at the next chunk (breaking out of `for await` would destroy it too)
  }

  ex.on('entry', (header: Header, stream, next: (err?: Error | null) => void) => {
    // first: a failure destroys this stream with the error, which must not go unhandled (the extract's own
    // error, or ours, says what happened)
    stream.on('error', ignore)
    stats.entries++
    inMember = false
    let member: OpenMember | undefined
    try {
      member = applier.begin(header)
    } catch (e) {
      fail(memberFailure(e, applier.current))
      return
    }
    inMember = true
    const done = () => {
      inMember = false
      next()
    }
    const finish = (): void => {
      try {
        member?.end()
      } catch (e) {
        fail(memberFailure(e, applier.current))
        return
      }
      done()
    }
    if (header.size === 0 || header.type === 'directory') return finish() // tar-stream has no data to stream for these
    open = member
    stream.on('data', (data: unknown) => {
      const chunk = data as Buffer
      if (failure || !member) return // failed, or data we skip
      try {
        member.write(chunk)
      } catch (e) {
        fail(memberFailure(e, applier.current))
      }
    })
    stream.on('end', () => {
      if (failure) return
      open = undefined
      finish()
    })
  })

  const settled = new Promise<void>((resolve) => {
    ex.on('finish', () => resolve())
    ex.on('close', () => resolve())
    ex.on('error', (e: Error) => {
      if (failure) return resolve()
      if (/unexpected end of data/i.test(e.message)) {
        const where = !inMember ? '' : ` in member ${JSON.stringify(applier.current)}`
        failure = new ImageError(`${label}: truncated tar (unexpected end of data${where})`)
      } else {
        const after = applier.current === undefined ? '' : ` (after member ${JSON.stringify(applier.current)})`
        failure = new ImageError(`${label}: invalid tar: ${e.message}${after}`)
      }
      failure.cause = e
      open?.abort()
      tar.destroy()
      resolve()
    })
  })

  const drained = () => new Promise<void>((resolve) => {
    const onDone = () => {
      ex.off('drain', onDone)
      ex.off('close', onDone)
      resolve()
    }
    ex.on('drain', onDone)
    ex.on('close', onDone)
  })

  try {
    for await (const chunk of tar) {
      if (failure) break
      const buf = chunk as Buffer
      stats.bytes += buf.length
      opts.onBytes?.(buf.length)
      if (!ex.write(buf)) await drained()
      if (failure) break
    }
  } catch (e) {
    if (!failure) {
      // the source's own ImageErrors (digest, diff_id, decompression) already name the layer
      const err = e instanceof ImageError ? e : new ImageError(`${label}: reading the tar failed: ${message(e)}`)
      if (err !== e) err.cause = e
      fail(err)
    }
  }
  if (!failure) ex.end(undefined)
  else if (!ex.destroyed) ex.destroy(failure)
  await settled
  if (failure) throw failure
  try {
    root.finish()
  } catch (e) {
    throw memberFailure(e, undefined)
  }
  return stats
}
