import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { expect, test } from 'vitest'
import { LabPool } from '../../src-main/labs/lab-pool.ts'
import type { SandboxOpen } from '../../src-main/labs/protocol.ts'
import { repoRoot } from '../e2e/harness.ts'
import { fixtureScenario } from '../core/sim-lab.ts'

// The desktop app starts the lab worker electron-vite bundles beside main.js; Electron itself
// cannot run here, so the same bundle runs under Node, which is what Electron's workers are.
const built = join(repoRoot, 'out', 'main', 'lab-worker.js')

test('the bundled lab worker (out/main/lab-worker.js) builds a lab and runs commands in it', async () => {
  expect(existsSync(built), `${built} is missing: npm test builds it first (npm run build)`).toBe(true)
  const pool = new LabPool({ size: 1, workerUrl: pathToFileURL(built) })
  try {
    const open: SandboxOpen = {
      op: 'sandbox.open',
      labKey: 'built',
      scenario: fixtureScenario('two-node-vxlan'),
      origin: 'two-node-vxlan.yaml',
      journal: [],
      nextPosition: 0
    }
    const reopen = () => ({ request: open, opened: () => undefined })
    await pool.call(open, reopen)
    const { result } = await pool.call(
      { op: 'sandbox.exec', labKey: 'built', on: 'client', line: 'ip route' },
      reopen
    )
    expect(result.stdout).toMatch(/^default via 10\.244\.1\.1 dev eth0/)
  } finally {
    await pool.destroy()
  }
})
