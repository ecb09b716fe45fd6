// Runs the conformance suite against tsrun and runc (serially, one ava file at a time) and writes
// the generated part of docs/spec-conformance.md: counts per section and a case × runtime table.
// The hand-written part of that file (deviations explained) is kept as it is.
//
//   node --import tsx oci-tests/conformance/report.ts [--runtime tsrun=PATH] [--runtime runc=PATH] [--no-write]
//
// Exit status: 0 when runc passes every case (its known deviations failing as declared) and the
// document was written; 1 otherwise. tsrun failures are reported, not fatal: they are the record.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const repo = resolve(__dirname, '..', '..')
const docPath = join(repo, 'docs', 'spec-conformance.md')
const outDir = join(repo, 'oci-tests', 'out')
const BEGIN = '<!-- BEGIN GENERATED: oci-tests/conformance/report.ts -->'
const END = '<!-- END GENERATED -->'
const DEVIATION = /\s*\[runc 1\.1 deviation: [^\]]*\]$/

export interface CaseResult {
  section: string
  title: string
  /** declared as a runc 1.1 deviation */
  deviation: boolean
  ok: boolean
  /** skipped (e.g. not root): reported as ok by TAP, counted as not passed here */
  skipped?: boolean
  /** first line of the failure, when not ok */
  why?: string
}

/** Parses ava's TAP output into one result per case. */
export function parseTap(tap: string): CaseResult[] {
  const lines = tap.split('\n')
  const results: CaseResult[] = []
  for (let i = 0; i < lines.length; i++) {
    const m = /^(ok|not ok) \d+ - (?:[\w-]+ › )?([\w-]+): (.*?)( # SKIP.*)?$/.exec(lines[i]!)
    if (!m) continue
    const [, status, section, rawTitle, skip] = m as unknown as [string, string, string, string, string | undefined]
    const rest = rawTitle.replace(/ \(skipped: [^)]*\)$/, '')
    const r: CaseResult = { section, title: rest.replace(DEVIATION, ''), deviation: DEVIATION.test(rest), ok: status === 'ok', skipped: skip !== undefined }
    if (!r.ok) r.why = failureSummary(lines, i + 1)
    results.push(r)
  }
  return results
}

/** A one-line summary of the YAML diagnostic block that follows a `not ok` line. */
function failureSummary(lines: string[], from: number): string {
  const block: string[] = []
  for (let j = from; j < lines.length && /^(\s|$)/.test(lines[j]!) && lines[j]!.trim() !== '...'; j++) block.push(lines[j]!)
  const text = block.join('\n')
  const section = (start: RegExp, stop: RegExp) => {
    const a = text.search(start)
    if (a < 0) return ''
    const rest = text.slice(a).replace(start, '')
    const b = rest.search(stop)
    return (b < 0 ? rest : rest.slice(0, b)).replace(/\s+/g, ' ').trim()
  }
  const details = section(/\n\s*details:/, /\n\s*message:/).replace(/'Difference \(- actual, \+ expected\):': \|[-\d]*/, '').replace(/␊/g, '')
  const message = section(/\n\s*message:\s*[>|]?-?/, /\n\s*at:/).replace(/^''$/, '')
  const err = /msg=\\?"([^"\\]*)/.exec(message)?.[1] ?? /msg="([^"]*)/.exec(message)?.[1]
  const parts = [message && !message.startsWith('run') && !message.startsWith('create') ? message : '', details, err ? `error: ${err}` : '']
  return parts.filter(Boolean).join(' — ')
    .replace(/␊|\\n|\\r/g, ' ').replace(/--- (stdout|stderr)/g, '').replace(/'Value is not `true`:': 'false'/, '')
    .replace(/\s+/g, ' ').replace(/ — $/, '').trim().slice(0, 240)
}

function runSuite(name: string, binary: string): { results: CaseResult[]; seconds: number } {
  const t0 = Date.now()
  const env: NodeJS.ProcessEnv = { ...process.env, TSRUN_TEST_RUNTIME: binary }
  delete env.NODE_EXTRA_CA_CERTS
  const r = spawnSync(join(repo, 'node_modules', '.bin', 'ava'), ['--serial', '--concurrency=1', '--tap', 'oci-tests/conformance/'], {
    cwd: repo, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000,
  })
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, `conformance-${name}.tap`), r.stdout)
  const results = parseTap(r.stdout)
  writeFileSync(join(outDir, `conformance-${name}.json`), JSON.stringify(results, null, 2))
  return { results, seconds: Math.round((Date.now() - t0) / 1000) }
}

interface Counts { cases: number; pass: number; fail: number; deviations: number }

function counts(results: CaseResult[], isRunc: boolean): Counts {
  const c: Counts = { cases: results.length, pass: 0, fail: 0, deviations: 0 }
  for (const r of results) {
    if (r.skipped) c.fail++
    else if (isRunc && r.deviation) r.ok ? c.deviations++ : c.fail++
    else r.ok ? c.pass++ : c.fail++
  }
  return c
}

