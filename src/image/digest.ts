// Content digests as the OCI image spec writes them ("<algorithm>:<hex>"), hashing helpers, the
// verifying pass-through stream every blob goes through, and layer chain IDs.
import { createHash, type Hash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { ImageError } from './types'
import { OffThreadDigester } from './hash-worker'

export type DigestAlgorithm = 'sha256' | 'sha512'

export interface ParsedDigest {
  algorithm: DigestAlgorithm
  hex: string
}

const hexLength: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 }

/** Splits and checks "sha256:<64 lowercase hex>" or "sha512:<128 lowercase hex>"; throws an ImageError naming `what`. */
export function parseDigest(digest: unknown, what = 'digest'): ParsedDigest {
  if (typeof digest !== 'string') throw new ImageError(`${what}: not a digest: ${JSON.stringify(digest)}`)
  const colon = digest.indexOf(':')
  const algorithm = digest.slice(0, colon)
  const hex = digest.slice(colon + 1)
  if (colon < 0 || !(algorithm === 'sha256' || algorithm === 'sha512')) {
    throw new ImageError(`${what}: unsupported digest ${JSON.stringify(digest)}: want sha256:<hex> or sha512:<hex>`)
  }
  if (hex.length !== hexLength[algorithm] || !/^[0-9a-f]+$/.test(hex)) {
    throw new ImageError(`${what}: malformed digest ${JSON.stringify(digest)}: want ${algorithm}:<${hexLength[algorithm]} lowercase hex digits>`)
  }
  return { algorithm, hex }
}

/** True when `s` is a well-formed sha256 or sha512 digest. */
export function isDigest(s: unknown): s is string {
  try {
    parseDigest(s)
    return true
  } catch {
    return false
  }
}

/** The digest of some bytes, "sha256:<hex>" unless another algorithm is asked for. */
export function digestOf(content: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(content).digest('hex')}`
}

/** sha256 digest of some bytes. */
export function sha256(content: Uint8Array | string): string {
  return digestOf(content, 'sha256')
}

/** A running hash for `algorithm`, finished as "<algorithm>:<hex>". */
export class Digester {
  private readonly hash: Hash
  constructor(readonly algorithm: DigestAlgorithm = 'sha256') {
    this.hash = createHash(algorithm)
  }
  update(chunk: Uint8Array): void {
    this.hash.update(chunk)
  }
  digest(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`
  }
}

/**
 * Checks bytes already in memory against a descriptor (size first, then digest); throws an ImageError
 * "<label>: size mismatch: …" or "<label>: digest mismatch: got …".
 */
export function verifyBytes(content: Uint8Array, expected: { digest: string; size?: number }, label: string): void {
  if (expected.size !== undefined && content.length !== expected.size) {
    throw new ImageError(`${label}: size mismatch: got ${content.length} bytes, expected ${expected.size}`)
  }
  const { algorithm } = parseDigest(expected.digest, label)
  const got = digestOf(content, algorithm)
  if (got !== expected.digest) throw new ImageError(`${label}: digest mismatch: got ${got}, expected ${expected.digest}`)
}

/** Blobs at least this large are hashed on a worker thread. */
export const OFF_THREAD_BYTES = 8 << 20

export interface VerifyOptions {
  /** the digest the bytes must have */
  digest: string
  /** the exact byte count, when known: more bytes fail at once, fewer at the end */
  size?: number
  /** names the blob in error messages, e.g. "blob sha256:… (layer 2 of 3)" */
  label: string
  /** the message for a digest mismatch, instead of "<label>: digest mismatch: got <got>, expected <digest>" */
  mismatch?: (got: string) => string
}

/**
 * A pass-through that hashes and counts what goes through it and, at the end, fails with an ImageError
 * when the count or the digest is not the expected one. Data is passed on as it comes: a consumer must
 * not commit what it wrote until the stream has ended without error.
 */
export class VerifyingStream extends Transform {
  private readonly digester: Digester | OffThreadDigester
  private count = 0

  constructor(private readonly opts: VerifyOptions) {
    super()
    const { algorithm } = parseDigest(opts.digest, opts.label)
    // a worker costs ~10 ms to start: worth it only for large blobs
    this.digester = (opts.size ?? 0) >= OFF_THREAD_BYTES ? new OffThreadDigester(algorithm) : new Digester(algorithm)
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    if (this.digester instanceof OffThreadDigester) this.digester.close()
    cb(err)
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length
    const { size, label } = this.opts
    if (size !== undefined && this.count > size) {
      cb(new ImageError(`${label}: size mismatch: more than the declared ${size} bytes`))
      return
    }
    this.digester.update(chunk)
    cb(null, chunk)
  }

  override _flush(cb: TransformCallback): void {
    const { size, label, digest, mismatch } = this.opts
    if (size !== undefined && this.count !== size) {
      cb(new ImageError(`${label}: size mismatch: got ${this.count} bytes, expected ${size}`))
      return
    }
    const check = (got: string): void => {
      if (got !== digest) cb(new ImageError(mismatch ? mismatch(got) : `${label}: digest mismatch: got ${got}, expected ${digest}`))
      else cb()
    }
    const got = this.digester.digest()
    if (typeof got === 'string') check(got)
    else got.then(check, (e: Error) => cb(e))
  }
}

/**
 * Layer chain IDs (image spec, "Layer ChainID"): chainID(L0) = diffID(L0),
 * chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln)).
 */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = []
  for (const [i, diffId] of diffIds.entries()) {
    parseDigest(diffId, `diff_id ${i}`)
    out.push(i === 0 ? diffId : sha256(`${out[i - 1]} ${diffId}`))
  }
  return out
}
