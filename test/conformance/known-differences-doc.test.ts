import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { knownDifferences } from './conformance.ts'

const doc = readFileSync(new URL('./KNOWN-DIFFERENCES.md', import.meta.url), 'utf8')

/** The rows of the "Open differences" table: variant, host, command, why. */
function documentedRows(): string[][] {
  const section = doc.split('## Open differences')[1]!.split('\n## ')[0]!
  return section
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .slice(2)
    .map((l) =>
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim().replace(/^`|`$/g, ''))
    )
}

test('KNOWN-DIFFERENCES.md lists exactly the steps the conformance suites skip', () => {
  expect(documentedRows()).toEqual(knownDifferences.map((k) => [k.variant, k.on, k.run, k.why]))
})

test('KNOWN-DIFFERENCES.md says there are none only when nothing is skipped', () => {
  expect(doc.includes('None today')).toBe(knownDifferences.length === 0)
})
