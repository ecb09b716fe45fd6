import type { ExecutionContext } from 'ava'
import { runSeccompFilter } from '../../../src/bpf/seccomp-data'
import { archInfo } from '../../../src/seccomp/arches'
import { type CompiledSeccomp, compileSeccompProgram, disassembleSeccomp } from '../../../src/seccomp/compile'
import { syscallNumber } from '../../../src/seccomp/syscalls'
import type { CompileOptions, SeccompConfig } from '../../../src/seccomp/types'
import { decodeVerdict, formatVerdict } from '../../../src/seccomp/verdict'

export interface Call {
  /** OCI arch name; default SCMP_ARCH_X86_64. */
  readonly arch?: string
  /** Syscall name (looked up in `arch`'s table) or number. */
  readonly sys: string | number
  readonly args?: readonly bigint[]
}

export function compile(cfg: SeccompConfig, hostArch = 'x64', options: CompileOptions = {}): CompiledSeccomp {
  return compileSeccompProgram(cfg, hostArch, options)
}

export function auditArch(arch: string): number {
  const info = archInfo(arch)
  if (!info) throw new Error(`no arch ${arch}`)
  return info.auditArch
}

export function nr(arch: string, sys: string | number): number {
  if (typeof sys === 'number') return sys
  const n = syscallNumber(arch, sys)
  if (n === undefined) throw new Error(`${sys} unknown on ${arch}`)
  return n
}

/** Run the compiled program over one call: the verdict text and the instructions executed. */
export function run(compiled: CompiledSeccomp, call: Call): { verdict: string; steps: number; trace: readonly number[] } {
  const arch = call.arch ?? 'SCMP_ARCH_X86_64'
  const result = runSeccompFilter(
    compiled.program,
    { nr: nr(arch, call.sys), arch: auditArch(arch), ...(call.args ? { args: call.args } : {}) },
    { littleEndian: compiled.littleEndian, trace: true },
  )
  return { verdict: formatVerdict(decodeVerdict(result.value)), steps: result.steps, trace: result.trace ?? [] }
}

function describe(call: Call): string {
  const args = call.args ? `(${call.args.map((a) => `0x${a.toString(16)}`).join(', ')})` : '()'
  return `${call.arch ?? 'SCMP_ARCH_X86_64'} ${String(call.sys)}${args}`
}

/** Assert a verdict; on failure the message shows the program with the executed path starred. */
export function expectVerdict(t: ExecutionContext, compiled: CompiledSeccomp, call: Call, expected: string): void {
  const { verdict, trace } = run(compiled, call)
  if (verdict === expected) {
    t.pass()
    return
  }
  t.fail(
    `${describe(call)}: expected ${expected}, got ${verdict}\n` +
      disassembleSeccomp(compiled.program, compiled.littleEndian, new Set(trace)),
  )
}
