import { renderLabScript } from '../core/scenario/export-lab.ts'
import { labPlanFromLab } from '../core/scenario/plan-from-lab.ts'
import type { CliIo } from './io.ts'
import { loadLab } from './load-lab.ts'

/**
 * `podnet export-lab SCENARIO [--prefix P]`: print a bash script that builds the scenario's lab
 * (as the simulator built it, `setup:` lines applied) from real network namespaces:
 * `up`, `down`, `exec NAME CMD...`, `list`.
 */

export const EXPORT_LAB_USAGE = 'usage: podnet export-lab SCENARIO [--prefix P]\n'

/** Returns the exit code: 0, 1 (bad scenario, prefix or a lab that cannot be exported), 2 (usage). */
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
    } else if (a.startsWith('-') && a !== '-') {
      io.stderr(`podnet export-lab: unknown option ${a}\n` + EXPORT_LAB_USAGE)
      return 2
    } else rest.push(a)
  }
  if (rest.length !== 1) {
    io.stderr(EXPORT_LAB_USAGE)
    return 2
  }
  const loaded = loadLab(rest[0]!)
  if (!loaded.ok) {
    for (const e of loaded.errors) io.stderr(`${e}\n`)
    return 1
  }
  try {
    io.stdout(renderLabScript(labPlanFromLab(loaded.shell.lab), prefix === undefined ? {} : { prefix }))
    return 0
  } catch (error) {
    io.stderr(`podnet export-lab: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}
