// Every config that containerd, docker, podman and CRI produced validates and plans; process files validate.
import test from 'ava'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { validateSpec } from '../../../src/spec'
import { planContainer } from '../../../src/plan/container'
import { encodePlan, decodePlan } from '../../../src/plan/codec'
import { compileSeccomp } from '../../../src/seccomp'
import { planOptions } from './plan-options'

const dir = process.env.TSRUN_CLIENT_CONFIGS ?? join(__dirname, '..', '..', '..', '..', 'shared', 'client-configs')
const configs = readdirSync(dir).filter((f) => /(create-config.*|cri-.*-config)\.json$/.test(f))

test('the client configs are there', (t) => { t.true(configs.length >= 6, configs.join(', ')) })

for (const f of configs) {
  test(`${f} validates, plans and encodes`, (t) => {
    const spec = validateSpec(JSON.parse(readFileSync(join(dir, f), 'utf8')))
    const seccomp = spec.linux?.seccomp ? compileSeccomp(spec.linux.seccomp, 'x64') : undefined
    const plan = planContainer(spec, planOptions({ seccomp }))
    const names = plan.ops.map((o) => o.op)
    t.is(names.filter((n) => n === 'CLONE').length, 1)
    t.true(names.indexOf('PIVOT_ROOT') > names.indexOf('OPEN_ROOT'))
    t.is(names.at(-1), 'EXEC')
    t.is(names.at(-2), 'WAIT_FIFO')
    if (seccomp) t.true(names.includes('SECCOMP'))
    t.deepEqual(decodePlan(encodePlan(plan.ops)), plan.ops)
  })
}
