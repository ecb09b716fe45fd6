// Writes a demo bundle: `tsrun spec`'s default config on the busybox fixture, running a short script.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultBusyboxRootfsDir } from '../rootfs-fixtures/busybox'
import { defaultSpec } from '../src/spec'

const dir = process.argv[2]
if (!dir) throw new Error('usage: demo-bundle.ts DIR')
const s = defaultSpec({ rootless: false })
s.root = { path: defaultBusyboxRootfsDir, readonly: true }
s.process!.terminal = false
s.process!.args = ['sh', '-c', 'echo "hello from $(hostname): pid $$, $(id)"; echo "mounts:"; cat /proc/mounts | cut -d" " -f2,3 | head -8']
s.linux!.cgroupsPath = `/tsrun-demo/${process.pid}`
writeFileSync(join(dir, 'config.json'), JSON.stringify(s, null, 2))
