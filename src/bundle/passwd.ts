// HOME for the container user, from the rootfs's /etc/passwd (runc and crun add it when env has none).
import { lstatSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export function parsePasswdHome(passwd: string, uid: number): string | undefined {
  for (const line of passwd.split('\n')) {
    const f = line.split(':')
    if (f.length >= 6 && Number(f[2]) === uid && f[2] !== '') return f[5]
  }
  return undefined
}

export function homeFor(rootfs: string, uid: number): string {
  const path = join(rootfs, 'etc', 'passwd')
  try {
    if (!lstatSync(path).isFile()) return '/' // a symlink could point outside the rootfs: do not follow it
    return parsePasswdHome(readFileSync(path, 'utf8'), uid) ?? '/'
  } catch {
    return '/'
  }
}
