// Start-up experiments: what would a V8 code cache save on top of the build as it is, and how does the
// build compare with one single-file bundle? Runs copies (bench temp dir); nothing here changes tsrun.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { measure } from './measure.mjs'
import { BENCH_DIR, REPO } from './env.mjs'
import { log } from './util.mjs'
import { launcherFlags } from './phases.mjs'

/** The pre-split layout: cmd/tsrun.ts as one CJS file (scripts/build.mjs's options), built now from the working tree. */
async function buildSingle(outfile) {
  const { build } = await import('esbuild')
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'))
  const r = await build({
    entryPoints: [join(REPO, 'cmd', 'tsrun.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
    external: ['koffi'], minifyWhitespace: true, minifySyntax: true, legalComments: 'none', logLevel: 'silent', metafile: true,
    define: { TSRUN_VERSION: JSON.stringify(pkg.version), TSRUN_COMMIT: '"bench-exp"', 'import.meta.url': '__tsrun_import_meta_url' },
    banner: { js: 'var __tsrun_import_meta_url=require("url").pathToFileURL(__filename).href;' },
  })
  return Object.values(r.metafile.outputs)[0].bytes
}

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
  const members = [
    m('node -e 0', null),
    m(`as built (${split ? `${distFiles.length} files` : 'one file'})`, [node, ...flags, asBuilt]),
    m('as built + V8 code cache', [node, ...flags, loader, join(ccDir, 'dist', 'tsrun.js')]),
  ]
  let singleBytes
  if (split) {
    const sDir = variantDir(ctx, 'single')
    try {
      singleBytes = await buildSingle(join(sDir, 'dist', 'tsrun.js'))
      members.push(m(`one-file bundle (${(singleBytes / 1024).toFixed(0)} KiB, pre-split layout)`, [node, ...flags, join(sDir, 'dist', 'tsrun.js')]))
    } catch (e) {
      log(`experiments: cannot build the one-file bundle (${e.message.split('\n')[0]}); variant skipped`)
    }
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
    out[id] = measure(ctx, {
      id: `exp ${id}`, title: `experiments: ${id}`, rounds: ctx.plan.quick ? ctx.plan.rounds : Math.min(ctx.plan.rounds, 11), warmup: 2, members, ref: 'node -e 0',
      make: (mm, r) => {
        if (!mm.argv) return { steps: [[node, ...flags, '-e', '0']], value: (res) => res.steps[0].wallMs, cpu: (res) => res.steps[0].cpuMs }
        const j = job(mm, r)
        const steps = [[...mm.argv, ...j.args]]
        if (j.cleanup) steps.push([...mm.argv, ...j.cleanup])
        return { steps, expect: j.expect, value: (res) => res.steps[0].wallMs, cpu: (res) => res.steps[0].cpuMs }
      },
    })
  }
  return {
    results: out, files: ctx.build.files,
    note: `copies of the build under test${singleBytes ? '; the one-file bundle is built now from the working tree' : ''}; ` +
      'the code cache (`bench/lib/cc-loader.cjs`, vm.Script cachedData per file) is written by the warm-up runs',
  }
}
