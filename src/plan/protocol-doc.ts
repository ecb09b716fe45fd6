// Renders docs/protocol.md from the op table and the message table (a unit test keeps the file current).
import { OPS, PLAN_VERSION } from './ops'
import { MESSAGES, PROTOCOL_VERSION } from '../init-protocol/messages'

export function renderProtocolDoc(): string {
  return [
    '# The tsrun ⇄ tsrun-init protocol',
    '',
    '<!-- Generated from src/plan/ops.ts and src/init-protocol/messages.ts by scripts/gen-header.ts. Do not edit. -->',
    '',
    'tsrun (Node) plans; `tsrun-init` (C, `native/`) executes. They talk over one `SOCK_SEQPACKET` socketpair: the helper gets',
    'its end as fd `3 + preserve-fds` and the flag `--sock N`. Every message is one datagram: `u32 type, u32 a, u32 b`, then a',
    `payload. Protocol version ${PROTOCOL_VERSION}, plan version ${PLAN_VERSION}; a helper that speaks another version answers`,
    '`ERROR(0xffffffff, its version)` and tsrun tells the user to rebuild.',
    '',
    '## Messages',
    '',
    '| message | code | from | a | b | payload | fds (SCM_RIGHTS) | answered by |',
    '|---|---|---|---|---|---|---|---|',
    ...MESSAGES.map((m) => `| ${m.name} | ${m.code} | ${m.from} | ${m.a} | ${m.b} | ${m.payload} | ${m.fds} | ${m.reply} |`),
    '',
    'A conversation for `create`: PLAN → (helper runs ops up to CLONE) → PID → (init) SYNC(setup) → tsrun writes id maps and',
    'joins the v1 cgroups → ACK → (init runs the rest) → READY → tsrun writes state.json and the pid file and exits. The init',
    'then blocks opening the exec fifo until `start`. A failure at any op is `ERROR(op index, errno)`, rendered as',
    '`op N (what): ERRNO: text` from the same plan.',
    '',
    '## Plan encoding',
    '',
    'Little-endian. `u32 version, u32 op count`, then per op `u32 code, u32 body length, fields in table order`. Field kinds:',
    '`u32`/`i32`/`fd` 4 bytes (fd = index into the SCM_RIGHTS fds, -1 = none); `u64` 8 bytes; `str` u32 length',
    '(0xffffffff = NULL), bytes, NUL; `strv` u32 count then strings; `bytes` u32 length, bytes; `u32v` u32 count, u32s.',
    '`tsrun-init --decode < plan` prints the same listing as `listPlan()` in TypeScript.',
    '',
    '## Ops',
    '',
    'Ops before CLONE run in the helper; ops after it run in the container init, strictly in order.',
    '',
    '| op | code | fields | what it does |',
    '|---|---|---|---|',
    ...OPS.map((o) => `| ${o.name} | ${o.code} | ${o.fields.map(([n, k]) => `${n}: ${k}`).join(', ') || '—'} | ${o.doc.replace(/\|/g, '\\|')} |`),
    '',
  ].join('\n')
}
