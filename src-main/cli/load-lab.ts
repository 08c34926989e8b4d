import { readFileSync } from 'node:fs'
import { buildLab } from '../core/scenario/build-lab.ts'
import { parseScenario } from '../core/scenario/parse-scenario.ts'
import { LabShell } from '../core/shell/lab-shell.ts'
import type { LabShellOptions } from '../core/shell/lab-shell.ts'

export type LoadedLab =
  { readonly ok: true; readonly shell: LabShell } | { readonly ok: false; readonly errors: readonly string[] }

/**
 * Read a scenario file, build its lab and apply its `setup:` lines: every subcommand that runs
 * something starts from the same state a learner's lesson would.
 */
export function loadLab(file: string, options: LabShellOptions = {}): LoadedLab {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return {
      ok: false,
      errors: [
        `${file}: cannot read: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code)}`
      ]
    }
  }
  const parsed = parseScenario(text, file)
  if (!parsed.ok) return { ok: false, errors: parsed.errors }
  const shell = new LabShell(buildLab(parsed.scenario), options)
  const problems = shell.applySetup()
  if (problems.length > 0) return { ok: false, errors: problems.map((p) => `${file}: ${p.text}`) }
  return { ok: true, shell }
}
