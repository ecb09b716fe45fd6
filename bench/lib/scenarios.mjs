// The scenarios of issue 8, each measured round-robin across the runtimes.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { measure, summarize } from './measure.mjs'
import { rtCall } from './env.mjs'
import { cbench, log, median, rotation, tail, tick } from './util.mjs'

const NODE_REF = 'node -e 0'

function nodeRef(ctx) {
  return { name: NODE_REF, crunNs: false, ref: true, argv: [ctx.node, '-e', '0'] }
}

export function versionScenario(ctx) {
  const { rounds, warmup } = ctx.plan
  return measure(ctx, {
    id: 'version', title: '`--version`', rounds, warmup,
    members: [...ctx.rts, nodeRef(ctx)],
    make: (m) => ({ steps: [m.ref ? m.argv : m.bare('--version')] }),
  })
}

export function stateMissingScenario(ctx) {
  const { rounds, warmup } = ctx.plan
  return measure(ctx, {
    id: 'state-missing', title: '`state` of a missing id (exit 1)', rounds, warmup,
    members: [...ctx.rts, nodeRef(ctx)],
    make: (m) => (m.ref ? { steps: [m.argv] } : { steps: [m.cmd('state', 'bench-missing')], expect: [1] }),
  })
}

/**
 * Can each runtime run the benchmark bundle at all? A runtime that cannot is dropped (runc, crun) or
 * stops the run (tsrun: a broken build would only produce a table of failures).
 */
export function preflight(ctx) {
  const ok = []
  for (const rt of ctx.rts) {
    const dir = ctx.world.bundle(rt.name, 'preflight', 'true')
    const err = join(ctx.world.tmp, 'logs', `${rt.name}-preflight.err`)
    const r = cbench(ctx.tools.cbench, [rt.cmd('run', '--bundle', dir, 'preflight')], { crunNs: rt.crunNs, err })
    if (r.steps[0].exit === 0) { ok.push(rt); continue }
    const why = `${rt.name} cannot run the benchmark bundle (exit ${r.steps[0].exit}): ${tail(err, 3)}`
    if (rt.name === 'tsrun') throw new Error(`${why}\n(is the build current and working? \`npm run build\`)`)
    log(`${why}: skipped`)
  }
  ctx.rts = ok
}

/** A long-running container per runtime (`run -d`, sleep) for state and exec; returns the ids per runtime. */
export function startServices(ctx) {
  const up = {}
  for (const rt of ctx.rts) {
    const dir = ctx.world.bundle(rt.name, 'svc', 'sleep')
    const code = rtCall(ctx.tools, rt, rt.cmd('run', '-d', '--bundle', dir, 'svc'), ctx.world.tmp)
    if (code !== 0) log(`${rt.name}: run -d svc failed (exit ${code}); state/exec scenarios skip it`)
    else up[rt.name] = 'svc'
  }
  return up
}

export function stopServices(ctx, up) {
  for (const rt of ctx.rts) if (up[rt.name]) rtCall(ctx.tools, rt, rt.cmd('delete', '-f', up[rt.name]), ctx.world.tmp)
}

export function stateRunningScenario(ctx, up) {
  const { rounds, warmup } = ctx.plan
  return measure(ctx, {
    id: 'state-running', title: '`state` of a running container', rounds, warmup,
    members: [...ctx.rts.filter((r) => up[r.name]), nodeRef(ctx)],
    make: (m) => ({ steps: [m.ref ? m.argv : m.cmd('state', up[m.name])] }),
  })
}

export function execScenario(ctx, up) {
  const { rounds, warmup } = ctx.plan
  return measure(ctx, {
    id: 'exec', title: '`exec <running> /bin/true`', rounds, warmup,
    members: ctx.rts.filter((r) => up[r.name]),
    make: (m) => ({ steps: [m.cmd('exec', up[m.name], '/bin/true')] }),
  })
}

