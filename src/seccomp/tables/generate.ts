/**
 * Regenerates the syscall tables in this folder: `npx tsx src/seccomp/tables/generate.ts`.
 *
 * Sources, best first:
 *  1. the kernel's UAPI headers installed by linux-libc-dev: asm/unistd_64.h, unistd_32.h and
 *     unistd_x32.h for x86_64, i386 and x32; asm-generic/unistd.h for aarch64 and riscv64,
 *     read through a small preprocessor with each architecture's __ARCH_WANT_* switches;
 *  2. libseccomp's own tables (through a throwaway C program linked with -lseccomp) for the
 *     architectures whose headers are not installed, and for names added after the headers;
 *  3. LATE_SYSCALLS below: the numbers Linux assigned to every architecture after the newest
 *     source on the build machine (since 5.1 new syscalls share one number on all of them).
 *
 * This script does I/O and runs a compiler; nothing imports it at run time.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const OUT_DIR = __dirname
const INCLUDE = '/usr/include'
const X32_SYSCALL_BIT = 0x40000000

/** Syscalls newer than linux-libc-dev 6.1 and libseccomp 2.5.4, from the kernel's syscall tables (Linux 6.17). */
const LATE_SYSCALLS: Record<string, number> = {
  cachestat: 451,
  fchmodat2: 452,
  map_shadow_stack: 453,
  futex_wake: 454,
  futex_wait: 455,
  futex_requeue: 456,
  statmount: 457,
  listmount: 458,
  lsm_get_self_attr: 459,
  lsm_set_self_attr: 460,
  lsm_list_modules: 461,
  mseal: 462,
  setxattrat: 463,
  getxattrat: 464,
  listxattrat: 465,
  removexattrat: 466,
  open_tree_attr: 467,
  file_getattr: 468,
  file_setattr: 469,
}

interface TableSpec {
  /** File and export name. */
  readonly name: string
  /** libseccomp's name for the ABI, used to fill gaps and for the arches without headers. */
  readonly libseccomp: string
  /** Added to LATE_SYSCALLS numbers (mips ABIs start at 4000/5000/6000, x32 sets its bit). */
  readonly lateBase: number
  readonly header?: { readonly file: string; readonly defines: Record<string, string> }
  readonly extra?: Record<string, number>
  /** LATE_SYSCALLS entries this ABI does not have. */
  readonly notLate?: readonly string[]
}

const GENERIC = `${INCLUDE}/asm-generic/unistd.h`
const TABLES: readonly TableSpec[] = [
  { name: 'x86_64', libseccomp: 'x86_64', lateBase: 0, header: { file: `${INCLUDE}/x86_64-linux-gnu/asm/unistd_64.h`, defines: {} } },
  { name: 'i386', libseccomp: 'x86', lateBase: 0, header: { file: `${INCLUDE}/x86_64-linux-gnu/asm/unistd_32.h`, defines: {} } },
  {
    name: 'x32',
    libseccomp: 'x32',
    lateBase: X32_SYSCALL_BIT,
    notLate: ['map_shadow_stack'], // "453 64 map_shadow_stack" in syscall_64.tbl: not an x32 call
    header: { file: `${INCLUDE}/x86_64-linux-gnu/asm/unistd_x32.h`, defines: { __X32_SYSCALL_BIT: String(X32_SYSCALL_BIT) } },
  },
  {
    name: 'aarch64',
    libseccomp: 'aarch64',
    lateBase: 0,
    // arch/arm64/include/uapi/asm/unistd.h
    header: {
      file: GENERIC,
      defines: {
        __BITS_PER_LONG: '64',
        __ARCH_WANT_RENAMEAT: '1',
        __ARCH_WANT_NEW_STAT: '1',
        __ARCH_WANT_SET_GET_RLIMIT: '1',
        __ARCH_WANT_TIME32_SYSCALLS: '1',
        __ARCH_WANT_SYS_CLONE3: '1',
        __ARCH_WANT_MEMFD_SECRET: '1',
      },
    },
  },
  {
    name: 'riscv64',
    libseccomp: 'riscv64',
    lateBase: 0,
    // arch/riscv/include/uapi/asm/unistd.h
    header: {
      file: GENERIC,
      defines: {
        __BITS_PER_LONG: '64',
        __ARCH_WANT_NEW_STAT: '1',
        __ARCH_WANT_SET_GET_RLIMIT: '1',
        __ARCH_WANT_SYS_CLONE3: '1',
        __ARCH_WANT_MEMFD_SECRET: '1',
      },
    },
    extra: { riscv_hwprobe: 258, riscv_flush_icache: 259 },
  },
  { name: 'arm', libseccomp: 'arm', lateBase: 0 },
  { name: 's390x', libseccomp: 's390x', lateBase: 0 },
  { name: 's390', libseccomp: 's390', lateBase: 0 },
  { name: 'ppc64', libseccomp: 'ppc64', lateBase: 0 },
  { name: 'ppc', libseccomp: 'ppc', lateBase: 0 },
  { name: 'mips', libseccomp: 'mips', lateBase: 4000 },
  { name: 'mips64', libseccomp: 'mips64', lateBase: 5000 },
  { name: 'mips64n32', libseccomp: 'mips64n32', lateBase: 6000 },
  { name: 'parisc', libseccomp: 'parisc', lateBase: 0 },
  { name: 'parisc64', libseccomp: 'parisc64', lateBase: 0 },
]

