import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { labShellFromYaml, run } from './shell-fixture.ts'

const FILE = 'test/fixtures/scenarios/two-node-kube-router-netpol.yaml'

/** The fixture with kube-router's pod on node-2 only: node-1's pods are not protected. */
const lab = labShellFromYaml(
  readFileSync(FILE, 'utf8')
    .replace('  networkPolicy: kube-router\n', '')
    .replace(
      '{ name: node-2, ip: 192.168.56.12, podCIDR: 10.244.2.0/24 }',
      '{ name: node-2, ip: 192.168.56.12, podCIDR: 10.244.2.0/24, networkPolicy: kube-router }'
    ),
  FILE
)

describe('kube-router on some nodes only', () => {
  it('enforces ingress for the pods on its node', () => {
    expect(run(lab, 'stranger', 'curl -sS -m 3 http://10.244.2.2:8080/').exitCode).toBe(7)
    expect(run(lab, 'client', 'curl -sS -m 3 http://10.244.2.2:8080/').exitCode).toBe(0)
  })

  it('leaves the egress policy of a pod on a node without it unenforced', () => {
    expect(run(lab, 'locked', 'curl -sS -m 3 http://10.244.2.3:8080/').exitCode).toBe(0)
  })

  it('writes its chains and sets on its own node only', () => {
    expect(run(lab, 'node-1', 'iptables-save -t filter').stdout).not.toMatch(
      /KUBE-ROUTER|KUBE-POD-FW|KUBE-NWPLCY/
    )
    expect(run(lab, 'node-1', 'ipset list').stdout).toBe('')
    expect(run(lab, 'node-2', 'iptables-save -t filter').stdout).toMatch(/KUBE-POD-FW-/)
  })
})
