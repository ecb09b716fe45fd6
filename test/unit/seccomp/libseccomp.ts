/**
 * Differential testing against libseccomp: build the same OCI profile with libseccomp (through
 * fixtures/libseccomp-export.c, the way runc feeds it) and run both programs through our
 * interpreter over the same inputs.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeProgram, type Instruction } from '../../../src/bpf/instruction'
import { runSeccompFilter, type SeccompData } from '../../../src/bpf/seccomp-data'
import { actionReturn } from '../../../src/seccomp/actions'
import { nativeArch } from '../../../src/seccomp/arches'
import type { SeccompConfig } from '../../../src/seccomp/types'
import { decodeVerdict, formatVerdict } from '../../../src/seccomp/verdict'

const SOURCE = join(__dirname, 'fixtures', 'libseccomp-export.c')
const OPS: Record<string, number> = {
  SCMP_CMP_NE: 1, SCMP_CMP_LT: 2, SCMP_CMP_LE: 3, SCMP_CMP_EQ: 4, SCMP_CMP_GE: 5, SCMP_CMP_GT: 6, SCMP_CMP_MASKED_EQ: 7,
}

export type Exporter = { readonly ok: true; readonly run: (cfg: SeccompConfig, hostArch: string) => Instruction[] } | { readonly ok: false; readonly reason: string }

/** Compile the exporter once; the reason says what is missing when it cannot be built. */
export function libseccompExporter(): Exporter {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-libseccomp-'))
  const binary = join(dir, 'libseccomp-export')
  try {
    execFileSync('cc', ['-O1', '-o', binary, SOURCE, '-lseccomp'], { stdio: 'pipe' })
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    const detail = (error as { stderr?: Buffer }).stderr?.toString().split('\n')[0] ?? String(error)
    return { ok: false, reason: `requires a C compiler and libseccomp-dev (apt-get install -y libseccomp-dev): ${detail}` }
  }
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  return {
    ok: true,
    run: (cfg, hostArch) => {
      const out = execFileSync(binary, [], { input: describeForLibseccomp(cfg, hostArch), maxBuffer: 1 << 24 })
      return decodeProgram(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), nativeArch(hostArch).littleEndian)
    },
  }
}

/** The calls runc makes to libseccomp for this profile, as exporter input. */
export function describeForLibseccomp(cfg: SeccompConfig, hostArch: string): string {
  const def = actionReturn(cfg.defaultAction, cfg.defaultErrnoRet, 'defaultAction', 'defaultErrnoRet')
  const lines = [`default 0x${def.toString(16)}`, 'badarch 0x80000000']
  const native = nativeArch(hostArch).name
  for (const arch of cfg.architectures ?? []) {
    if (arch !== native) lines.push(`arch ${arch.replace('SCMP_ARCH_', '').toLowerCase()}`)
  }
  for (const rule of cfg.syscalls ?? []) {
    const action = actionReturn(rule.action, rule.errnoRet, 'action', 'errnoRet')
    if (action === def) continue // runc skips these; libseccomp would refuse them
    const conds = (rule.args ?? []).map((a) => `${a.index} ${OPS[a.op]} ${BigInt(a.value)} ${BigInt(a.valueTwo ?? 0)}`)
    for (const name of rule.names) lines.push(`rule 0x${action.toString(16)} ${name} ${conds.length} ${conds.join(' ')}`)
  }
  return `${lines.join('\n')}\n`
}

export interface Mismatch {
  readonly input: SeccompData
  readonly ours: string
  readonly theirs: string
}

export function compareVerdicts(ours: readonly Instruction[], theirs: readonly Instruction[], inputs: Iterable<SeccompData>, littleEndian = true): { compared: number; mismatches: Mismatch[] } {
  const mismatches: Mismatch[] = []
  let compared = 0
  for (const input of inputs) {
    compared++
    const a = formatVerdict(decodeVerdict(runSeccompFilter(ours, input, { littleEndian }).value))
    const b = formatVerdict(decodeVerdict(runSeccompFilter(theirs, input, { littleEndian }).value))
    if (a !== b) mismatches.push({ input, ours: a, theirs: b })
  }
  return { compared, mismatches }
}

export function formatMismatch(m: Mismatch): string {
  const args = (m.input.args ?? []).map((a) => `0x${a.toString(16)}`).join(', ')
  return `arch 0x${m.input.arch.toString(16)} nr ${m.input.nr >>> 0} (${args}): ours ${m.ours}, libseccomp ${m.theirs}`
}