const RUN_TITLES = {
  true: ['run', '`run /bin/true`'],
  podman: ['podman', '`run` with podman\'s config (mounts, masked/readonly paths, seccomp, rlimits)'],
  podmanNnp: ['podman-nnp', '`run` with podman\'s config + `noNewPrivileges: true`'],
}

export function runScenario(ctx, variant = 'true') {
  const { rounds, warmup } = ctx.plan
  const [id, title] = RUN_TITLES[variant]
  return measure(ctx, {
    id, title,
    rounds, warmup, members: ctx.rts,
    make: (m, r) => {
      const dir = ctx.world.bundle(m.name, id, variant)
      return { steps: [m.cmd('run', '--bundle', dir, `${id}-${r}`)] }
    },
  })
}

export function cycleScenario(ctx) {
  const { rounds, warmup } = ctx.plan
  return measure(ctx, {
    id: 'cycle', title: 'create / start / wait / delete (4 calls)', rounds, warmup, members: ctx.rts,
    stepNames: ['create', 'start', 'wait', 'delete'],
    make: (m, r) => {
      const dir = ctx.world.bundle(m.name, 'cycle', 'true')
      const id = `cycle-${r}`
      const pidFile = join(ctx.world.tmp, 'pids', `${m.name}-${id}`)
      return {
        steps: [m.cmd('create', '--pid-file', pidFile, '--bundle', dir, id), m.cmd('start', id), ['@wait', pidFile], m.cmd('delete', id)],
      }
    },
  })
}

/** ns per getppid() inside a container, without and with docker's default seccomp profile; `host` = no container. */
export async function seccompScenarios(ctx) {
  const { seccompRounds: rounds, seccompCalls: n } = ctx.plan
  const out = []
  for (const [variant, id, title] of [
    ['getppid', 'getppid-none', 'getppid() ns/call, no seccomp'],
    ['getppidDocker', 'getppid-docker', 'getppid() ns/call, docker default seccomp profile'],
  ]) {
    if (variant === 'getppidDocker' && !ctx.world.hasDocker) continue
    const host = { name: 'host', crunNs: false, ref: true }
    out.push(await measure(ctx, {
      id, title, unit: 'ns/call', rounds, warmup: 1, members: [...ctx.rts, host],
      make: (m, r) => {
        const outFile = join(ctx.world.tmp, 'out', `${id}-${m.name}-${r}.txt`)
        const steps = m.ref ? [[ctx.tools.getppid, String(n)]] : [m.cmd('run', '--bundle', ctx.world.bundle(m.name, id, variant, n), `${id}-${r}`)]
        return {
          steps, opts: { out: outFile },
          value: () => {
            const mm = /ns_per_call=([\d.]+)/.exec(readFileSync(outFile, 'utf8'))
            if (!mm) throw new Error(`no ns_per_call in ${outFile}`)
            return Number(mm[1])
          },
          extra: (res) => ({ runMs: res.steps[0].wallMs }),
        }
      },
    }))
  }
  return out
}

/** N containers (`run /bin/true`) started at once; value = wall until the last one is done. */
export async function concurrentScenarios(ctx) {
  const out = []
  for (const n of ctx.plan.concurrency) {
    const rounds = n >= 16 ? ctx.plan.concRounds16 : ctx.plan.concRounds
    out.push(await measure(ctx, {
      id: `concurrent-${n}`, title: `${n} × \`run /bin/true\` at once`, rounds, warmup: 1, members: ctx.rts, n,
      make: (m, r) => ({
        steps: Array.from({ length: n }, (_, i) => m.cmd('run', '--bundle', ctx.world.bundle(m.name, `par${i}`, 'true'), `par${n}-${r}-${i}`)),
        opts: { par: true },
        value: (res) => res.totalMs,
        extra: (res) => ({ perContainerMs: median(res.steps.map((s) => s.wallMs)), perSec: n / (res.totalMs / 1000) }),
      }),
    }))
  }
  return out
}

