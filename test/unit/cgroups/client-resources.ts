// linux.resources from the configs and update files real clients produced (../shared/client-configs).
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { LinuxResources } from '../../../src/spec/types-resources'

/** The shared client configs, as test/unit/spec finds them. */
export const CONFIGS = process.env.TSRUN_CLIENT_CONFIGS ?? resolve(__dirname, '../../../../shared/client-configs')

export function resourcesOf(file: string): LinuxResources {
  const json = JSON.parse(readFileSync(`${CONFIGS}/${file}`, 'utf8')) as { linux?: { resources?: LinuxResources } } & LinuxResources
  return file.endsWith('-update-resources.json') ? json : (json.linux?.resources ?? {})
}
