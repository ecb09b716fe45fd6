// Every config a real client produced (containerd ctr and CRI, docker, podman) must validate.
import test from 'ava'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { validateProcess, validateResources, validateSpec } from '../../../src/spec'

// shared/ sits beside the repository checkout (also in CI).
const dir = process.env.TSRUN_CLIENT_CONFIGS ?? resolve(__dirname, '../../../../shared/client-configs')

const validators: [RegExp, (raw: unknown) => unknown][] = [
  [/-create-config.*\.json$|^cri-.*-config\.json$/, validateSpec],
  [/-exec-process.*\.json$/, (raw) => validateProcess(raw)],
  [/-update-resources\.json$/, (raw) => validateResources(raw)],
]

const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : []

test('client configs are present', (t) => {
  t.true(existsSync(dir), `no client configs at ${dir} (set TSRUN_CLIENT_CONFIGS)`)
  t.true(files.length >= 13, `only ${files.length} configs in ${dir}`)
})

for (const file of files) {
  test(`client config ${file} validates`, (t) => {
    const validator = validators.find(([pattern]) => pattern.test(file))
    if (validator === undefined) return t.fail(`no validator for ${file}`)
    const raw: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'))
    t.is(validator[1](raw), raw)
  })
}
