import type { Lab } from './lab.ts'

/**
 * A klog line as a component in a pod writes it (`E1207 09:00:01.000000       1 main.go:237] `)
 * at lab time `atMs`: severity, month and day, time to the microsecond, the PID (1 in the
 * container), the source line, then the message.
 */
export function klogLine(
  lab: Lab,
  severity: 'I' | 'W' | 'E',
  atMs: number,
  where: string,
  text: string
): string {
  const t = new Date(lab.clock.epochMs + atMs).toISOString()
  const stamp = `${t.slice(5, 7)}${t.slice(8, 10)} ${t.slice(11, 19)}.${t.slice(20, 23)}000`
  return `${severity}${stamp}       1 ${where}] ${text}`
}
