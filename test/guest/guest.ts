// Runs a checks script as root on a pure cgroup v2 host: natively when this host is one, otherwise inside the
// throwaway guest of ../shared/tools/vm-run.sh (the repository is shared at the same path). The script prints one
// JSON line, check name → { ok, detail }. Asynchronous, so ava's worker stays responsive while the guest runs.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { probeCgroupHost } from '../../src/host/cgroups'

export const repo = join(__dirname, '..', '..')
const vmRun = process.env.TSRUN_VM_RUN ?? join(repo, '..', 'shared', 'tools', 'vm-run.sh')
const isRoot = process.getuid?.() === 0
export const native = isRoot && probeCgroupHost().mode === 'v2'
/** Why the guest checks cannot run here, or null. */
export const skipReason: string | null = !isRoot ? 'requires root' : native || existsSync(vmRun) ? null : `requires a pure v2 host or ${vmRun}`
export const qemuBackend = native || (process.env.VM_RUN_BACKEND ?? '').startsWith('qemu')

export interface CheckResults {
  [name: string]: { ok: boolean; detail: string }
}

/** Runs `script` (TypeScript, through tsx); resolves to its results or to a failure text. */
export function runChecks(script: string, seconds: number): Promise<{ results?: CheckResults; failure: string }> {
  const cmd = ['node', '--import', 'tsx', script]
  const [file, args] = native ? [cmd[0]!, cmd.slice(1)] : [vmRun, [`--timeout=${seconds}`, '--', ...cmd]]
  return new Promise((resolve) => {
    // UML unless asked otherwise: vm-run's "auto" would pick a slow first-use QEMU wherever /dev/kvm exists
    const env = { ...process.env, VM_RUN_BACKEND: process.env.VM_RUN_BACKEND ?? 'uml' }
    const child = spawn(file, args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = '', stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000)
    child.on('close', (status, signal) => {
      clearTimeout(timer)
      try {
        resolve({ results: JSON.parse(stdout.trim().split('\n').pop() ?? '') as CheckResults, failure: '' })
      } catch {
        resolve({ failure: `no results (status ${status ?? signal}): ${stdout.slice(-2000)}\n${stderr.slice(-2000)}` })
      }
    })
  })
}
