import type { ArgCondition } from './conditions'
import type { SyscallTable } from './tables/index'

/**
 * Some 32-bit ABIs (i386, s390, ppc, mips o32; also s390x and ppc64) reach the socket and SysV
 * IPC calls through a multiplexer as well as directly: socketcall(call, args) and
 * ipc(call, ...). A rule for `socket` must then also cover socketcall(SYS_SOCKET), or a
 * denied call would stay reachable. libseccomp does the same rewrite: the multiplexed rule
 * keeps the rule's other conditions and replaces any on argument 0 with the call number.
 *
 * tsrun compares the call number more strictly than libseccomp: socketcall's `int call` on
 * its low 32 bits, and ipc's on its low 16 bits (the kernel takes the upper 16 as a version),
 * so neither can be dodged with bits the kernel ignores.
 */

// linux/net.h SYS_*
const SOCKET_CALLS: Record<string, number> = {
  socket: 1, bind: 2, connect: 3, listen: 4, accept: 5, getsockname: 6, getpeername: 7, socketpair: 8, send: 9, recv: 10,
  sendto: 11, recvfrom: 12, shutdown: 13, setsockopt: 14, getsockopt: 15, sendmsg: 16, recvmsg: 17, accept4: 18,
  recvmmsg: 19, sendmmsg: 20,
}

// linux/ipc.h call numbers for ipc(2)
const IPC_CALLS: Record<string, number> = {
  semop: 1, semget: 2, semctl: 3, semtimedop: 4, msgsnd: 11, msgrcv: 12, msgget: 13, msgctl: 14,
  shmat: 21, shmdt: 22, shmget: 23, shmctl: 24,
}

export interface MultiplexedRule {
  readonly nr: number
  readonly conditions: readonly ArgCondition[]
}

/** The multiplexer rule a rule for `name` implies on this ABI, if any. */
export function multiplexedRule(table: SyscallTable, name: string, conditions: readonly ArgCondition[]): MultiplexedRule | undefined {
  const via = Object.hasOwn(SOCKET_CALLS, name)
    ? { mux: 'socketcall', call: SOCKET_CALLS[name] as number, mask: 0xffffffffn }
    : Object.hasOwn(IPC_CALLS, name)
      ? { mux: 'ipc', call: IPC_CALLS[name] as number, mask: 0xffffn }
      : undefined
  if (via === undefined || !Object.hasOwn(table, via.mux)) return undefined
  const callIs: ArgCondition = { index: 0, op: 'SCMP_CMP_MASKED_EQ', value: via.mask, valueTwo: BigInt(via.call) }
  return { nr: table[via.mux] as number, conditions: [callIs, ...conditions.filter((c) => c.index !== 0)] }
}
