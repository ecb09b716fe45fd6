// Install a device policy on a cgroup2 directory: compile, load, attach, then detach the programs it replaces.
import { closeSync, constants, openSync } from 'node:fs'
import { disassembleEbpf } from '../../bpf/ebpf-disasm'
import { encodeEbpf } from '../../bpf/ebpf-insn'
import {
  BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI, BPF_PROG_TYPE_CGROUP_DEVICE, bpfProgAttach, bpfProgDetach, bpfProgGetFdById,
  bpfProgLoad, bpfProgQuery,
} from '../../sys/bpf'
import { CgroupError, fsErrorCode } from '../cgroup-error'
import type { DevicePolicy } from './policy'
import { deviceProgram } from './program'

/**
 * The new program is attached (BPF_F_ALLOW_MULTI) before the old ones are detached: in between both
 * apply and an access needs both to allow it, so an update never opens a gap. Programs attached to the
 * container's own cgroup are all ours (the container cannot attach programs without CAP_SYS_ADMIN on
 * the host).
 */
export function setDevicePolicyV2(dir: string, policy: DevicePolicy): void {
  const insns = deviceProgram(policy)
  let dirFd: number
  try {
    dirFd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY)
  } catch (err) {
    const code = fsErrorCode(err)
    throw new CgroupError(`cgroup: open ${dir}: ${code ?? String(err)}`, { code, path: dir, cause: err })
  }
  try {
    const old = bpfProgQuery(dirFd, BPF_CGROUP_DEVICE)
    let progFd: number
    try {
      progFd = bpfProgLoad(BPF_PROG_TYPE_CGROUP_DEVICE, encodeEbpf(insns), 'Apache', 'tsrun_devices')
    } catch (err) {
      const code = (err as { code?: string }).code
      throw new CgroupError(`cgroup: load the device filter: ${(err as Error).message}\n${disassembleEbpf(insns)}`, { code, path: dir, cause: err })
    }
    try {
      bpfProgAttach(dirFd, progFd, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI)
    } catch (err) {
      const code = (err as { code?: string }).code
      throw new CgroupError(`cgroup: attach the device filter to ${dir}: ${(err as Error).message}`, { code, path: dir, cause: err })
    } finally {
      closeSync(progFd)
    }
    for (const id of old) {
      const fd = bpfProgGetFdById(id)
      try {
        bpfProgDetach(dirFd, fd, BPF_CGROUP_DEVICE)
      } finally {
        closeSync(fd)
      }
    }
  } finally {
    closeSync(dirFd)
  }
}
