// Opening an image archive: an OCI image layout (directory or tar) or a docker-archive tar, told apart
// by what they hold. Tars are indexed once and read in place, never copied or unpacked.
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { ImageError, type ImageSource } from '../types'
import { DockerArchiveSource } from './docker-archive'
import { DirFiles, TarFiles, type ArchiveFiles } from './files'
import { OciLayoutSource } from './oci-layout'

export { DockerArchiveSource } from './docker-archive'
export { OciLayoutSource } from './oci-layout'
export { TarIndex, type TarMember } from './tar-index'

export interface OpenOptions {
  /**
   * Which description to read when an archive has both (`docker save` 25 and later, `ctr images export`):
   * index.json ('oci-layout', the default: every blob has a descriptor digest, and indexes name platforms)
   * or manifest.json ('docker-archive'). Either way the other is used when the preferred one has no image.
   */
  prefer?: 'oci-layout' | 'docker-archive'
}

function firstBytes(path: string, n: number): Buffer {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(n)
    return buf.subarray(0, readSync(fd, buf, 0, n, 0))
  } finally {
    closeSync(fd)
  }
}

/** Opens the image archive or layout directory at `path`. Throws an ImageError when it is none. */
export async function openImageSource(path: string, opts: OpenOptions = {}): Promise<ImageSource> {
  let st
  try {
    st = statSync(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ImageError(code === 'ENOENT' ? `${path}: no such file or directory` : `${path}: ${(err as Error).message}`)
  }
  let files: ArchiveFiles
  if (st.isDirectory()) {
    files = new DirFiles(path)
  } else {
    const head = firstBytes(path, 6)
    if ((head[0] === 0x1f && head[1] === 0x8b) || (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd)) {
      throw new ImageError(`${path}: compressed image archives are not supported: decompress it first (gunzip/unzstd)`)
    }
    files = TarFiles.open(path)
  }
  try {
    return openFrom(files, opts.prefer ?? 'oci-layout')
  } catch (err) {
    files.close()
    throw err
  }
}

function openFrom(files: ArchiveFiles, prefer: 'oci-layout' | 'docker-archive'): ImageSource {
  const hasOci = files.size('oci-layout') !== undefined || files.size('index.json') !== undefined
  const hasDocker = files.size('manifest.json') !== undefined
  if (!hasOci && !hasDocker) {
    throw new ImageError(`${files.where}: not an image archive: it has no manifest.json (docker-archive) nor oci-layout and index.json (OCI image layout)`)
  }
  // A reader that shares `files`: closing the source closes the archive once.
  const oci = () => new OciLayoutSource(files)
  const docker = () => new DockerArchiveSource(files)
  if (!hasOci) return docker()
  if (!hasDocker) return oci()
  const [first, second] = prefer === 'oci-layout' ? [oci, docker] : [docker, oci]
  try {
    const s = first()
    if (!(s instanceof OciLayoutSource) || s.size > 0) return s
  } catch (err) {
    if (!(err instanceof ImageError)) throw err
    try {
      return second()
    } catch {
      throw err
    }
  }
  return second()
}
