// Round-robin measurement and its summary (medians, per-round ratios).
import { join } from 'node:path'
import { cbench, log, median, quantile, rotation, tail, tick } from './util.mjs'

/**
 * Run `rounds` measured rounds (after `warmup` unmeasured ones); in round r the members run in the
 * order rotation(members, r). make(member, r) → { steps, opts?, expect?: number[] (exit per step, default 0),
 * value?(res) → number (default: sum of step walls), extra?(res) → object }.
 */
export async function measure(ctx, spec) {
  const { id, members, rounds, warmup = 0 } = spec
  const samples = []
  const errors = {}
  for (let r = 0; r < warmup + rounds; r++) {
    for (const m of rotation(members, r)) {
      await tick() // let SIGINT/SIGTERM handlers run between calls
      const job = spec.make(m, r)
      if (!job) continue
      const errFile = join(ctx.world.tmp, 'logs', `${id}-${m.name}.err`.replace(/[^\w.-]+/g, '_'))
      let res
      let problem
      try {
        res = cbench(ctx.tools.cbench, job.steps, { crunNs: m.crunNs, err: errFile, ...(job.opts ?? {}) })
        const expect = job.expect ?? []
        res.steps.forEach((s, i) => {
          if (!problem && s.exit !== (expect[i] ?? 0)) problem = `step ${i} (${job.steps[i].slice(0, 4).join(' ')}…) exit ${s.exit}: ${tail(errFile, 3)}`
        })
      } catch (e) {
        if (e.interrupted) throw e
        problem = e.message
      }
      let value = NaN
      let extra = {}
      if (!problem) {
        try {
          value = job.value ? job.value(res) : res.steps.reduce((a, s) => a + s.wallMs, 0)
          extra = job.extra ? job.extra(res) : {}
          if (!Number.isFinite(value)) problem = 'no value'
        } catch (e) {
          problem = e.message
        }
      }
      try { job.after?.(res, problem) } catch (e) { log(`${id}/${m.name}: after: ${e.message}`) }
      if (problem) {
        const e = (errors[m.name] ??= { count: 0, first: problem })
        e.count++
        if (e.count <= 2) log(`${id}/${m.name} round ${r}: ${problem}`)
      }
      const cpu = job.cpu && res && !problem ? job.cpu(res) : (res?.steps ?? []).reduce((a, x) => a + (x?.cpuMs ?? 0), 0)
      if (r >= warmup) samples.push({ member: m.name, round: r - warmup, ok: !problem, value, cpu, steps: res?.steps ?? [], extra, error: problem })
    }
  }
  return summarize(spec, samples, errors)
}

/** Medians per member (value, each step's wall/cpu/rss, extras) and median per-round ratios between members. */
export function summarize(spec, samples, errors = {}) {
  const names = spec.members.map((m) => m.name)
  const per = {}
  for (const n of names) {
    const ok = samples.filter((s) => s.member === n && s.ok)
    if (!ok.length) { per[n] = { n: 0, failed: samples.filter((s) => s.member === n).length }; continue }
    const nsteps = Math.max(...ok.map((s) => s.steps.length))
    const steps = []
    for (let i = 0; i < nsteps; i++) {
      const col = (k) => median(ok.map((s) => s.steps[i]?.[k]))
      steps.push({ wallMs: col('wallMs'), cpuMs: col('cpuMs'), rssMiB: col('rssMiB') })
    }
    const extras = {}
    for (const k of new Set(ok.flatMap((s) => Object.keys(s.extra ?? {})))) extras[k] = median(ok.map((s) => s.extra[k]))
    per[n] = {
      n: ok.length,
      failed: samples.filter((s) => s.member === n && !s.ok).length,
      value: median(ok.map((s) => s.value)),
      p25: quantile(ok.map((s) => s.value), 0.25),
      p75: quantile(ok.map((s) => s.value), 0.75),
      cpuMs: median(ok.map((s) => s.steps.reduce((a, x) => a + (x?.cpuMs ?? 0), 0))),
      rssMiB: median(ok.map((s) => Math.max(...s.steps.map((x) => x?.rssMiB ?? 0)))),
      steps,
      extras,
    }
  }
  const ratios = {}
  const cpuRatios = {}
  const rounds = new Set(samples.map((s) => s.round))
  for (const a of names) {
    for (const b of names) {
      if (a === b) continue
      const rs = []
      const cs = []
      for (const r of rounds) {
        const sa = samples.find((s) => s.member === a && s.round === r && s.ok)
        const sb = samples.find((s) => s.member === b && s.round === r && s.ok)
        if (sa && sb && sb.value > 0) rs.push(sa.value / sb.value)
        if (sa && sb && sb.cpu > 0) cs.push(sa.cpu / sb.cpu)
      }
      if (rs.length) ratios[`${a}/${b}`] = { median: median(rs), min: Math.min(...rs), max: Math.max(...rs), n: rs.length }
      if (cs.length) cpuRatios[`${a}/${b}`] = median(cs)
    }
  }
  // per-round differences to a reference member (start-up ladders: "what does this add to node -e 0")
  const diffs = {}
  const cpuDiffs = {}
  if (spec.ref) {
    for (const a of names) {
      const ds = []
      const cs = []
      for (const r of rounds) {
        const sa = samples.find((s) => s.member === a && s.round === r && s.ok)
        const sr = samples.find((s) => s.member === spec.ref && s.round === r && s.ok)
        if (sa && sr) { ds.push(sa.value - sr.value); cs.push(sa.cpu - sr.cpu) }
      }
      if (ds.length) { diffs[a] = median(ds); cpuDiffs[a] = median(cs) }
    }
  }
  return { id: spec.id, title: spec.title, ref: spec.ref, diffs, cpuDiffs, cpuRatios, unit: spec.unit ?? 'ms', stepNames: spec.stepNames, n: spec.n, level: spec.level, members: names, per, ratios, errors, samples }
}
