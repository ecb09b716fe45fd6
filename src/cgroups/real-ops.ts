// The kernel operations managers use outside tests.
import { mkdirCgroup, rmdirCgroup, type CgroupFsOps } from './cgroupfs'
import { setDevicePolicyV2 } from './devices/attach-v2'

export const realOps: CgroupFsOps = { mkdir: mkdirCgroup, rmdir: rmdirCgroup, setDevicePolicyV2 }
