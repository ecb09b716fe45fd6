// Hashing a large blob on another thread: the unpacker's file writes and the blob's sha256 then use both cores
// instead of taking turns on one (the hash is a third of an uncompressed layer's unpack time otherwise).
import { Worker } from 'node:worker_threads'

const WORKER = `
const { parentPort } = require('node:worker_threads')
const { createHash } = require('node:crypto')
let hash
parentPort.on('message', (m) => {
  if (m.chunk) hash.update(m.chunk)
  else if (m.algorithm) hash = createHash(m.algorithm)
  else if (m.end) parentPort.postMessage(hash.digest('hex'))
})`

/** A running hash computed by a worker thread; `digest()` resolves to "<algorithm>:<hex>". */
export class OffThreadDigester {
  private readonly worker: Worker
  private done = false

  constructor(readonly algorithm: string) {
    this.worker = new Worker(WORKER, { eval: true })
    this.worker.postMessage({ algorithm })
  }

  /** The chunk is copied to the worker; the caller may pass it on at once. */
  update(chunk: Uint8Array): void {
    this.worker.postMessage({ chunk })
  }

  digest(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.worker.once('message', (hex: string) => {
        this.close()
        resolve(`${this.algorithm}:${hex}`)
      })
      this.worker.once('error', reject)
      this.worker.postMessage({ end: true })
    })
  }

  /** Stop the worker (after digest(), or when the stream is abandoned). */
  close(): void {
    if (this.done) return
    this.done = true
    void this.worker.terminate()
  }
}