// ---- a preprocessor just big enough for the unistd headers ----

type Macros = Map<string, string>

function preprocess(text: string, predefined: Record<string, string>): Macros {
  const macros: Macros = new Map(Object.entries(predefined))
  const stack: { active: boolean; taken: boolean }[] = []
  const active = (): boolean => stack.every((s) => s.active)
  const lines = text.replace(/\\\n/g, ' ').split('\n')
  for (const raw of lines) {
    const line = raw.replace(/\/\*.*?\*\//g, '').trim()
    const m = /^#\s*(\w+)\s*(.*)$/.exec(line)
    if (!m) continue
    const [, directive, rest = ''] = m
    switch (directive) {
      case 'ifdef':
      case 'ifndef': {
        const on = macros.has(rest.trim()) === (directive === 'ifdef')
        stack.push({ active: on, taken: on })
        break
      }
      case 'if': {
        const on = active() && evaluate(rest, macros) !== 0
        stack.push({ active: on, taken: on })
        break
      }
      case 'elif': {
        const top = stack[stack.length - 1]
        if (!top) throw new Error('#elif without #if')
        top.active = !top.taken && evaluate(rest, macros) !== 0
        top.taken ||= top.active
        break
      }
      case 'else': {
        const top = stack[stack.length - 1]
        if (!top) throw new Error('#else without #if')
        top.active = !top.taken
        top.taken = true
        break
      }
      case 'endif':
        stack.pop()
        break
      case 'define': {
        if (!active()) break
        const d = /^(\w+)(\([^)]*\))?\s*(.*)$/.exec(rest)
        if (d && !d[2]) macros.set(d[1] as string, (d[3] ?? '').trim())
        break
      }
      case 'undef':
        if (active()) macros.delete(rest.trim())
        break
    }
  }
  return macros
}

function evaluate(expr: string, macros: Macros, depth = 0): number {
  if (depth > 20) throw new Error(`macro recursion in ${expr}`)
  const tokens = expr.match(/defined|\w+|&&|\|\||==|!=|[()!+\-<>]/g) ?? []
  let i = 0
  const peek = (): string | undefined => tokens[i]
  const next = (): string => {
    const t = tokens[i++]
    if (t === undefined) throw new Error(`unexpected end of ${expr}`)
    return t
  }
  const primary = (): number => {
    const t = next()
    if (t === '(') {
      const v = or()
      next()
      return v
    }
    if (t === '!') return primary() === 0 ? 1 : 0
    if (t === '-') return -primary()
    if (t === 'defined') {
      const paren = peek() === '('
      if (paren) next()
      const name = next()
      if (paren) next()
      return macros.has(name) ? 1 : 0
    }
    if (/^\d/.test(t)) return Number(t)
    const body = macros.get(t)
    return body === undefined || body === '' ? 0 : evaluate(body, macros, depth + 1)
  }
  const additive = (): number => {
    let v = primary()
    while (peek() === '+' || peek() === '-') v = next() === '+' ? v + primary() : v - primary()
    return v
  }
  const relational = (): number => {
    let v = additive()
    while (peek() === '<' || peek() === '>') v = (next() === '<' ? v < additive() : v > additive()) ? 1 : 0
    return v
  }
  const equality = (): number => {
    let v = relational()
    while (peek() === '==' || peek() === '!=') v = (next() === '==' ? v === relational() : v !== relational()) ? 1 : 0
    return v
  }
  const and = (): number => {
    let v = equality()
    while (peek() === '&&') {
      next()
      const r = equality()
      v = v !== 0 && r !== 0 ? 1 : 0
    }
    return v
  }
  const or = (): number => {
    let v = and()
    while (peek() === '||') {
      next()
      const r = and()
      v = v !== 0 || r !== 0 ? 1 : 0
    }
    return v
  }
  return or()
}

