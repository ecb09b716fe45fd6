// Generates native/plan-ops.h and docs/protocol.md from src/plan/ops.ts and src/init-protocol/messages.ts.
// Run by `npm run build`; unit tests check the committed files are current.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderHeader } from '../src/plan/header'
import { renderProtocolDoc } from '../src/plan/protocol-doc'

const repo = join(__dirname, '..')
writeFileSync(join(repo, 'native', 'plan-ops.h'), renderHeader())
writeFileSync(join(repo, 'docs', 'protocol.md'), renderProtocolDoc())
