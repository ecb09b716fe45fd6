// The image benchmark's report: the comparison table, the breakdown, the CPU profile summary, docs/performance-images.md.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { fmtMs, fmtRatio } from './util.mjs'

const MB = 1e6

/** One row per scenario: reference median, tsrun median, median of the per-round ratios, target, verdict. */
export function table(rows) {
  const out = [
    '| scenario | tar / plain median (ms) | tsrun median (ms) | ratio (median of rounds; min–max) | target | result |',
    '|---|---:|---:|---:|---:|---|',
  ]
  for (const r of rows) {
    const s = r.summary
    const ref = s.per[r.ref]
    const ts = s.per[r.tsrun]
    const q = s.ratios[`${r.tsrun}/${r.ref}`]
    const verdict = !q ? 'FAIL (no data)' : q.median <= r.target ? 'pass' : 'FAIL'
    const range = q ? ` (${q.min.toFixed(2)}–${q.max.toFixed(2)})` : ''
    out.push(`| ${r.title} | ${fmtMs(ref?.value)} | ${fmtMs(ts?.value)} | ${q ? fmtRatio(q.median) : '—'}${range} | ≤ ${r.target}× | ${verdict} |`)
    r.pass = verdict === 'pass'
  }
  return out.join('\n')
}

/** Breakdown lines for an unpack scenario (tar vs tsrun image load, and tsrun --version as the fixed cost). */
export function unpackBreakdown(name, s, { bytes, blobBytes, check }) {
  const tar = s.per.tar
  const ts = s.per['tsrun image load']
  const v = s.per['tsrun --version']
  const net = s.diffs['tsrun image load']
  const lines = []
  const mbps = (ms) => (Number.isFinite(ms) && ms > 0 ? `${(bytes / MB / (ms / 1000)).toFixed(0)} MB/s` : '—')
  lines.push(`- **${name}** (${(bytes / MB).toFixed(0)} MB tar${blobBytes !== bytes ? `, ${(blobBytes / MB).toFixed(0)} MB blob` : ''}): ` +
    `tar ${fmtMs(tar?.value)} ms (${mbps(tar?.value)}, cpu ${fmtMs(tar?.cpuMs)} ms, ${fmtRatio(tar?.cpuMs / tar?.value)} of one core), ` +
    `tsrun ${fmtMs(ts?.value)} ms (${mbps(ts?.value)}, cpu ${fmtMs(ts?.cpuMs)} ms, peak RSS ${fmtMs(ts?.rssMiB)} MiB).`)
  if (v?.n) {
    const netRatio = Number.isFinite(net) && tar?.value ? net / tar.value : NaN
    lines.push(`  Fixed cost \`cmd/tsrun --version\` ${fmtMs(v.value)} ms; tsrun minus it (median of per-round differences) ` +
      `${fmtMs(net)} ms = ${fmtRatio(netRatio)} tar (${mbps(net)}).`)
  }
  if (check) lines.push(`  Check (warm-up round, \`tar\`'s tree vs the store's \`diff/\`): ${checkLine(check)}.`)
  const errs = Object.entries(s.errors ?? {})
  for (const [m, e] of errs) lines.push(`  ${m}: ${e.count} failed call(s), first: ${e.first}`)
  return lines
}

export function checkLine(c) {
  if (!c) return 'not made'
  if (c.error) return `could not compare (${c.error})`
  if (c.same) return `identical listings (${c.entries} entries: type, mode, owner, size, mtime, link target, hardlink groups)`
  const parts = ['missing', 'extra', 'different', 'hardlinks'].filter((k) => c[k].n).map((k) => `${c[k].n} ${k} (e.g. ${c[k].e.join('; ')})`)
  return `**differs** from tar's tree (${c.entries} entries): ${parts.join(', ')}`
}

export function runBreakdown(s) {
  const img = s.per.image
  const plain = s.per.plain
  const d = img?.value - plain?.value
  const lines = [`- **second container**: \`run\` on the image bundle ${fmtMs(img?.value)} ms (cpu ${fmtMs(img?.cpuMs)} ms) vs the plain bundle ` +
    `${fmtMs(plain?.value)} ms (cpu ${fmtMs(plain?.cpuMs)} ms): the overlay (mount at create, unmount at delete, sidecar read) adds ` +
    `${fmtMs(d)} ms by the medians.`]
  for (const [m, e] of Object.entries(s.errors ?? {})) lines.push(`  ${m}: ${e.count} failed call(s), first: ${e.first}`)
  return lines
}

