// Image names as docker and podman spell them: "busybox" means "docker.io/library/busybox:latest".
/** The full form of an image name: registry host, repository path, and a tag (":latest" when none) or digest. */
export function normalizeName(name: string): string {
  let n = name.trim()
  const slash = n.indexOf('/')
  const first = slash < 0 ? '' : n.slice(0, slash)
  if (slash < 0) n = `docker.io/library/${n}`
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') n = `docker.io/${n}`
  const lastPart = n.slice(n.lastIndexOf('/') + 1)
  if (!lastPart.includes(':') && !n.includes('@')) n = `${n}:latest`
  return n
}

/** Whether `query` (as a user types it) names the image called `name`. */
export function nameMatches(name: string, query: string): boolean {
  return name === query || normalizeName(name) === normalizeName(query)
}

/** "sha256:<hex>" or a hex prefix of at least 12 characters (as `docker images` shows ids). */
export function idMatches(id: string, query: string): boolean {
  const hex = id.slice(id.indexOf(':') + 1)
  const q = query.startsWith('sha256:') ? query.slice(7) : query
  return /^[0-9a-f]+$/.test(q) && (q.length === hex.length ? q === hex : q.length >= 12 && hex.startsWith(q))
}
