// The bundled entry (dist/tsrun.js): run main and exit with its status.
import { main } from '../src/cli/main'

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`tsrun: internal error: ${e instanceof Error ? e.stack : String(e)}\n`)
    process.exit(1)
  },
)
