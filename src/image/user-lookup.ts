// Resolving an image's `User` ("", "uid", "uid:gid", "name", "name:group", ...) against the image's own
// /etc/passwd and /etc/group, with runc's GetExecUser rules (which docker uses), except that supplementary
// groups are those of the user even when a group is given explicitly (the containerd/moby fix for
// CVE-2023-25173 / CVE-2022-36109: a `user:group` form must not drop the user's supplementary groups).
import { ImageError } from './types'

export interface PasswdEntry {
  name: string
  uid: number
  gid: number
  home: string
  shell: string
}

export interface GroupEntry {
  name: string
  gid: number
  members: string[]
}

export interface ResolvedUser {
  uid: number
  gid: number
  /** gids of the /etc/group entries listing the user's name as a member, in file order, without duplicates */
  additionalGids: number[]
  /** the passwd entry's name and home, when the user has one */
  name?: string
  home?: string
}

/** The image's account files as text; undefined when the image has no such file. */
export interface AccountFiles {
  passwd?: string
  group?: string
}

/** runc's limit for ids it accepts (Go int32 range). */
const MAX_ID = 2 ** 31 - 1

function parseId(s: string): number | undefined {
  if (!/^\d{1,10}$/.test(s)) return undefined
  const n = Number(s)
  return n <= MAX_ID ? n : undefined
}

/** Lines of an account file, comments, blank lines and NIS "+"/"-" entries left out. */
function records(text: string): string[][] {
  const out: string[][] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue
    out.push(line.split(':'))
  }
  return out
}

/** /etc/passwd entries; lines with a missing name or a non-numeric uid/gid are skipped (runc reads them as 0). */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = []
  for (const f of records(text)) {
    const uid = parseId(f[2] ?? '')
    const gid = parseId(f[3] ?? '')
    if (f[0] === '' || uid === undefined || gid === undefined) continue
    out.push({ name: f[0], uid, gid, home: f[5] ?? '', shell: f[6] ?? '' })
  }
  return out
}

/** /etc/group entries; lines with a missing name or a non-numeric gid are skipped. */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = []
  for (const f of records(text)) {
    const gid = parseId(f[2] ?? '')
    if (f[0] === '' || gid === undefined) continue
    const members = (f[3] ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter((m) => m !== '')
    out.push({ name: f[0], gid, members })
  }
  return out
}

/**
 * Resolve a user spec the way `docker run -u` / an image's `User` means it:
 * - "" is root: uid 0 (its passwd entry's gid and groups if there is one, else 0:0);
 * - a numeric user is a uid, with or without a passwd entry (without one: gid 0, no supplementary groups);
 * - a user name must be in passwd;
 * - a numeric group is a gid, with or without a group entry; a group name must be in /etc/group;
 * - supplementary groups: the groups listing the passwd entry's name, whatever the primary group.
 * `field` names where the spec came from in error messages (e.g. "config.User").
 */
export function resolveUser(spec: string, files: AccountFiles, field = 'user'): ResolvedUser {
  const colon = spec.indexOf(':')
  const userArg = colon < 0 ? spec : spec.slice(0, colon)
  const groupArg = colon < 0 ? '' : spec.slice(colon + 1)
  if (colon >= 0 && (userArg === '' || groupArg === '')) {
    throw new ImageError(`${field}: "${spec}" is not a user, user:group, uid or uid:gid`)
  }
  if (groupArg.includes(':')) throw new ImageError(`${field}: "${spec}" has more than one ":"`)
  if (/^-?\d+$/.test(userArg) && parseId(userArg) === undefined) {
    throw new ImageError(`${field}: uid ${userArg} is out of range (0..${MAX_ID})`)
  }
  if (/^-?\d+$/.test(groupArg) && parseId(groupArg) === undefined) {
    throw new ImageError(`${field}: gid ${groupArg} is out of range (0..${MAX_ID})`)
  }

  const users = files.passwd === undefined ? [] : parsePasswd(files.passwd)
  const uidArg = userArg === '' ? 0 : parseId(userArg)
  // First match wins, like runc.
  const entry = uidArg !== undefined ? users.find((u) => u.uid === uidArg) : users.find((u) => u.name === userArg)

  const out: ResolvedUser = { uid: 0, gid: 0, additionalGids: [] }
  if (entry !== undefined) {
    out.uid = entry.uid
    out.gid = entry.gid
    out.name = entry.name
    out.home = entry.home
  } else if (uidArg !== undefined) {
    out.uid = uidArg
  } else {
    throw new ImageError(`${field}: user "${userArg}" not found in the image's /etc/passwd`)
  }

  const groups = files.group === undefined ? [] : parseGroup(files.group)
  if (groupArg !== '') {
    const gidArg = parseId(groupArg)
    if (gidArg !== undefined) out.gid = gidArg
    else {
      const g = groups.find((x) => x.name === groupArg)
      if (g === undefined) throw new ImageError(`${field}: group "${groupArg}" not found in the image's /etc/group`)
      out.gid = g.gid
    }
  }
  if (out.name !== undefined) {
    const name = out.name
    for (const g of groups) {
      if (g.members.includes(name) && !out.additionalGids.includes(g.gid)) out.additionalGids.push(g.gid)
    }
  }
  return out
}
