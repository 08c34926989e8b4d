/**
 * `podnet`: the headless face of the simulator (scripts/podnet.mjs runs this file through tsx,
 * so it works right after `npm ci`). Each subcommand lives in its own module and is listed in
 * SUBCOMMANDS; adding one is adding a row.
 */

import { checkScenarioCommand } from './check-scenario.ts'
import { execCommand } from './exec.ts'
import { exportLabCommand } from './export-lab.ts'
import type { CliIo, Subcommand } from './io.ts'
import { runCommand } from './run-script.ts'
import { traceCommand } from './trace.ts'

interface SubcommandEntry {
  readonly run: Subcommand
  /** One line for `podnet --help`. */
  readonly summary: string
}

export const SUBCOMMANDS: Readonly<Record<string, SubcommandEntry>> = {
  exec: { run: execCommand, summary: 'exec SCENARIO --on NAME -- CMD...   run a command on a node, pod, pod/container or host' },
  trace: { run: traceCommand, summary: 'trace SCENARIO --from NAME --to DEST  every hop of one probe [--proto icmp|tcp|udp] [--port N] [--json]' },
  run: { run: runCommand, summary: 'run SCENARIO SCRIPT                  run "NAME: command" lines in one lab, print a transcript' },
  'check-scenario': { run: checkScenarioCommand, summary: 'check-scenario FILE...               validate scenario files' },
  'export-lab': { run: exportLabCommand, summary: 'export-lab SCENARIO [--prefix P]     print a bash script building the lab from real namespaces' }
}

function usage(): string {
  const rows = Object.values(SUBCOMMANDS).map((s) => `  podnet ${s.summary}\n`)
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
