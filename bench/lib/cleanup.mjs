// Leave nothing behind: containers (per runtime root), processes in our cgroups, our cgroup dirs in
// every hierarchy, the temp dir. Only ever touches /<cgroupParent> (tsrun-bench-<our pid>) and our temp dir.
import { readdirSync, readFileSync, realpathSync, rmdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { cbench, log } from './util.mjs'

/** Every cgroup mount's copy of /<parent>, deduplicated (cpu and cpuacct may be one hierarchy). */
export function cgroupDirs(parent) {
  const seen = new Set()
  const out = []
  let mounts = ''
  try { mounts = readFileSync('/proc/self/mounts', 'utf8') } catch { /* none */ }
  for (const line of mounts.split('\n')) {
    const [, mnt, type] = line.split(' ')
    if (type !== 'cgroup' && type !== 'cgroup2') continue
    const dir = join(mnt, parent)
    try {
      if (!statSync(dir).isDirectory()) continue
      const real = realpathSync(dir)
      if (seen.has(real)) continue
      seen.add(real)
      out.push(dir)
    } catch { /* not there */ }
  }
  return out
}

function subdirsDepthFirst(dir) {
  const out = []
  let entries = []
  try { entries = readdirSync(dir, { withFileTypes: true }) } catch { return out }
  for (const e of entries) if (e.isDirectory()) out.push(...subdirsDepthFirst(join(dir, e.name)), join(dir, e.name))
  return out
}

function killProcsIn(dir) {
  let n = 0
  for (const d of [...subdirsDepthFirst(dir), dir]) {
    let procs = ''
    try { procs = readFileSync(join(d, 'cgroup.procs'), 'utf8') } catch { continue }
    for (const p of procs.split('\n').filter(Boolean)) {
      try { process.kill(Number(p), 'SIGKILL'); n++ } catch { /* gone */ }
    }
  }
  return n
}

export function removeCgroups(parent) {
  const left = []
  for (let attempt = 0; attempt < 20; attempt++) {
    left.length = 0
    const dirs = cgroupDirs(parent)
    if (!dirs.length) return []
    for (const top of dirs) {
      if (attempt > 0) killProcsIn(top)
      for (const d of [...subdirsDepthFirst(top), top]) {
        try { rmdirSync(d) } catch { left.push(d) }
      }
    }
    if (!left.length) return []
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
  }
  return left
}

/** Delete every container in each runtime's root (runtime's own list, then delete -f). */
export function deleteAllContainers(tools, rts, tmp) {
  const all = rts.flatMap((rt) => [rt, ...(rt.extraRoots ?? []).map((root) => ({ ...rt, root, cmd: (...a) => [rt.bin, '--root', root, ...a] }))])
  for (const rt of all) {
    const ids = listIds(rt)
    if (!ids.length) continue
    // batches of 40 delete calls per cbench invocation
    for (let i = 0; i < ids.length; i += 40) {
      const steps = ids.slice(i, i + 40).map((id) => rt.cmd('delete', '-f', id))
      try {
        cbench(tools.cbench, steps, { crunNs: rt.crunNs, err: join(tmp, 'logs', `${rt.name}-cleanup.err`) })
      } catch (e) {
        log(`cleanup: ${rt.name} delete: ${e.message}`)
      }
    }
    const still = listIds(rt)
    if (still.length) log(`cleanup: ${rt.name} still lists ${still.length} container(s) after delete -f`)
  }
}

/** Container ids from the state root's directory names (no runtime call needed; all three use one dir per id). */
export function listIds(rt) {
  try {
    return readdirSync(rt.root, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name)
  } catch {
    return []
  }
}

export function cleanupAll(ctx) {
  const { tools, rts = [], world } = ctx
  if (!world || ctx.cleaned) return
  ctx.cleaned = true
  try { deleteAllContainers(tools, rts, world.tmp) } catch (e) { log(`cleanup: ${e.message}`) }
  const left = removeCgroups(world.cgroupParent)
  if (left.length) log(`cleanup: could not remove ${left.length} cgroup dir(s), e.g. ${left[0]}`)
  if (!ctx.keepTmp) {
    try { rmSync(world.tmp, { recursive: true, force: true }) } catch (e) { log(`cleanup: rm ${world.tmp}: ${e.message}`) }
  } else log(`kept ${world.tmp}`)
}
