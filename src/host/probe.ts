// Kernel facts probed once per call and passed on as data.
import { readFileSync } from 'node:fs'

export interface HostFacts { capLastCap: number; arch: string }

export function probeHost(): HostFacts {
  let capLastCap = 40
  try { capLastCap = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim()) } catch { /* keep default */ }
  return { capLastCap, arch: process.arch }
}
