/**
 * A host kernel's message buffer, as `dmesg` reads it: only the lines the lab's own kernel model
 * writes, stamped with lab time as seconds since boot (the lab's nodes boot when the lab starts).
 */
export interface KernelLine {
  atMs: number
  text: string
}

export interface KernelLog {
  lines: KernelLine[]
  /** net_ratelimit()'s state: the start of the current 5 s window and what it let through. */
  window: { startMs: number; printed: number; missed: number }
}

/** net_ratelimit's defaults (net.core.message_cost = 5, net.core.message_burst = 10). */
const RATELIMIT_INTERVAL_MS = 5000
const RATELIMIT_BURST = 10

export function newKernelLog(): KernelLog {
  return { lines: [], window: { startMs: 0, printed: 0, missed: 0 } }
}

export function printk(log: KernelLog, nowMs: number, text: string): void {
  log.lines.push({ atMs: nowMs, text })
}

/**
 * net_warn_ratelimited: at most 10 lines per 5 s; the first line of a later window is preceded by
 * how many were suppressed in between (___ratelimit's "callbacks suppressed").
 */
export function printkNetRatelimited(log: KernelLog, nowMs: number, text: string): void {
  const w = log.window
  if (nowMs - w.startMs >= RATELIMIT_INTERVAL_MS || w.printed === 0) {
    if (w.missed > 0) printk(log, nowMs, `net_ratelimit: ${w.missed} callbacks suppressed`)
    log.window = { startMs: nowMs, printed: 0, missed: 0 }
  }
  if (log.window.printed >= RATELIMIT_BURST) {
    log.window.missed++
    return
  }
  log.window.printed++
  printk(log, nowMs, text)
}

/** One line as dmesg prints it by default: `[%5lu.%06lu] text`. */
export function formatKernelLine(line: KernelLine): string {
  const us = Math.floor(line.atMs * 1000)
  return `[${String(Math.floor(us / 1e6)).padStart(5)}.${String(us % 1e6).padStart(6, '0')}] ${line.text}`
}
