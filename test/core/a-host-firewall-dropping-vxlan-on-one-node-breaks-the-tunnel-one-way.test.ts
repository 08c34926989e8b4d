import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'

/** The reference cluster with node-2's host firewall refusing VXLAN from everyone. */
const firewalled = (): ReturnType<typeof labShellFromYaml> =>
  labShellFromYaml(
    readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8') +
      'setup:\n  - { on: node-2, run: iptables -A INPUT -p udp --dport 8472 -j DROP }\n'
  )

describe('iptables -A INPUT -p udp --dport 8472 -j DROP on node-2', () => {
  test('a request into node-2 reaches its eth0 and dies in INPUT on the rule, before flannel.1', () => {
    const lab = firewalled()
    const trace = sendProbe(lab.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2' })
    expect(trace.outcome.kind).toBe('no-reply')
    const drop = trace.hops.find((h) => h.drop)!
    expect(drop).toMatchObject({ netns: 'node-2', device: 'eth0', drop: 'netfilter-drop', leg: 'request' })
    const filter = trace.hops.filter((h) => h.stage === 'netfilter' && h.netns === 'node-2').at(-1)!
    expect(filter.detail).toMatchObject({ hook: 'INPUT', table: 'filter', verdict: 'DROP' })
    expect(JSON.stringify(filter.detail)).toContain('-A INPUT -p udp -m udp --dport 8472 -j DROP')
    expect(trace.hops.some((h) => h.netns === 'node-2' && h.device === 'flannel.1')).toBe(false)
  })

  test('node-2’s own request crosses to node-1; only the reply coming back is dropped', () => {
    const lab = firewalled()
    const trace = sendProbe(lab.lab, { proto: 'icmp', from: 'web-3', to: '10.244.1.2' })
    expect(
      trace.hops.some((h) => h.stage === 'local-deliver' && h.netns === 'client' && h.leg === 'request')
    ).toBe(true)
    expect(trace.hops.find((h) => h.drop)).toMatchObject({
      netns: 'node-2',
      drop: 'netfilter-drop',
      leg: 'reply'
    })
  })

  test('tcpdump on node-2 still sees the encapsulated SYNs arrive; the rule counts them', () => {
    const lab = firewalled()
    expect(run(lab, 'client', 'curl -m 2 10.244.2.2:8080')).toMatchObject({ exitCode: 28 })
    expect(run(lab, 'node-2', 'tcpdump -n -i eth0 udp port 8472').stdout).toMatch(
      /IP 192\.168\.56\.11\.\d+ > 192\.168\.56\.12\.8472: OTV, flags \[I\] \(0x08\), overlay 0, instance 1\nIP 10\.244\.1\.\d+\.\d+ > 10\.244\.2\.2\.8080: Flags \[S\]/
    )
    expect(run(lab, 'node-2', 'iptables -L INPUT -v -n').stdout).toMatch(
      /\n +2 +\d+ DROP +17 +-- +\* +\* +0\.0\.0\.0\/0 +0\.0\.0\.0\/0 +udp dpt:8472\n/
    )
  })
})