function fromHeader(file: string, defines: Record<string, string>): Map<string, number> {
  const macros = preprocess(readFileSync(file, 'utf8'), defines)
  const table = new Map<string, number>()
  for (const [macro, body] of macros) {
    if (!macro.startsWith('__NR_') || macro.startsWith('__NR3264_')) continue
    const name = macro.slice('__NR_'.length)
    if (name === 'syscalls' || name === 'arch_specific_syscall') continue
    table.set(name, evaluate(body, macros))
  }
  return table
}

// ---- libseccomp, through a small C program ----

const DUMP_C = `
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  static const long bases[] = {0, 4000, 5000, 6000, 0x40000000, 0x0f0000};
  for (int a = 1; a < argc; a++) {
    uint32_t token = seccomp_arch_resolve_name(argv[a]);
    if (token == 0) { fprintf(stderr, "libseccomp does not know %s\\n", argv[a]); return 1; }
    for (int b = 0; b < 6; b++) {
      for (long n = bases[b]; n < bases[b] + 1000; n++) {
        char *name = seccomp_syscall_resolve_num_arch(token, (int)n);
        if (name != NULL) { printf("%s %s %ld\\n", argv[a], name, n); free(name); }
      }
    }
  }
  return 0;
}
`

/** libseccomp name → table; `minimum` drops the numbers libseccomp also answers without the ABI's offset. */
function fromLibseccomp(specs: readonly TableSpec[]): Map<string, Map<string, number>> {
  const arches = specs.map((s) => s.libseccomp)
  const minimum = new Map(specs.map((s) => [s.libseccomp, s.lateBase]))
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-syscalls-'))
  try {
    writeFileSync(join(dir, 'dump.c'), DUMP_C)
    execFileSync('cc', ['-o', join(dir, 'dump'), join(dir, 'dump.c'), '-lseccomp'])
    const out = execFileSync(join(dir, 'dump'), arches, { encoding: 'utf8', maxBuffer: 64 << 20 })
    const tables = new Map<string, Map<string, number>>(arches.map((a) => [a, new Map()]))
    for (const line of out.split('\n')) {
      const [arch, name, nr] = line.split(' ')
      if (!arch || !name || !nr) continue
      const table = tables.get(arch) as Map<string, number>
      // x32 and mips: libseccomp also answers for the numbers without the ABI's offset
      if (Number(nr) < (minimum.get(arch) ?? 0)) continue
      if (!table.has(name)) table.set(name, Number(nr))
    }
    return tables
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function packageVersion(pkg: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim()
  } catch {
    return 'unknown'
  }
}

/** Add `name → nr` unless the name is known or the number is taken. */
function addIfFree(table: Map<string, number>, name: string, nr: number): boolean {
  if (table.has(name)) return false
  for (const used of table.values()) if (used === nr) return false
  table.set(name, nr)
  return true
}

function render(spec: TableSpec, table: Map<string, number>, sources: string[]): string {
  const entries = [...table].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
  const body = entries.map(([name, nr]) => `  ${/^\w+$/.test(name) ? name : JSON.stringify(name)}: ${nr},`).join('\n')
  return [
    '// Generated by src/seccomp/tables/generate.ts. Do not edit.',
    ...sources.map((s) => `// source: ${s}`),
    "import type { SyscallTable } from './syscall-table'",
    '',
    `export const ${spec.name}: SyscallTable = {`,
    body,
    '}',
    '',
  ].join('\n')
}

function main(): void {
  const libseccompVersion = packageVersion('libseccomp-dev')
  const headersVersion = packageVersion('linux-libc-dev')
  const libseccomp = fromLibseccomp(TABLES)
  for (const spec of TABLES) {
    const sources: string[] = []
    let table: Map<string, number>
    const fromLib = libseccomp.get(spec.libseccomp) ?? new Map<string, number>()
    if (spec.header) {
      table = fromHeader(spec.header.file, spec.header.defines)
      sources.push(`${spec.header.file} (linux-libc-dev ${headersVersion})`)
      const added = [...fromLib].filter(([name, nr]) => addIfFree(table, name, nr)).map(([name]) => name)
      if (added.length) sources.push(`libseccomp ${libseccompVersion} for ${added.join(', ')}`)
    } else {
      table = new Map(fromLib)
      sources.push(`libseccomp ${libseccompVersion}`)
    }
    for (const [name, nr] of Object.entries(spec.extra ?? {})) table.set(name, nr)
    const late = Object.entries(LATE_SYSCALLS)
      .filter(([name]) => !spec.notLate?.includes(name))
      .filter(([name, nr]) => addIfFree(table, name, spec.lateBase + nr))
    if (late.length) sources.push(`Linux 6.17 syscall tables for ${late.map(([n]) => n).join(', ')}`)
    writeFileSync(join(OUT_DIR, `${spec.name}.ts`), render(spec, table, sources))
    console.log(`${spec.name}: ${table.size} syscalls`)
  }
}

main()
