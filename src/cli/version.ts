// `--version`: first line `tsrun version X` (go-runc parses the `<name> version` line), then spec.
import { PLAN_VERSION } from '../plan/ops'

declare const TSRUN_VERSION: string | undefined
declare const TSRUN_COMMIT: string | undefined

export function versionText(): string {
  const version = typeof TSRUN_VERSION === 'string' ? TSRUN_VERSION : '0.0.0-dev'
  const commit = typeof TSRUN_COMMIT === 'string' ? TSRUN_COMMIT : 'unknown'
  return `tsrun version ${version}\ncommit: ${commit}\nspec: 1.3.0\nnode: ${process.version}\nplan: ${PLAN_VERSION}\n`
}
