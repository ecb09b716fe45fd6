// Logging as runc does it (logrus): `--log FILE`, `--log-format text|json`.
// Errors go to the log; when the log is not stderr the plain message is printed on stderr as well.
import { appendFileSync } from 'node:fs'

export type Level = 'debug' | 'info' | 'warning' | 'error'
export interface LogConfig { path?: string; format: 'text' | 'json'; debug: boolean }

// Shared through globalThis: the CLI entry configures it, verb bundles (separate copies of this module) use it.
const KEY = Symbol.for('tsrun.log.config')
const store = globalThis as unknown as Record<symbol, LogConfig | undefined>
const current = (): LogConfig => store[KEY] ?? { format: 'text', debug: false }

export function configureLog(c: LogConfig): void {
  store[KEY] = c
}

/** A logrus text value: quoted when it has spaces, quotes or is empty (as logrus does). */
function textValue(v: string): string {
  return /^[A-Za-z0-9\-._/@^+]+$/.test(v) ? v : JSON.stringify(v)
}

export function formatLine(level: Level, msg: string, format: 'text' | 'json', time = new Date()): string {
  const t = time.toISOString()
  if (format === 'json') return `${JSON.stringify({ level, msg, time: t })}\n`
  return `time="${t}" level=${level} msg=${textValue(msg)}\n`
}

function write(level: Level, msg: string): void {
  const config = current()
  const line = formatLine(level, msg, config.format)
  if (config.path) {
    try { appendFileSync(config.path, line) } catch { process.stderr.write(line) }
  } else process.stderr.write(line)
}

export const log = {
  debug(msg: string): void { if (current().debug) write('debug', msg) },
  info(msg: string): void { write('info', msg) },
  warn(msg: string): void { write('warning', msg) },
  /** A fatal error: to the log, and in plain text on stderr if the log is a file (runc fatalWithCode). */
  fatal(msg: string): void {
    write('error', msg)
    if (current().path) process.stderr.write(`${msg}\n`)
  },
}
