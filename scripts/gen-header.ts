// Generates native/plan-ops.h from src/plan/ops.ts and src/init-protocol/messages.ts.
// Run by `npm run build`; a unit test checks the committed header is current.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderHeader } from '../src/plan/header'

const out = join(__dirname, '..', 'native', 'plan-ops.h')
writeFileSync(out, renderHeader())
