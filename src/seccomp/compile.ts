import { disassemble } from '../bpf/disassembler'
import { encodeProgram, type Instruction } from '../bpf/instruction'
import { BPF_MAXINSNS } from '../bpf/opcodes'
import { describeSeccompLoad, SECCOMP_DATA_SIZE } from '../bpf/seccomp-data'
import { validateProgram } from '../bpf/validate'
import { nativeArch } from './arches'
import { emitFilter } from './emitter'
import { filterFlags } from './flags'
import { buildPolicy, type SeccompPolicy } from './policy'
import { SeccompError } from './seccomp-error'
import type { CompileOptions, SeccompConfig, SeccompPlan } from './types'
import { describeReturn } from './verdict'

export interface CompiledSeccomp {
  readonly policy: SeccompPolicy
  readonly program: readonly Instruction[]
  /** Byte order of the host, for encoding and for running the program over seccomp_data. */
  readonly littleEndian: boolean
}

/** OCI `linux.seccomp` → policy → classic BPF instructions (checked as the kernel would). */
export function compileSeccompProgram(cfg: SeccompConfig, hostArch: string, options: CompileOptions = {}): CompiledSeccomp {
  const policy = buildPolicy(cfg, hostArch, options)
  const littleEndian = nativeArch(hostArch).littleEndian
  const program = emitFilter(policy, littleEndian)
  if (program.length > BPF_MAXINSNS) {
    throw new SeccompError('linux.seccomp', `the filter needs ${program.length} instructions; the kernel accepts at most ${BPF_MAXINSNS}`)
  }
  validateProgram(program, { dataLength: SECCOMP_DATA_SIZE, seccomp: true })
  return { policy, program, littleEndian }
}

/**
 * Compile `linux.seccomp` for a host whose Node `process.arch` is `hostArch` ("x64", "arm64", ...).
 * Throws SeccompError naming the offending OCI field.
 */
export function compileSeccomp(cfg: SeccompConfig, hostArch: string, options: CompileOptions = {}): SeccompPlan {
  const { policy, program, littleEndian } = compileSeccompProgram(cfg, hostArch, options)
  return {
    filter: encodeProgram(program, littleEndian),
    instructions: program.length,
    flags: filterFlags(cfg.flags, policy.notify),
    notify: policy.notify,
    ...(cfg.listenerPath !== undefined ? { listenerPath: cfg.listenerPath } : {}),
    ...(cfg.listenerMetadata !== undefined ? { listenerMetadata: cfg.listenerMetadata } : {}),
  }
}

/** A seccomp program as text, with seccomp_data fields and verdicts named. */
export function disassembleSeccomp(program: readonly Instruction[], littleEndian = true, highlight?: ReadonlySet<number>): string {
  return disassemble(program, {
    describeLoad: (k) => describeSeccompLoad(k, littleEndian),
    describeReturn,
    ...(highlight ? { highlight } : {}),
  })
}
