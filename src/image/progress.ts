// A progress line for long unpacks: on a terminal only, after the first second, at most ten updates a second.
export interface Progress {
  /** a layer starts: its index (1-based), the number of layers, its size as stored */
  layer(index: number, count: number, bytes: number): void
  /** bytes of the current layer read */
  bytes(n: number): void
  done(): void
}

export const silentProgress: Progress = { layer() {}, bytes() {}, done() {} }

/** Bytes as people read them: "500.0 kB" (decimal units, as docker prints sizes); `sep` goes between number and unit. */
export function humanBytes(n: number, sep = ' '): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let i = 0
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++ }
  return `${n.toFixed(i === 0 ? 0 : 1)}${sep}${units[i]}`
}

/** The text of the progress line (pure). */
export function progressLine(layer: number, layers: number, done: number, total: number, width = 30): string {
  const frac = total > 0 ? Math.min(1, done / total) : 0
  const filled = Math.round(frac * width)
  return `unpacking layer ${layer}/${layers} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${humanBytes(done)}/${humanBytes(total)}`
}

/** Progress on `out` (stderr) when it is a terminal and `quiet` is not set; silent otherwise. */
export function terminalProgress(out: NodeJS.WriteStream, quiet: boolean, delayMs = 1000): Progress {
  if (quiet || !out.isTTY) return silentProgress
  const start = Date.now()
  let last = 0, shown = false, layer = 0, layers = 0, done = 0, total = 0
  const draw = (force: boolean): void => {
    const now = Date.now()
    if (now - start < delayMs || (!force && now - last < 100)) return
    last = now
    shown = true
    out.write(`\r${progressLine(layer, layers, done, total)}\x1b[K`)
  }
  return {
    layer(i, n, bytes) { layer = i; layers = n; done = 0; total = bytes; draw(true) },
    bytes(n) { done += n; draw(false) },
    done() { if (shown) out.write('\r\x1b[K') },
  }
}
