import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { meetsTarget, type Figure, type FigureResult } from './figure.ts'

const benchDir = fileURLToPath(new URL('.', import.meta.url))

function parseOnly(argv: string[]): string | undefined {
  const i = argv.indexOf('--only')
  if (i === -1) return undefined
  const pattern = argv[i + 1]
  if (!pattern) throw new Error('--only needs a PATTERN, e.g. --only trace')
  return pattern
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function format(value: number): string {
  if (Math.abs(value) >= 100) return value.toFixed(0)
  if (Math.abs(value) >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

async function main(): Promise<void> {
  const only = parseOnly(process.argv.slice(2))
  const modules = readdirSync(benchDir)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort()
  const results: FigureResult[] = []
  const missed: string[] = []
  for (const file of modules) {
    const mod = (await import(pathToFileURL(join(benchDir, file)).href)) as { default: Figure[] }
    for (const figure of mod.default) {
      if (only && !figure.name.includes(only)) continue
      await figure.setup?.()
      const samples: number[] = []
      try {
        for (let i = 0; i < figure.runs; i++) samples.push(await figure.sample())
      } finally {
        await figure.teardown?.()
      }
      const value = median(samples)
      const met = meetsTarget(value, figure.target)
      const verdict =
        met === false
          ? '  ✗ MISSED'
          : met === undefined && figure.target !== 'none'
            ? '  (target not checked)'
            : ''
      console.log(`${figure.name}: ${format(value)} ${figure.unit} (target ${figure.target})${verdict}`)
      if (met === false)
        missed.push(`${figure.name}: ${format(value)} ${figure.unit}, target ${figure.target}`)
      for (const line of figure.details?.() ?? []) console.log(`    ${line}`)
      results.push({ name: figure.name, value, unit: figure.unit, target: figure.target, runs: figure.runs })
    }
  }
  if (results.length === 0) throw new Error(`no figure matches --only ${only ?? ''}`)
  if (missed.length > 0)
    console.log(`\n${missed.length} target(s) missed:\n${missed.map((m) => `  ✗ ${m}`).join('\n')}`)
  else console.log('\nevery checked target met')
  writeFileSync(join(benchDir, '..', 'bench-results.json'), JSON.stringify(results, null, 2) + '\n')
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
