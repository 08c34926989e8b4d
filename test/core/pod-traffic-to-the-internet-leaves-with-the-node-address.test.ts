import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'

const scenario = (ipMasq = true): string => `
formatVersion: 1
id: egress
cluster:
  gateway: 192.168.56.1
  cni: { ipMasq: ${ipMasq} }
  seed: 7
nodes:
  - { name: node-1, ip: 192.168.56.11, podCIDR: 10.244.1.0/24 }
pods:
  - name: client
    node: node-1
    containers: [{ name: shell, app: sleep }]
externalHosts:
  - { name: example-com, ip: 203.0.113.10, internet: true, app: http, port: 80 }
`

describe('a pod calling a host on the internet', () => {
  test("goes out through flannel's MASQUERADE: the pod's address on its eth0, the node's beyond", () => {
    const shell = labShellFromYaml(scenario())
    const seen = (on: string): string => {
      run(shell, 'client', 'curl -s http://203.0.113.10/')
      return run(shell, on, 'tcpdump -nn -i eth0 -c 1 tcp').stdout
    }
    expect(run(shell, 'client', 'curl -s http://203.0.113.10/').stdout).toBe('example-com\n')
    expect(seen('client')).toMatch(/IP 10\.244\.1\.2\.\d+ > 203\.0\.113\.10\.80: Flags \[S\]/)
    expect(seen('node-1')).toMatch(/IP 192\.168\.56\.11\.\d+ > 203\.0\.113\.10\.80: Flags \[S\]/)
    expect(seen('example-com')).toMatch(/IP 192\.168\.56\.11\.\d+ > 203\.0\.113\.10\.80: Flags \[S\]/)
  })

  test('conntrack keeps both tuples, and the reply is un-SNATed back to the pod', () => {
    const shell = labShellFromYaml(scenario())
    run(shell, 'client', 'curl -s http://203.0.113.10/')
    expect(run(shell, 'node-1', 'conntrack -L -p tcp').stdout).toMatch(
      /src=10\.244\.1\.2 dst=203\.0\.113\.10 sport=\d+ dport=80 src=203\.0\.113\.10 dst=192\.168\.56\.11 sport=80 dport=\d+ \[ASSURED\]/
    )
    const trace = sendProbe(shell.lab, { proto: 'icmp', from: 'client', to: '203.0.113.10' })
    expect(trace.outcome.kind).toBe('reply')
    const nat = trace.hops.filter((h) => h.netns === 'node-1' && h.stage === 'netfilter' && h.detail)
    expect(nat.map((h) => JSON.stringify(h.detail))).toContainEqual(
      expect.stringContaining('"nat":{"kind":"MASQUERADE","to":"192.168.56.11"}')
    )
  })

  test("without --ip-masq the server answers the pod's address, and the gateway drops the answer", () => {
    const shell = labShellFromYaml(scenario(false))
    const trace = sendProbe(shell.lab, { proto: 'icmp', from: 'client', to: '203.0.113.10' })
    expect(trace.outcome).toEqual({ kind: 'no-reply' })
    expect(trace.hops.some((h) => h.netns === 'example-com' && h.stage === 'icmp-reply')).toBe(true)
    expect(trace.hops.filter((h) => h.drop)).toEqual([
      expect.objectContaining({ netns: 'gateway', drop: 'upstream-no-route' })
    ])
  })
})
