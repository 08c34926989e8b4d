import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { parseScenario } from '../../src-main/core/scenario/parse-scenario.ts'
import type { PositionedEntry } from '../../src-main/labs/protocol.ts'
import { SandboxRuntime } from '../../src-main/labs/sandbox-runtime.ts'

/**
 * A world is rebuilt from its journal (idle eviction, a replaced worker). A live terminal's
 * lines change the lab like any other, but its terminal is gone: a capture it left running
 * must not come back as a job of the world's other shells.
 */
test('a rebuilt sandbox keeps what a live terminal changed but not the capture it left running', () => {
  const file = 'test/fixtures/scenarios/two-node-vxlan.yaml'
  const parsed = parseScenario(readFileSync(file, 'utf8'), file)
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
  const terminal = '6f1c1d1e-0000-4000-8000-000000000001'
  const journal: PositionedEntry[] = [
    { position: 0, entry: { kind: 'exec', on: 'client', line: 'tcpdump -ni eth0 &', terminal } },
    { position: 1, entry: { kind: 'exec', on: 'client', line: 'ip link set lo down', terminal } }
  ]
  const runtime = new SandboxRuntime(
    { op: 'sandbox.open', labKey: 'k', scenario: parsed.scenario, origin: file, journal, nextPosition: 2 },
    () => undefined
  )
  expect(runtime.shell.lab.capture.listeners.size).toBe(0)
  const { result } = runtime.exec('client', 'curl -s 10.96.0.100; ip link show lo')
  expect(result.stdout).not.toContain('Flags')
  expect(result.stdout).toMatch(/^web-\d\n1: lo: <LOOPBACK> mtu 65536/)
})