const cell = (r: CaseResult | undefined, isRunc: boolean) => {
  if (!r) return 'n/a'
  if (r.skipped) return 'skipped'
  if (isRunc && r.deviation) return r.ok ? 'deviation (fails as declared)' : '**unexpectedly passes or errors**'
  return r.ok ? 'pass' : `**FAIL**${r.why ? `: ${r.why.replace(/\|/g, '\\|').replace(/`/g, "'")}` : ''}`
}

/** "runc version 1.1.5" / "tsrun version 0.1.0, commit 2946d20" from `--version`. */
export function versionLine(path: string): string {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } })
  const lines = (r.stdout ?? '').split('\n')
  const commit = lines.find((l) => l.startsWith('commit:'))?.replace('commit:', '').trim()
  return `${lines[0] ?? '?'}${commit && commit !== 'unknown' ? `, commit ${commit}` : ''}`
}

function render(runs: Array<{ name: string; path: string; results: CaseResult[]; seconds: number }>): string {
  const isRunc = (name: string) => name === 'runc'
  const sections = [...new Set(runs.flatMap((r) => r.results.map((c) => c.section)))]
  const out: string[] = [BEGIN, '']
  out.push(`Generated ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} on ${process.arch}, kernel ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}.`, '')
  out.push('| runtime | binary | cases | pass | fail | runc 1.1 deviations (declared, fail as expected) | time |', '|---|---|---|---|---|---|---|')
  for (const r of runs) {
    const c = counts(r.results, isRunc(r.name))
    out.push(`| ${r.name} | \`${r.path}\` (${versionLine(r.path)}) | ${c.cases} | ${c.pass} | ${c.fail} | ${isRunc(r.name) ? c.deviations : '—'} | ${r.seconds} s |`)
  }
  out.push('', '### Per section', '', `| section | cases | ${runs.map((r) => `${r.name} pass`).join(' | ')} |`, `|---|---|${runs.map(() => '---').join('|')}|`)
  for (const sec of sections) {
    const n = runs[0]!.results.filter((c) => c.section === sec).length
    out.push(`| ${sec} | ${n} | ${runs.map((r) => {
      const c = counts(r.results.filter((x) => x.section === sec), isRunc(r.name))
      return `${c.pass}${c.deviations ? ` (+${c.deviations} dev.)` : ''}`
    }).join(' | ')} |`)
  }
  out.push('', '### Every case', '', `| section | case | ${runs.map((r) => r.name).join(' | ')} |`, `|---|---|${runs.map(() => '---').join('|')}|`)
  const keys = [...new Map(runs.flatMap((r) => r.results.map((c) => [`${c.section}\u0000${c.title}`, c] as const))).values()]
  for (const k of keys) {
    const title = `${k.title}${k.deviation ? ' *(runc deviation)*' : ''}`.replace(/\|/g, '\\|')
    out.push(`| ${k.section} | ${title} | ${runs.map((r) => cell(r.results.find((c) => c.section === k.section && c.title === k.title), isRunc(r.name))).join(' | ')} |`)
  }
  out.push('', END)
  return out.join('\n')
}

function main(): number {
  const argv = process.argv.slice(2)
  const runtimes: Array<[string, string]> = []
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runtime') {
      const [name, path] = argv[++i]!.split('=') as [string, string]
      runtimes.push([name, resolve(path)])
    }
  }
  if (runtimes.length === 0) runtimes.push(['tsrun', join(repo, 'cmd', 'tsrun')], ['runc', '/usr/sbin/runc'])
  const runs = runtimes.filter(([, p]) => existsSync(p)).map(([name, path]) => {
    process.stderr.write(`conformance: ${name} (${path})...\n`)
    const r = runSuite(name, path)
    const c = counts(r.results, name === 'runc')
    process.stderr.write(`conformance: ${name}: ${c.cases} cases, ${c.pass} pass, ${c.fail} fail${name === 'runc' ? `, ${c.deviations} declared deviations` : ''} (${r.seconds} s)\n`)
    return { name, path, ...r }
  })
  if (!argv.includes('--no-write')) {
    const generated = render(runs)
    const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : `# OCI runtime-spec conformance\n\n${BEGIN}\n${END}\n`
    const at = doc.indexOf(BEGIN)
    const end = doc.indexOf(END)
    const next = at >= 0 && end > at ? doc.slice(0, at) + generated + doc.slice(end + END.length) : `${doc.trimEnd()}\n\n${generated}\n`
    writeFileSync(docPath, next)
    process.stderr.write(`conformance: wrote ${docPath}\n`)
  }
  const runc = runs.find((r) => r.name === 'runc')
  return runc && counts(runc.results, true).fail > 0 ? 1 : 0
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) process.exitCode = main()
