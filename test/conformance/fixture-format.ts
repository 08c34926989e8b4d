import type { Output } from './real-lab.ts'

/**
 * One captured command as a text file: where it ran, the command line, then stdout, stderr
 * and the exit code, each under its own marker, so a reader sees exactly what each stream held.
 */
export function formatFixture(
  host: string,
  hostKind: string,
  line: string,
  out: Output,
  note?: string
): string {
  const parts = [`# on: ${host} (${hostKind})`]
  if (note) parts.push(`# ${note}`)
  parts.push(
    `$ ${line}`,
    '--- stdout',
    out.stdout.replace(/\n?$/, ''),
    '--- stderr',
    out.stderr.replace(/\n?$/, ''),
    `--- exit ${out.exitCode}`
  )
  return parts.join('\n') + '\n'
}
