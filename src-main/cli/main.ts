/**
 * `podnet`: the headless face of the simulator (scripts/podnet.mjs runs this file through tsx,
 * so it works right after `npm ci`). Each subcommand lives in its own module and is listed in
 * SUBCOMMANDS; adding one is adding a row.
 */

import { checkScenarioCommand } from './check-scenario.ts'
import { execCommand } from './exec.ts'
import { exportLabCommand } from './export-lab.ts'
import type { CliIo, Subcommand } from './io.ts'
import { lessonsCommand } from './lessons-check.ts'
import { runCommand } from './run-script.ts'
import { traceCommand } from './trace.ts'

interface SubcommandEntry {
  readonly run: Subcommand
  /** Arguments, for `podnet --help`. */
  readonly synopsis: string
  /** What it does, in a few words. */
  readonly summary: string
}

export const SUBCOMMANDS: Readonly<Record<string, SubcommandEntry>> = {
  exec: {
    run: execCommand,
    synopsis: 'SCENARIO --on NAME -- CMD...',
    summary: 'run a command on a node, pod, pod/container or external host'
  },
  trace: {
    run: traceCommand,
    synopsis: 'SCENARIO --from NAME --to DEST [--proto P] [--port N] [--json]',
    summary: 'every hop of one probe'
  },
  run: {
    run: runCommand,
    synopsis: 'SCENARIO SCRIPT',
    summary: 'run "NAME: command" lines in one lab, print a transcript'
  },
  'check-scenario': { run: checkScenarioCommand, synopsis: 'FILE...', summary: 'validate scenario files' },
  'export-lab': {
    run: exportLabCommand,
    synopsis: 'SCENARIO [--prefix P]',
    summary: 'print a bash script that builds the lab from real namespaces'
  },
  lessons: {
    run: lessonsCommand,
    synopsis: 'check|dev [DIR]',
    summary: 'validate the course (check), or keep re-checking it while you edit (dev)'
  }
}

function usage(): string {
  const rows = Object.entries(SUBCOMMANDS).map(
    ([name, s]) => `  podnet ${name} ${s.synopsis}\n      ${s.summary}\n`
  )
  return `usage: podnet COMMAND [ARGS...]\n\ncommands:\n${rows.join('')}\nRun "podnet COMMAND --help" for a command's options.\n`
}

/** Dispatch argv (without node and the script) to a subcommand; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined) {
    io.stderr(`podnet: missing COMMAND\n${usage()}`)
    return 2
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage())
    return 0
  }
  const entry = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined
  if (!entry) {
    io.stderr(`podnet: unknown command '${name}'\n${usage()}`)
    return 2
  }
  return entry.run(rest, io)
}
