// Classic BPF. (The eBPF assembler in ebpf*.ts is a separate module; import it directly.)
export { Assembler, AssemblerError, Label, type JumpCondition } from './assembler'
export { disassemble, formatInstruction, type DisassembleOptions } from './disassembler'
export { encodeProgram, decodeProgram, stmt, jump, ja, INSTRUCTION_SIZE, type Instruction } from './instruction'
export { runFilter, BpfRuntimeError, type RunOptions, type RunResult } from './interpreter'
export { validateProgram, BpfValidationError, SECCOMP_OPCODES, type ValidateOptions } from './validate'
export {
  encodeSeccompData, runSeccompFilter, describeSeccompLoad, argWordOffset, SECCOMP_DATA_SIZE, type SeccompData,
} from './seccomp-data'