/**
 * Self time by function from .cpuprofile files in DIR: the top N as [label, ms, share], plus the profile's span.
 * Labels are "function (file:line)"; the build keeps names (whitespace/syntax minification only).
 */
export function profileTop(dir, n = 5) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
  if (!files.length) return undefined
  const p = JSON.parse(readFileSync(join(dir, files[0]), 'utf8'))
  const nodes = new Map(p.nodes.map((x) => [x.id, x]))
  const self = new Map()
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)))
  const byFn = new Map()
  let total = 0
  for (const [id, us] of self) {
    const cf = nodes.get(id).callFrame
    const file = cf.url ? cf.url.replace(/^file:\/\//, '').split('/').slice(-2).join('/') : ''
    const label = cf.url ? `${cf.functionName || '(anonymous)'} (${file}:${cf.lineNumber + 1})` : cf.functionName || '(native)'
    byFn.set(label, (byFn.get(label) ?? 0) + us / 1000)
    total += us / 1000
  }
  const top = [...byFn].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => [k, ms, ms / total])
  return { spanMs: (p.endTime - p.startTime) / 1000, sampledMs: total, top }
}

export function profileLines(name, prof) {
  if (!prof) return [`- ${name}: no profile`]
  return [`- ${name} (one \`node --cpu-prof\` run of \`dist/tsrun.js image load\`, ${fmtMs(prof.spanMs)} ms profiled), top self time: ` +
    prof.top.map(([k, ms, share]) => `\`${k}\` ${fmtMs(ms)} ms (${(share * 100).toFixed(0)}%)`).join(', ')]
}

export function machineLine() {
  const model = cpus()[0]?.model?.trim() ?? 'unknown cpu'
  const kernel = (() => { try { return execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim() } catch { return '?' } })()
  const tar = (() => { try { return execFileSync('tar', ['--version'], { encoding: 'utf8' }).split('\n')[0] } catch { return 'tar ?' } })()
  return `${model}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${kernel}, node ${process.version}, ${tar}`
}

export function writeImageDoc(path, { date, commit, machine, mode, rounds, body }) {
  const doc = `# Performance: images

\`npm run bench:image\` (full, ${rounds} rounds) or \`npm run bench:image -- --quick\` (3 rounds, not written here) measures
the image paths of tsrun against the tools they stand in for, on the same machine in the same run:

1. **Unpack a layer**: a seeded, generated tree (small 1–16 KiB files, 1–8 MiB files, dirs up to 9 deep, GNU long
   names, symlinks, hardlinks; ~200 MB) tarred by GNU tar and wrapped in an OCI image layout. \`tar -xf\` of the layer
   blob into a fresh dir on /dev/shm vs \`tsrun image load -q\` of the layout into a fresh store on /dev/shm (which also
   verifies the blob digest and the diff_id and writes the store's records).
2. **gzip layer**: the same tar, \`gzip -6 -n\`; \`tar -xzf\` vs \`tsrun image load\`.
3. **Second container**: the busybox fixture as a one-layer image, loaded once; \`tsrun run\` of a bundle made by
   \`bundle create\` (overlay rootfs over the store's layer) vs the same config.json with root.path on a plain copy of
   the fixture, \`/bin/true\`, fresh id, state root and cgroup per call; every call must leave no container and no mount.

Method: one warm-up round, then rounds in round-robin order (the members rotate their order each round); each call is
timed from fork to wait4 by \`bench/cbench\`; medians, and the median of the per-round ratios. Fresh target dirs and
stores are made and removed outside the timed part. \`cmd/tsrun --version\` is measured in the same rounds as the
fixed start-up cost. NODE_EXTRA_CA_CERTS is unset for every call.

## Latest run

${date}, commit ${commit}, ${mode}; ${machine}

${body}
`
  writeFileSync(path, doc)
}
