/** The OCI comparison operators (runtime-spec config-linux.md, libseccomp's SCMP_CMP_*). */
export const SECCOMP_OPERATORS = [
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
] as const
export type SeccompOperator = (typeof SECCOMP_OPERATORS)[number]

export function isOperator(name: string): name is SeccompOperator {
  return (SECCOMP_OPERATORS as readonly string[]).includes(name)
}

const U64_MAX = (1n << 64n) - 1n

/**
 * The meaning of a comparison on full unsigned 64-bit values: the reference the emitted
 * two-halves code is tested against. For MASKED_EQ, `value` is the mask and `valueTwo` the
 * expected result, as in libseccomp and runc.
 */
export function compareArg(op: SeccompOperator, arg: bigint, value: bigint, valueTwo: bigint): boolean {
  const a = arg & U64_MAX
  switch (op) {
    case 'SCMP_CMP_NE':
      return a !== value
    case 'SCMP_CMP_LT':
      return a < value
    case 'SCMP_CMP_LE':
      return a <= value
    case 'SCMP_CMP_EQ':
      return a === value
    case 'SCMP_CMP_GE':
      return a >= value
    case 'SCMP_CMP_GT':
      return a > value
    case 'SCMP_CMP_MASKED_EQ':
      return (a & value) === valueTwo
  }
}
