import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import type { NetfilterDetail } from '../../src-main/core/engine/trace.ts'
import { fixtureLab, run } from './sim-lab.ts'

describe('iptables mode', () => {
  test('ping to a ClusterIP matches no rule and the upstream router, with no route for it, discards it silently', () => {
    const lab = fixtureLab('two-node-vxlan')
    const trace = sendProbe(lab, { proto: 'icmp', from: 'client', to: '10.96.0.100' })
    expect(trace.outcome).toEqual({ kind: 'no-reply' })
    expect(trace.hops.at(-1)).toMatchObject({ netns: 'gateway', stage: 'drop', drop: 'upstream-no-route' })
  })

  test('TCP to a ClusterIP is DNATed to a backend and the reply is un-DNATed', () => {
    const lab = fixtureLab('two-node-vxlan')
    const trace = sendProbe(lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 })
    expect(trace.outcome).toMatchObject({ kind: 'reply', from: '10.96.0.100' })
    expect(['web-1', 'web-2', 'web-3']).toContain(trace.servedBy)
    const dnat = trace.hops.find(
      (h) => h.stage === 'netfilter' && (h.detail as NetfilterDetail).nat?.kind === 'DNAT'
    )
    expect(dnat?.netns).toBe('node-1')
    const ct = run(lab, 'node-1', ['conntrack', '-L', '-p', 'tcp']).stdout
    expect(ct).toMatch(
      /^tcp {6}6 119 TIME_WAIT src=10\.244\.1\.2 dst=10\.96\.0\.100 sport=\d+ dport=80 src=10\.244\.\d\.\d dst=10\.244\.1\.2 sport=8080 dport=\d+ \[ASSURED\] mark=0 use=1$/m
    )
  })

  test('statistic random picks spread connections over all backends', () => {
    const lab = fixtureLab('two-node-vxlan')
    const served = new Set<string>()
    for (let i = 0; i < 30; i++)
      served.add(sendProbe(lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 }).servedBy ?? '')
    expect([...served].sort()).toEqual(['web-1', 'web-2', 'web-3'])
  })

  test('a Service without endpoints is refused at once by the node (port unreachable from cni0)', () => {
    const lab = fixtureLab('two-node-vxlan')
    const trace = sendProbe(lab, { proto: 'tcp', from: 'client', to: '10.96.0.200', port: 80 })
    expect(trace.outcome).toEqual({ kind: 'icmp-error', from: '10.244.1.1', type: 3, code: 3 })
  })

  test('a NodePort answers an external host', () => {
    const lab = fixtureLab('two-node-vxlan')
    expect(
      sendProbe(lab, { proto: 'tcp', from: 'laptop', to: '192.168.56.12', port: 30080 }).outcome
    ).toMatchObject({ kind: 'reply', from: '192.168.56.12' })
  })
})

describe('IPVS mode', () => {
  test('from 1.26 KUBE-IPVS-FILTER rejects ping to a ClusterIP', () => {
    const lab = fixtureLab('two-node-ipvs')
    expect(sendProbe(lab, { proto: 'icmp', from: 'client', to: '10.96.0.100' }).outcome).toEqual({
      kind: 'icmp-error',
      from: '10.96.0.100',
      type: 3,
      code: 3
    })
  })

  test('before 1.26 the node answers ping to a ClusterIP bound to kube-ipvs0', () => {
    const lab = fixtureLab('two-node-ipvs', (y) => y.replace('version: "1.31"', 'version: "1.25"'))
    expect(sendProbe(lab, { proto: 'icmp', from: 'client', to: '10.96.0.100' }).outcome).toMatchObject({
      kind: 'reply',
      from: '10.96.0.100',
      ttl: 64
    })
    expect(run(lab, 'node-1', ['ip', 'route', 'show', 'table', 'local']).stdout).toContain(
      'local 10.96.0.100 dev kube-ipvs0 proto kernel scope host src 10.96.0.100 \n'
    )
  })

  test('rr sends successive connections to successive real servers', () => {
    const lab = fixtureLab('two-node-ipvs')
    const served = [1, 2, 3].map(
      () => sendProbe(lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 }).servedBy
    )
    expect(served).toEqual(['web-1', 'web-2', 'web-3'])
    expect(run(lab, 'node-1', ['ipvsadm', '-Ln']).stdout).toContain(
      'TCP  10.96.0.100:80 rr\n  -> 10.244.1.3:8080              Masq    1      1          0         \n'
    )
  })
})

describe('nftables mode', () => {
  test('a ClusterIP port that is not a Service port is rejected from the pod gateway', () => {
    const lab = fixtureLab('two-node-nftables')
    expect(sendProbe(lab, { proto: 'icmp', from: 'client', to: '10.96.0.100' }).outcome).toEqual({
      kind: 'icmp-error',
      from: '10.244.1.1',
      type: 3,
      code: 3
    })
    expect(
      sendProbe(lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 }).outcome
    ).toMatchObject({ kind: 'reply' })
  })

  test('the node reaches a Service: cluster-ips-check runs after DNAT', () => {
    const lab = fixtureLab('two-node-nftables')
    expect(
      sendProbe(lab, { proto: 'tcp', from: 'node-1', to: '10.96.0.100', port: 80 }).outcome
    ).toMatchObject({ kind: 'reply' })
  })
})
