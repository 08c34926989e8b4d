import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
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

const fixtures = fileURLToPath(new URL('../fixtures/real/', import.meta.url))

/** The stored capture of a variant's step, read back from the format formatFixture writes. */
export function capturedFixture(id: string, slug: string): Output & { host: string; line: string } {
  const file = readdirSync(`${fixtures}${id}`).find((f) => f.endsWith(`-${slug}.txt`))
  if (!file) throw new Error(`no captured ${slug} for ${id}`)
  const text = readFileSync(`${fixtures}${id}/${file}`, 'utf8')
  const m =
    /^# on: (\S+) .*\n(?:#.*\n)*\$ (.*)\n--- stdout\n([\s\S]*?)\n?--- stderr\n([\s\S]*?)\n?--- exit (\d+)\n$/.exec(
      text
    )
  if (!m) throw new Error(`${file}: not in the fixture format`)
  const body = (s: string): string => (s === '' ? '' : s + '\n')
  return { host: m[1]!, line: m[2]!, stdout: body(m[3]!), stderr: body(m[4]!), exitCode: Number(m[5]) }
}
