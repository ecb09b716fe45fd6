// Start-up experiments on copies of the bundle built from the working tree (bench/out/exp/): what would
// dropping yargs from the bundle, or a V8 code cache, save on `state` and `--version`? Nothing here changes tsrun.
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { measure } from './measure.mjs'
import { BENCH_DIR, OUT_DIR, REPO } from './env.mjs'
import { log } from './util.mjs'
import { launcherFlags } from './phases.mjs'

async function buildVariants(dir) {
  const { build } = await import('esbuild')
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'))
  const common = {
    entryPoints: [join(REPO, 'cmd', 'tsrun.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs',
    minifyWhitespace: true, minifySyntax: true, legalComments: 'none', logLevel: 'silent',
    define: { TSRUN_VERSION: JSON.stringify(pkg.version), TSRUN_COMMIT: '"bench-exp"' },
  }
  const variants = {
    base: { external: ['koffi'] },
    noyargs: { external: ['koffi', 'yargs', 'yargs/*'] },
  }
  const sizes = {}
  for (const [name, extra] of Object.entries(variants)) {
    const r = await build({ ...common, ...extra, outfile: join(dir, `${name}.js`), metafile: true })
    sizes[name] = Object.values(r.metafile.outputs)[0].bytes
  }
  return sizes
}

export async function startupExperiments(ctx, tsrun) {
  const dir = join(OUT_DIR, 'exp')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  let sizes
  try {
    sizes = await buildVariants(dir)
  } catch (e) {
    log(`experiments: cannot bundle the working tree (${e.message.split('\n')[0]}); skipped`)
    return undefined
  }
  const node = ctx.node
  const flags = launcherFlags()
  const loader = join(BENCH_DIR, 'lib', 'cc-loader.cjs')
  const env = { TSRUN_INIT: join(ctx.tsrunDir, 'native', 'build', 'tsrun-init') }
  const m = (name, pre) => ({ name, crunNs: false, pre })
  const members = [
    m('node -e 0', null),
    m(`bundle as built (${(sizes.base / 1024).toFixed(0)} KiB)`, [join(dir, 'base.js')]),
    m(`yargs external (${(sizes.noyargs / 1024).toFixed(0)} KiB)`, [join(dir, 'noyargs.js')]),
    m('bundle + V8 code cache', [loader, join(dir, 'base.js')]),
    m('yargs external + code cache', [loader, join(dir, 'noyargs.js')]),
  ]
  const out = {}
  for (const [id, args, expect] of [['state <missing>', ['--root', tsrun.root, 'state', 'bench-missing'], [1]], ['--version', ['--version'], [0]]]) {
    out[id] = measure(ctx, {
      id: `exp ${id}`, title: `experiments: ${id}`, rounds: ctx.plan.rounds, warmup: 2, members, ref: 'node -e 0',
      make: (mm) => (mm.pre ? { steps: [[node, ...flags, ...mm.pre, ...args]], expect, opts: { env } } : { steps: [[node, ...flags, '-e', '0']] }),
    })
  }
  return { sizes, results: out, note: 'bundles built now from the working tree into bench/out/exp (same esbuild options as scripts/build.mjs); the code cache is written by the warm-up run' }
}
