import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { parseScenario } from '../../src-main/core/scenario/parse-scenario.ts'
import { labShell, run } from '../core/shell-fixture.ts'

const BARE = readFileSync('test/fixtures/scenarios/two-bare-nodes.yaml', 'utf8')

test('cni.backend none builds nodes with only lo and eth0, and no flannel routes or rules', () => {
  const sh = labShell('two-bare-nodes')
  expect(
    run(sh, 'node-1', 'ip -br link')
      .stdout.split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ')[0])
  ).toEqual(['lo', 'eth0'])
  expect(run(sh, 'node-1', 'ip route').stdout).toBe(
    'default via 192.168.56.1 dev eth0 \n192.168.56.0/24 dev eth0 proto kernel scope link src 192.168.56.11 \n'
  )
  expect(run(sh, 'node-1', 'iptables-save').stdout).not.toContain('FLANNEL')
})

test('cni.backend none refuses a pod that would need a CNI, naming the fix', () => {
  const withPod = `${BARE}pods:\n  - name: web\n    node: node-1\n    containers: [{ name: app, app: sleep }]\n`
  const parsed = parseScenario(withPod, 'bare.yaml')
  expect(parsed.ok).toBe(false)
  if (parsed.ok) return
  expect(parsed.errors).toEqual([
    'bare.yaml: pods[0].hostNetwork: cni.backend none has no CNI to give a pod its own network; set hostNetwork: true'
  ])
  const hostNetwork = withPod.replace('node: node-1', 'node: node-1\n    hostNetwork: true')
  expect(parseScenario(hostNetwork, 'bare.yaml').ok).toBe(true)
})
