/** Syscall name → number for one ABI, as the kernel numbers it (x32 numbers include __X32_SYSCALL_BIT). */
export type SyscallTable = Readonly<Record<string, number>>
