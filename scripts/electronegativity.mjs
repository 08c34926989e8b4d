// `npm run electronegativity`: Doyensec's Electronegativity (the scanner Electron's security
// checklist points to) over the main process's sources, with electronegativity.yml. Fails on any
// finding the file does not justify, on a justification that no longer matches a finding, and on
// a source file the scanner could not parse (its checks would silently not have run).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
/** @type {(options: object) => Promise<{errors: {file: string, message: string, tolerable: boolean}[], issues: Issue[]}>} */
const run = require('@doyensec/electronegativity')

/**
 * @typedef {{ id: string, file: string, location: { line: number, column: number },
 *   description: string, shortenedURL: string }} Issue
 * @typedef {{ check: string, file: string, line: string, reason: string }} Justified
 */

const config = parse(readFileSync(join(root, 'electronegativity.yml'), 'utf8'))
/** @type {Justified[]} */
const justified = config.justified ?? []
const electronVersion = JSON.parse(
  readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')
).version

const sourceLine = (file, line) => readFileSync(join(root, file), 'utf8').split('\n')[line - 1] ?? ''

/** The justification for a finding: same check and file, and its line holds the quoted code. */
function justificationOf(issue, file) {
  return justified.find(
    (j) => j.check === issue.id && j.file === file && sourceLine(file, issue.location.line).includes(j.line)
  )
}

const started = performance.now()
const { errors, issues } = await run({
  input: join(root, config.input),
  electronVersionOverride: electronVersion,
  excludeFromScan: (config.excludedChecks ?? []).map((c) => c.check),
  isRelative: false
})
const seconds = ((performance.now() - started) / 1000).toFixed(1)

const problems = []
for (const entry of [...(config.excludedChecks ?? []), ...justified])
  if (typeof entry.reason !== 'string' || entry.reason.trim() === '')
    problems.push(`electronegativity.yml lists ${entry.check} without a reason: say why, or fix the code`)
for (const error of errors.filter((e) => !e.tolerable))
  problems.push(`${relative(root, error.file)}: not scanned, the parser failed: ${error.message}`)

const used = new Set()
let justifiedCount = 0
for (const issue of issues) {
  const file = relative(root, issue.file)
  const justification = justificationOf(issue, file)
  if (justification) {
    used.add(justification)
    justifiedCount++
    continue
  }
  problems.push(
    `${issue.id} at ${file}:${issue.location.line}:${issue.location.column}: ${issue.description} (${issue.shortenedURL})`
  )
}
for (const j of justified.filter((j) => !used.has(j)))
  problems.push(
    `electronegativity.yml justifies ${j.check} in ${j.file} at "${j.line}", which is no longer found: remove it`
  )

console.log(
  `electronegativity on ${config.input} (Electron ${electronVersion}): ${issues.length} findings, ` +
    `${justifiedCount} justified in electronegativity.yml, ${problems.length} to fix, ${seconds} s`
)
for (const problem of problems) console.error(`  ✗ ${problem}`)
if (problems.length > 0) process.exitCode = 1
