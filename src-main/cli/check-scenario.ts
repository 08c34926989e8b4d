import { parseCli } from './args.ts'
import type { CliIo } from './io.ts'
import { loadLab } from './load-lab.ts'

export const CHECK_SCENARIO_USAGE = `usage: podnet check-scenario FILE...
  Validates each scenario (schema, references, addresses), builds its lab and runs its setup
  lines. Problems are printed as "file: path: reason"; the exit status is 1 if any file has one.
`

/** `podnet check-scenario`: what a scenario author runs before committing. */
export function checkScenarioCommand(argv: readonly string[], io: CliIo): number {
  const p = parseCli(argv, { help: { type: 'boolean', short: 'h' } })
  if (!p.ok) {
    io.stderr(`podnet check-scenario: ${p.message}\n${CHECK_SCENARIO_USAGE}`)
    return 2
  }
  if (p.values.help) {
    io.stdout(CHECK_SCENARIO_USAGE)
    return 0
  }
  if (p.positionals.length === 0) {
    io.stderr(`podnet check-scenario: missing FILE\n${CHECK_SCENARIO_USAGE}`)
    return 2
  }
  let failed = false
  for (const file of p.positionals) {
    const loaded = loadLab(file)
    if (!loaded.ok) {
      failed = true
      io.stderr(loaded.errors.map((e) => `${e}\n`).join(''))
      continue
    }
    const lab = loaded.shell.lab
    // What the file declares: the apiserver's Service is in every lab, not written by the author.
    const services = lab.services.filter((s) => !s.fixedEndpoints).length
    io.stdout(
      `${file}: ok (${lab.nodes.length} nodes, ${lab.pods.length} pods, ${services} services, ${lab.scenario.setup.length} setup lines)\n`
    )
  }
  return failed ? 1 : 0
}
