import { readFileSync } from 'node:fs'
import YAML from 'yaml'
import { scenarioSchema, type Scenario } from '../core/scenario/scenario.schema.ts'
import { labPlanFromScenario } from '../core/scenario/lab-plan.ts'
import { renderLabScript } from '../core/scenario/export-lab.ts'

/**
 * `podnet export-lab SCENARIO [--prefix P]`: print a bash script that builds the scenario's lab
 * from real network namespaces (`up`, `down`, `exec NAME CMD...`, `list`).
 *
 * Registration in the CLI's subcommand table (src-main/cli/main.ts, owned by the shell helper):
 *   'export-lab': exportLabCommand,
 */

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
}

export const EXPORT_LAB_USAGE = 'usage: podnet export-lab SCENARIO [--prefix P]\n'

function loadScenario(file: string): Scenario {
  const text = readFileSync(file, 'utf8')
  const parsed = scenarioSchema.safeParse(YAML.parse(text))
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`)
    throw new Error(lines.join('\n'))
  }
  return parsed.data
}

/** Returns the exit code: 0, 1 (bad scenario or prefix), 2 (usage). */
export function exportLabCommand(argv: readonly string[], io: CliIo): number {
  let prefix: string | undefined
  const rest: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--prefix') {
      prefix = argv[++i]
      if (prefix === undefined) {
        io.stderr('podnet export-lab: --prefix needs a value\n' + EXPORT_LAB_USAGE)
        return 2
      }
    } else if (a.startsWith('--prefix=')) prefix = a.slice('--prefix='.length)
    else if (a === '-h' || a === '--help') {
      io.stdout(EXPORT_LAB_USAGE)
      return 0
    } else if (a.startsWith('-')) {
      io.stderr(`podnet export-lab: unknown option ${a}\n` + EXPORT_LAB_USAGE)
      return 2
    } else rest.push(a)
  }
  if (rest.length !== 1) {
    io.stderr(EXPORT_LAB_USAGE)
    return 2
  }
  try {
    const scenario = loadScenario(rest[0]!)
    io.stdout(renderLabScript(labPlanFromScenario(scenario), prefix === undefined ? {} : { prefix }))
    return 0
  } catch (error) {
    io.stderr(`podnet export-lab: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}
