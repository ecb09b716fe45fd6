// Renders the C header shared with native/: op codes, field layouts, message codes, versions.
import { OPS, PLAN_VERSION, type FieldKind } from './ops'
import { MESSAGES, PROTOCOL_MAGIC, PROTOCOL_VERSION, OP_INDEX_PROTOCOL } from '../init-protocol/messages'

const KIND_LETTER: Record<FieldKind, string> = { u32: 'u', i32: 'i', u64: 'q', str: 's', strv: 'v', bytes: 'b', fd: 'f', u32v: 'a' }

export function renderHeader(): string {
  const lines = [
    '/* Generated from src/plan/ops.ts and src/init-protocol/messages.ts by scripts/gen-header.ts. Do not edit. */',
    '#ifndef TSRUN_PLAN_OPS_H',
    '#define TSRUN_PLAN_OPS_H',
    '',
    `#define TSRUN_PLAN_VERSION ${PLAN_VERSION}`,
    `#define TSRUN_PROTOCOL_VERSION ${PROTOCOL_VERSION}`,
    `#define TSRUN_PROTOCOL_MAGIC 0x${PROTOCOL_MAGIC.toString(16)}u`,
    `#define TSRUN_OP_INDEX_PROTOCOL 0x${OP_INDEX_PROTOCOL.toString(16)}u`,
    `#define TSRUN_MAX_FIELDS ${Math.max(...OPS.map((o) => o.fields.length))}`,
    `#define TSRUN_MAX_OP ${Math.max(...OPS.map((o) => o.code))}`,
    '',
    '/* messages: u32 type, u32 a, u32 b, payload */',
    ...MESSAGES.map((m) => `#define MSG_${m.name} ${m.code}`),
    '',
    'enum tsrun_op {',
    ...OPS.map((o) => `  OP_${o.name} = ${o.code},`),
    '};',
    '',
    '/* field indexes per op */',
    ...OPS.flatMap((o) => o.fields.map(([name], i) => `#define ${o.name}_${name.toUpperCase()} ${i}`)),
    '',
    '/* field kinds per op: u=u32 i=i32 q=u64 s=string v=string vector b=bytes f=fd index a=u32 vector */',
    'static const char *const tsrun_op_fields[TSRUN_MAX_OP + 1] = {',
    ...OPS.map((o) => `  [OP_${o.name}] = "${o.fields.map(([, k]) => KIND_LETTER[k]).join('')}",`),
    '};',
    '',
    'static const char *const tsrun_op_names[TSRUN_MAX_OP + 1] = {',
    ...OPS.map((o) => `  [OP_${o.name}] = "${o.name}",`),
    '};',
    '',
    'static const char *const tsrun_op_field_names[TSRUN_MAX_OP + 1][TSRUN_MAX_FIELDS ? TSRUN_MAX_FIELDS : 1] = {',
    ...OPS.map((o) => `  [OP_${o.name}] = {${o.fields.map(([n]) => `"${n}"`).join(', ')}},`),
    '};',
    '',
    '#endif',
    '',
  ]
  return lines.join('\n')
}
