#!/usr/bin/env node
// `npm run serve`: builds the app only when its sources changed since the last build, then runs
// the web host from TypeScript sources (via tsx), serving that build. --rebuild builds anyway;
// --no-build serves out/ as it is (tests that share one build must not rebuild it under each other).
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

register()
const { build, buildState } = await import('./build-freshness.ts')
const root = fileURLToPath(new URL('..', import.meta.url))

const buildFlags = ['--rebuild', '--no-build']
const args = process.argv.slice(2)
// serve-cli parses the rest strictly and knows nothing of building.
process.argv = [...process.argv.slice(0, 2), ...args.filter((arg) => !buildFlags.includes(arg))]

function ensureBuilt() {
  if (args.includes('--rebuild') && args.includes('--no-build')) {
    console.error('podnet serve: --rebuild and --no-build contradict each other; give one of them')
    process.exit(2)
  }
  if (args.includes('--no-build') || args.includes('--help') || args.includes('-h')) return
  const state = args.includes('--rebuild') ? { current: false, reason: '--rebuild given' } : buildState(root)
  if (state.current) {
    console.log('podnet serve: the build in out/ is current, serving it (--rebuild builds anyway).')
    return
  }
  console.log(`podnet serve: ${state.reason}, building…`)
  try {
    build(root)
  } catch (error) {
    console.error(`podnet serve: the build failed, so there is nothing new to serve: ${error.message}`)
    process.exit(1)
  }
}

ensureBuilt()
await import('../src-main/platform/web/serve-cli.ts')
