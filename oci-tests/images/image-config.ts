// The image config and content digests shared by the docker-archive and OCI layout writers.
import { createHash } from 'node:crypto'
import { fixedMtime } from './tar-buffer'

export const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** "sha256:<hex>" of some bytes. */
export function sha256Digest(content: Buffer): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`
}

/** The hex part of a "sha256:<hex>" digest. */
export function digestHex(digest: string): string {
  return digest.slice('sha256:'.length)
}

/** GOARCH name of the host, which is what image configs carry. */
export function hostImageArchitecture(): string {
  const names: Partial<Record<NodeJS.Architecture, string>> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' }
  return names[process.arch] ?? process.arch
}

export interface ImageConfigInput {
  cmd: string[]
  /** sha256 of the uncompressed layer tar */
  diffId: string
}

/** The image config JSON (identical in both archive formats), as bytes. */
export function imageConfigJson({ cmd, diffId }: ImageConfigInput): Buffer {
  const created = fixedMtime.toISOString()
  const config = {
    created,
    architecture: hostImageArchitecture(),
    os: 'linux',
    config: { Env: [defaultPath], Cmd: cmd, WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: 'tsrun oci-tests/images: busybox-static rootfs' }],
  }
  return Buffer.from(JSON.stringify(config))
}
