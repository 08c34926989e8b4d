import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { shellQuote } from '../core/shell/quote.ts'
import { describeToolElsewhere } from '../core/shell/shell.ts'
import { parseCli } from './args.ts'
import type { CliIo } from './io.ts'
import { loadLab } from './load-lab.ts'

export const EXEC_USAGE = `usage: podnet exec SCENARIO --on NAME -- COMMAND [ARG...]
  NAME is a node, pod, pod/container or external host of the scenario.
  One word after -- is run as a shell line (pipes, ;, && and for loops work):
    podnet exec lab.yaml --on client -- 'ping -c 1 10.244.2.2 | grep ttl'
  Several words are run as one command, each word one argument.
`

/** `podnet exec`: run one command line on a target of a freshly built lab. */
export function execCommand(argv: readonly string[], io: CliIo): number {
  const dash = argv.indexOf('--')
  const before = dash < 0 ? argv : argv.slice(0, dash)
  const command = dash < 0 ? [] : argv.slice(dash + 1)
  const p = parseCli(before, { on: { type: 'string' }, help: { type: 'boolean', short: 'h' } })
  if (!p.ok) return usage(io, p.message)
  if (p.values.help) {
    io.stdout(EXEC_USAGE)
    return 0
  }
  const [scenario, ...extra] = p.positionals
  if (scenario === undefined) return usage(io, 'missing SCENARIO')
  if (extra.length > 0) return usage(io, `unexpected argument '${extra[0] ?? ''}' (put the command after --)`)
  if (p.values.on === undefined) return usage(io, 'missing --on NAME')
  if (command.length === 0) return usage(io, 'missing the command after --')
  const loaded = loadLab(scenario, { writeFile: (path, data) => writeFileSync(resolve(path), data) })
  if (!loaded.ok) {
    io.stderr(loaded.errors.map((e) => `${e}\n`).join(''))
    return 2
  }
  const line = command.length === 1 ? (command[0] ?? '') : command.map(shellQuote).join(' ')
  const result = loaded.shell.run(p.values.on, line)
  if (!result) {
    io.stderr(
      `podnet exec: --on ${p.values.on}: no such node, pod, pod/container or external host (have: ${loaded.shell.targetNames().join(', ')})\n`
    )
    return 2
  }
  io.stdout(result.stdout)
  io.stderr(result.stderr)
  if (result.elsewhere) io.stderr(`podnet exec: note: ${describeToolElsewhere(result.elsewhere)}\n`)
  return result.exitCode
}

function usage(io: CliIo, what: string): number {
  io.stderr(`podnet exec: ${what}\n${EXEC_USAGE}`)
  return 2
}
