// Small shared pieces: statistics, the cbench runner, process helpers.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'

export const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (!v.length) return NaN
  const m = v.length >> 1
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2
}

export const quantile = (xs, q) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (!v.length) return NaN
  const pos = (v.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return v[lo] + (v[hi] - v[lo]) * (pos - lo)
}

export const round = (x, d = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null)

/** The member order for round r: A B C, B C A, C A B, ... */
export const rotation = (members, r) => members.map((_, i) => members[(i + r) % members.length])

/** The environment every child gets: NODE_EXTRA_CA_CERTS costs Node ~40 ms per start. */
export function childEnv() {
  const env = { ...process.env }
  delete env.NODE_EXTRA_CA_CERTS
  return env
}

export function log(msg) {
  process.stderr.write(`bench: ${msg}\n`)
}

/**
 * Run cbench with the given steps (arrays of argv); returns { steps: [{exit, wallMs, cpuMs, rssMiB}], totalMs }.
 * opts: par, crunNs, out (child stdout file), err (child stderr file), env (extra variables).
 */
export function cbench(bin, steps, opts = {}) {
  const args = []
  if (opts.par) args.push('--par')
  if (opts.crunNs) args.push('--crun-ns')
  if (opts.out) args.push('--out', opts.out)
  if (opts.err) args.push('--err', opts.err)
  args.push('--')
  steps.forEach((s, i) => {
    if (i) args.push(':::')
    args.push(...s)
  })
  const r = spawnSync(bin, args, { encoding: 'utf8', env: { ...childEnv(), ...(opts.env ?? {}) }, maxBuffer: 16 << 20 })
  if (r.signal === 'SIGINT' || r.signal === 'SIGTERM') throw Object.assign(new Error(`interrupted (${r.signal})`), { interrupted: true })
  if (r.status !== 0) throw new Error(`cbench failed (${r.status ?? r.signal}): ${(r.stderr ?? '').trim()}`)
  const out = { steps: [], totalMs: NaN }
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('total_ns=')) out.totalMs = Number(line.slice(9)) / 1e6
    else if (line.startsWith('step=')) {
      const kv = Object.fromEntries(line.split(' ').map((p) => p.split('=')))
      out.steps[Number(kv.step)] = {
        exit: Number(kv.exit),
        wallMs: Number(kv.wall_ns) / 1e6,
        cpuMs: (Number(kv.user_us) + Number(kv.sys_us)) / 1e3,
        rssMiB: Number(kv.maxrss_kb) / 1024,
      }
    }
  }
  return out
}

/** Yield to the event loop (signal handlers run there). */
export const tick = () => new Promise((resolve) => setImmediate(resolve))

export function tail(path, lines = 5) {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join(' | ')
  } catch {
    return ''
  }
}

export function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], ...opts })
}

export function which(name) {
  for (const dir of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = `${dir}/${name}`
    try { if (statSync(p).isFile()) return p } catch { /* next */ }
  }
  return undefined
}

export function newer(src, dst) {
  if (!existsSync(dst)) return true
  return statSync(src).mtimeMs > statSync(dst).mtimeMs
}

export function fmtMs(x) {
  if (!Number.isFinite(x)) return '—'
  if (x >= 100) return x.toFixed(0)
  if (x >= 10) return x.toFixed(1)
  return x.toFixed(2)
}

export function fmtRatio(x) {
  return Number.isFinite(x) ? `${x.toFixed(2)}×` : '—'
}

/**
 * Command-line options `--name` / `--name=value` of a bench script: exits 2 on an option not in `known`.
 * Returns opt(name): the value, true for a bare flag, undefined when absent.
 */
export function parseOptions(argv, known, script) {
  for (const a of argv) {
    if (!known.some((k) => a === `--${k}` || a.startsWith(`--${k}=`))) {
      console.error(`${script}: unknown option ${a} (see the top of the script)`)
      process.exit(2)
    }
  }
  return (name) => {
    const a = argv.find((x) => x === `--${name}` || x.startsWith(`--${name}=`))
    if (a === undefined) return undefined
    return a.includes('=') ? a.slice(a.indexOf('=') + 1) : true
  }
}
