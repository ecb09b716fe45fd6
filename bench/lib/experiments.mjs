// Start-up experiments: what would a V8 code cache save on top of the build as it is, and how does the
// build compare with one single-file bundle? Runs copies (bench temp dir); nothing here changes tsrun.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { measure } from './measure.mjs'
import { BENCH_DIR, REPO } from './env.mjs'
import { log } from './util.mjs'
import { launcherFlags } from './phases.mjs'

/** A copy of the snapshot build (dist + links to the helper and node_modules) for one variant. */
function variantDir(ctx, name) {
  const dir = join(ctx.world.tmp, 'exp', name)
  mkdirSync(join(dir, 'native'), { recursive: true })
  symlinkSync(join(ctx.tsrunDir, 'native', 'build'), join(dir, 'native', 'build'))
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'))
  return dir
}

export async function startupExperiments(ctx, tsrun) {
  const node = ctx.node
  const flags = launcherFlags()
  const loader = join(BENCH_DIR, 'lib', 'cc-loader.cjs')
  const distFiles = readdirSync(join(ctx.tsrunDir, 'dist')).filter((f) => f.endsWith('.js'))
  const split = distFiles.length > 1

  const asBuilt = join(ctx.tsrunDir, 'dist', 'tsrun.js')
  const ccDir = variantDir(ctx, 'cc')
  execFileSync('cp', ['-a', join(ctx.tsrunDir, 'dist'), join(ccDir, 'dist')])
  const m = (name, argv) => ({ name, crunNs: false, argv })
  const fl = flags.join(' ')
  const members = [
    m('node -e 0', null),
    m(`as built (${split ? `${distFiles.length} files` : 'one file'}), node ${fl}`, [node, ...flags, asBuilt]),
    m('as built + V8 code cache', [node, ...flags, loader, join(ccDir, 'dist', 'tsrun.js')]),
  ]
  if (flags.length) {
    const ccDir2 = variantDir(ctx, 'cc-noflags')
    execFileSync('cp', ['-a', join(ctx.tsrunDir, 'dist'), join(ccDir2, 'dist')])
    members.push(m(`as built, without \`${fl}\``, [node, asBuilt]))
    members.push(m(`as built + code cache, without \`${fl}\``, [node, loader, join(ccDir2, 'dist', 'tsrun.js')]))
  }
  const out = {}
  const verbs = [
    ['state <missing>', () => ({ args: ['--root', tsrun.root, 'state', 'bench-missing'], expect: [1] })],
    ['--version', () => ({ args: ['--version'], expect: [0] })],
    ['create', (mm, r) => {
      const id = `exp-${mm.name.length}-${r}`.replace(/[^\w-]/g, '')
      return { args: ['--root', tsrun.root, 'create', '--bundle', ctx.world.bundle('tsrun', `exp-${members.indexOf(mm)}`, 'true'), id], cleanup: ['--root', tsrun.root, 'delete', '-f', id], expect: [0, 0] }
    }],
  ]
  for (const [id, job] of verbs) {
    out[id] = await measure(ctx, {
      id: `exp ${id}`, title: `experiments: ${id}`, rounds: ctx.plan.quick ? ctx.plan.rounds : Math.min(ctx.plan.rounds, 11), warmup: 2, members, ref: 'node -e 0',
      make: (mm, r) => {
        if (!mm.argv) return { steps: [[node, '-e', '0']], value: (res) => res.steps[0].wallMs, cpu: (res) => res.steps[0].cpuMs }
        const j = job(mm, r)
        const steps = [[...mm.argv, ...j.args]]
        if (j.cleanup) steps.push([...mm.argv, ...j.cleanup])
        return { steps, expect: j.expect, value: (res) => res.steps[0].wallMs, cpu: (res) => res.steps[0].cpuMs }
      },
    })
  }
  return {
    results: out, files: ctx.build.files,
    note: 'copies of the build under test; the code cache (`bench/lib/cc-loader.cjs`, vm.Script cachedData per file) is written by the warm-up runs; ' +
      'any non-default V8 flag (such as --stack-size) also makes node reject its built-in code cache for internal modules (child_process, net, stream…)',
  }
}
