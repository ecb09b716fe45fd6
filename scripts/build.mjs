// Build: generate the C header, compile the helper, bundle the CLI into dist/tsrun.js.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
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

mkdirSync(join(root, 'dist'), { recursive: true })
await build({
  entryPoints: [join(root, 'cmd/tsrun.ts')],
  outfile: join(root, 'dist/tsrun.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['koffi'],
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  define: { TSRUN_VERSION: JSON.stringify(pkg.version), TSRUN_COMMIT: JSON.stringify(commit) },
  logLevel: 'warning',
})
// the launcher runs this exact interpreter, whatever PATH the caller has
writeFileSync(join(root, 'dist/node-path'), `${process.execPath}\n`)
