import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseCli } from './args.ts'
import type { CliIo } from './io.ts'
import { loadLab } from './load-lab.ts'

export const RUN_USAGE = `usage: podnet run SCENARIO SCRIPT
  SCRIPT is a file, or - for standard input, with one "NAME: command line" per line
  (blank lines and lines starting with # are skipped). All lines run in one lab, in order,
  so traffic from one line shows up in tcpdump, conntrack -L or counters on a later one.
  Each output is printed under "### NAME: command (exit N)".
`

interface ScriptLine {
  readonly lineNo: number
  readonly on: string
  readonly command: string
}

/** `podnet run`: a transcript of several commands in one lab. */
export function runCommand(argv: readonly string[], io: CliIo): number {
  const p = parseCli(argv, { help: { type: 'boolean', short: 'h' } })
  if (!p.ok) return usage(io, p.message)
  if (p.values.help) {
    io.stdout(RUN_USAGE)
    return 0
  }
  const [scenario, script, ...extra] = p.positionals
  if (scenario === undefined) return usage(io, 'missing SCENARIO')
  if (script === undefined) return usage(io, 'missing SCRIPT (a file, or - for standard input)')
  if (extra.length > 0) return usage(io, `unexpected argument '${extra[0] ?? ''}'`)
  let text: string
  try {
    text = readFileSync(script === '-' ? 0 : script, 'utf8')
  } catch (e) {
    io.stderr(`podnet run: ${script}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`)
    return 2
  }
  const loaded = loadLab(scenario, { writeFile: (path, data) => writeFileSync(resolve(path), data) })
  if (!loaded.ok) {
    io.stderr(loaded.errors.map((e) => `${e}\n`).join(''))
    return 2
  }
  const shell = loaded.shell
  // Check the whole script before running any of it, so a typo on line 9 costs no half run.
  const lines: ScriptLine[] = []
  const problems: string[] = []
  const scriptName = script === '-' ? '(stdin)' : script
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#')) return
    const m = /^([^\s:]+):\s*(.*)$/.exec(trimmed)
    if (!m || (m[2] ?? '') === '') {
      problems.push(`${scriptName}:${i + 1}: expected "NAME: command", got: ${trimmed}`)
      return
    }
    const on = m[1] ?? ''
    if (!shell.session(on)) {
      problems.push(`${scriptName}:${i + 1}: no node, pod, pod/container or external host named "${on}"`)
      return
    }
    lines.push({ lineNo: i + 1, on, command: m[2] ?? '' })
  })
  if (problems.length > 0) {
    io.stderr(problems.map((e) => `podnet run: ${e}\n`).join(''))
    return 2
  }
  for (const line of lines) {
    const result = shell.run(line.on, line.command)
    if (!result) continue
    io.stdout(`### ${line.on}: ${line.command} (exit ${result.exitCode})\n`)
    // stdout and stderr interleaved as a terminal shows them, so the transcript reads in order.
    for (const chunk of result.chunks) io.stdout(chunk.text)
  }
  return 0
}

function usage(io: CliIo, what: string): number {
  io.stderr(`podnet run: ${what}\n${RUN_USAGE}`)
  return 2
}
