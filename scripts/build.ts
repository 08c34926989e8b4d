// `npm run build`: builds the app into out/ and records what it was built from, so that
// `npm run serve` can tell a current build from a stale one (build-freshness.ts).
import { fileURLToPath } from 'node:url'
import { build } from './build-freshness.ts'

try {
  build(fileURLToPath(new URL('..', import.meta.url)))
} catch (error) {
  console.error(`npm run build: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
