// Text for ops: what `op 7 (mount proc on /proc): EPERM` says, and the dry-run listing.
import type { Op } from './ops'
import { OP_BY_NAME } from './ops'

/** A short human description of one op. */
export function describeOp(op: Op): string {
  switch (op.op) {
    case 'SETNS': return `join namespace (fd ${op.fd}, type 0x${op.nstype.toString(16)})`
    case 'UNSHARE': return `unshare 0x${op.flags.toString(16)}`
    case 'WRITE_FILE': return `write ${op.path}`
    case 'CLONE': return 'clone3 the container init'
    case 'SYNC': return 'wait for the runtime'
    case 'SETSID': return 'setsid'
    case 'MOUNT': return `mount ${op.fstype ?? op.source ?? 'none'} on ${op.target}`
    case 'OPEN_ROOT': return `open root ${op.path}`
    case 'MOUNT_IN_ROOT': return `mount ${op.fstype === 'bind' || op.fstype === null ? op.source : op.fstype} on ${op.dest}`
    case 'MKDIR_IN_ROOT': return `mkdir ${op.path}`
    case 'MKNOD_IN_ROOT': return `mknod ${op.path}`
    case 'SYMLINK_IN_ROOT': return `symlink ${op.path} -> ${op.target}`
    case 'PIVOT_ROOT': return `pivot_root ${op.path}`
    case 'MOVE_ROOT': return `move root ${op.path} (no pivot)`
    case 'SETHOSTNAME': return `sethostname ${op.name}`
    case 'SETDOMAINNAME': return `setdomainname ${op.name}`
    case 'SETRLIMIT': return `setrlimit ${op.resource} ${op.soft}/${op.hard}`
    case 'UMASK': return `umask ${op.mask.toString(8)}`
    case 'CAPS_BOUNDING': return 'drop bounding capabilities'
    case 'KEEPCAPS': return 'keep capabilities across setuid'
    case 'SETUSER': return `set user ${op.uid}:${op.gid}`
    case 'CAPSET': return 'set capabilities'
    case 'AMBIENT': return 'raise ambient capabilities'
    case 'NO_NEW_PRIVS': return 'set no_new_privs'
    case 'SECCOMP': return `load seccomp filter (${op.program.length / 8} instructions)`
    case 'CLOSE_FDS': return `close fds from ${op.from}`
    case 'LOOKUP_EXEC': return `find executable ${op.file}`
    case 'READY': return 'report ready'
    case 'WAIT_FIFO': return 'wait for start'
    case 'EXEC': return `exec ${op.args[0] ?? ''}`
    case 'READONLY_PATH': return `make ${op.path} read-only`
    case 'SET_DUMPABLE': return `set dumpable ${op.on}`
    case 'OPEN_PTY': return 'open the terminal'
    case 'MOUNT_SETATTR': return `set mount attributes on ${op.path}${op.recursive ? ' (recursive)' : ''}`
    case 'OPEN_TREE': return `open an idmapped copy of ${op.source}`
    case 'MOVE_TREE': return `move the idmapped copy onto ${op.dest}`
    case 'MOUNT_COPYUP': return `mount tmpfs on ${op.dest} with its contents copied up`
    case 'MASK_SHARED': return `mask ${op.path}`
    case 'SCHED_SETATTR': return `set scheduler policy ${op.policy}`
    case 'IOPRIO_SET': return `set I/O priority 0x${op.ioprio.toString(16)}`
    case 'SET_AFFINITY': return 'set CPU affinity'
    case 'PERSONALITY': return `set personality 0x${op.persona.toString(16)}`
    case 'SET_MEMPOLICY': return `set memory policy ${op.mode}`
    case 'CHDIR_IN_ROOT': return `chdir ${op.path}`
  }
}

function fieldText(v: unknown): string {
  if (typeof v === 'bigint') return `0x${v.toString(16)}`
  if (v instanceof Uint8Array) return `<${v.length} bytes>`
  return JSON.stringify(v)
}

/** One line per op, fields in table order: the dry-run output and the helper's --decode output. */
export function listPlan(ops: readonly Op[]): string {
  return ops.map((op, i) => {
    const spec = OP_BY_NAME.get(op.op)!
    const rec = op as unknown as Record<string, unknown>
    const fields = spec.fields.map(([name]) => `${name}=${fieldText(rec[name])}`)
    return [`${i}`, op.op, ...fields].join(' ')
  }).join('\n')
}
