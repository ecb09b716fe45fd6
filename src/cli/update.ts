import { readFileSync } from 'node:fs'
import { updateContainer } from '../runtime/cgroup-verbs'
import { validateResources, type LinuxResources } from '../spec'
import { TsrunError } from '../errors'
import { str } from './args'
import { exactArgs, type CliContext } from './context'

const num = (v: string, flag: string): number => {
  if (!/^-?\d+$/.test(v)) throw new TsrunError(`invalid value for --${flag}: ${v}`)
  return Number(v)
}

/** runc's discrete flags, mapped onto LinuxResources. */
const FLAGS: Record<string, (r: LinuxResources, v: string) => void> = {
  memory: (r, v) => { (r.memory ??= {}).limit = num(v, 'memory') },
  'memory-reservation': (r, v) => { (r.memory ??= {}).reservation = num(v, 'memory-reservation') },
  'memory-swap': (r, v) => { (r.memory ??= {}).swap = num(v, 'memory-swap') },
  'kernel-memory': (r, v) => { (r.memory ??= {}).kernel = num(v, 'kernel-memory') },
  'kernel-memory-tcp': (r, v) => { (r.memory ??= {}).kernelTCP = num(v, 'kernel-memory-tcp') },
  'cpu-shares': (r, v) => { (r.cpu ??= {}).shares = num(v, 'cpu-shares') },
  'cpu-period': (r, v) => { (r.cpu ??= {}).period = num(v, 'cpu-period') },
  'cpu-quota': (r, v) => { (r.cpu ??= {}).quota = num(v, 'cpu-quota') },
  'cpu-burst': (r, v) => { (r.cpu ??= {}).burst = num(v, 'cpu-burst') },
  'cpu-rt-period': (r, v) => { (r.cpu ??= {}).realtimePeriod = num(v, 'cpu-rt-period') },
  'cpu-rt-runtime': (r, v) => { (r.cpu ??= {}).realtimeRuntime = num(v, 'cpu-rt-runtime') },
  'cpu-idle': (r, v) => { (r.cpu ??= {}).idle = num(v, 'cpu-idle') },
  'cpuset-cpus': (r, v) => { (r.cpu ??= {}).cpus = v },
  'cpuset-mems': (r, v) => { (r.cpu ??= {}).mems = v },
  'pids-limit': (r, v) => { r.pids = { limit: num(v, 'pids-limit') } },
  'blkio-weight': (r, v) => { (r.blockIO ??= {}).weight = num(v, 'blkio-weight') },
}

export function update(ctx: CliContext): number {
  const [id] = exactArgs(ctx, 1)
  const file = str(ctx.flags.resources)
  let r: LinuxResources = {}
  if (file) {
    let raw: unknown
    try { raw = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8')) } catch (e) {
      throw new TsrunError(`unable to parse resources from ${file === '-' ? 'stdin' : file}: ${(e as Error).message}`)
    }
    r = validateResources(raw)
  }
  for (const [flag, set] of Object.entries(FLAGS)) {
    const v = str(ctx.flags[flag])
    if (v !== undefined) set(r, v)
  }
  for (const f of ['l3-cache-schema', 'mem-bw-schema']) if (ctx.flags[f] !== undefined) throw new TsrunError(`--${f}: Intel RDT is not supported by tsrun`)
  updateContainer(ctx.root, id!, r)
  return 0
}
