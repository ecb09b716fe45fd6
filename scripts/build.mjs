// Build: generate the C header, compile the helper, bundle the CLI into dist/tsrun.js.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' })

run(process.execPath, ['--import', 'tsx', 'scripts/gen-header.ts'])
run('make', ['-s', '-C', 'native'])

let commit = 'unknown'
try { commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() } catch { /* no git */ }
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

rmSync(join(root, 'dist'), { recursive: true, force: true }) // stale bundles and their V8 code caches
mkdirSync(join(root, 'dist'), { recursive: true })
// The entry (argument parsing, dispatch) and one bundle per verb module in src/cli, loaded on demand:
// `state` and `--version` never parse the planner, seccomp tables or koffi bindings.
const verbs = ['create', 'run', 'start', 'state', 'kill', 'delete', 'list', 'spec', 'exec', 'ps', 'pause', 'update',
  'events', 'features', 'version', 'help', 'image', 'bundle']
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['koffi'],
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  // yargs is ESM and reads import.meta.url; in a CJS bundle that comes from __filename
  define: { TSRUN_VERSION: JSON.stringify(pkg.version), TSRUN_COMMIT: JSON.stringify(commit), 'import.meta.url': '__tsrun_import_meta_url' },
  banner: { js: 'var __tsrun_import_meta_url=require("url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
}
await build({ ...common, entryPoints: Object.fromEntries(verbs.map((v) => [v, join(root, 'src/cli', `${v}.ts`)])), outdir: join(root, 'dist') })
await build({ ...common, entryPoints: [join(root, 'cmd/tsrun.ts')], outfile: join(root, 'dist/tsrun.js'), banner: {} })
// the launcher runs this exact interpreter, whatever PATH the caller has
writeFileSync(join(root, 'dist/node-path'), `${process.execPath}\n`)