/**
 * Create time with 0, 100, 500 … created-but-not-started containers in the runtime's root (all three
 * runtimes are populated to the same level, then measured round-robin: create a probe container, delete it).
 */
/** The same runtime with a second, always empty state root (for same-round comparisons). */
function empty(rt) {
  const root = `${rt.root}-empty`
  rt.extraRoots = [root]
  return { ...rt, name: `${rt.name} (empty root)`, empty: true, root, cmd: (...args) => [rt.bin, '--root', root, ...args] }
}

export async function scaleScenario(ctx) {
  const levels = ctx.plan.scaleLevels
  const rounds = ctx.plan.scaleRounds
  const have = Object.fromEntries(ctx.rts.map((r) => [r.name, 0]))
  const populate = {} // rt → [{ at: count before, ms }]
  const populateFailures = {}
  const results = []
  const t0 = Date.now()
  for (const level of levels) {
    // populate round-robin in batches of 25 creates per runtime
    let b = 0
    while (ctx.rts.some((rt) => have[rt.name] < level)) {
      for (const rt of rotation(ctx.rts, b++)) {
        await tick()
        const k = Math.min(25, level - have[rt.name])
        if (k <= 0) continue
        const steps = []
        for (let i = 0; i < k; i++) {
          const idx = have[rt.name] + i
          steps.push(rt.cmd('create', '--bundle', ctx.world.bundle(rt.name, `pop${idx}`, 'true', undefined, 'pop'), `pop-${idx}`))
        }
        const errFile = join(ctx.world.tmp, 'logs', `populate-${rt.name}.err`)
        const res = cbench(ctx.tools.cbench, steps, { crunNs: rt.crunNs, err: errFile })
        res.steps.forEach((s, i) => {
          if (s.exit === 0) (populate[rt.name] ??= []).push({ at: have[rt.name] + i, ms: s.wallMs })
        })
        const fails = res.steps.filter((s) => s.exit !== 0).length
        if (fails) {
          log(`scale: ${rt.name}: ${fails} populate create(s) failed: ${tail(errFile, 2)}`)
          populateFailures[rt.name] = (populateFailures[rt.name] ?? 0) + fails
        }
        have[rt.name] += k
      }
    }
    log(`scale: ${level} containers per runtime (${((Date.now() - t0) / 1000).toFixed(0)} s)`)
    // each runtime twice per round: in its populated root (cgroups next to the populated ones) and in an
    // empty root (its own cgroup parent); the same-round ratio of the two is free of the machine's drift
    const members = [...ctx.rts, ...ctx.rts.map((rt) => empty(rt))]
    results.push(await measure(ctx, {
      id: `scale-${level}`, title: `create with ${level} existing containers`, rounds, warmup: 1, members, level,
      make: (m, r) => {
        const dir = ctx.world.bundle(m.name.replace(/ .*/, ''), m.empty ? 'probe-empty' : 'probe', 'true', undefined, m.empty ? 'empty' : 'pop')
        const id = `probe-${level}-${r}`
        return { steps: [m.cmd('create', '--bundle', dir, id), m.cmd('delete', '-f', id)], value: (res) => res.steps[0].wallMs, cpu: (res) => res.steps[0].cpuMs, extra: (res) => ({ deleteMs: res.steps[1].wallMs }) }
      },
    }))
  }
  // the populate curve: median create time per block of 100 existing containers
  const curve = {}
  for (const [rt, xs] of Object.entries(populate)) {
    const blocks = {}
    for (const x of xs) (blocks[Math.floor(x.at / 100) * 100] ??= []).push(x.ms)
    curve[rt] = Object.fromEntries(Object.entries(blocks).map(([k, v]) => [k, median(v)]))
  }
  return { levels: results, curve, populateFailures }
}

export { summarize, NODE_REF }
