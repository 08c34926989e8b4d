#!/usr/bin/env node
// The `podnet` bin: runs the CLI straight from its TypeScript sources through tsx, so it works
// right after `npm ci` without a build.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src-main/cli/main.ts')
const write = (stream) => (text) => {
  if (text !== '') stream.write(text)
}
// exitCode rather than process.exit(): pending writes to a pipe must drain first.
process.exitCode = await main(process.argv.slice(2), {
  stdout: write(process.stdout),
  stderr: write(process.stderr)
})
