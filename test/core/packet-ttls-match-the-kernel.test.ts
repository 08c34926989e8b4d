import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { fixtureLab, podIp } from './sim-lab.ts'

describe('ICMP echo TTLs seen by a pod (initial 64)', () => {
  test.each([
    ['two-node-vxlan', 'web-1', 64],
    ['two-node-vxlan', 'web-3', 62],
    ['two-node-host-gw', 'web-3', 62]
  ])('%s: client → %s arrives with ttl %i', (scenario, to, ttl) => {
    const lab = fixtureLab(scenario)
    const trace = sendProbe(lab, { proto: 'icmp', from: 'client', to: podIp(lab, to) })
    expect(trace.outcome).toEqual({ kind: 'reply', from: podIp(lab, to), ttl })
  })

  test('the other node answers with ttl 63 (one routing hop)', () => {
    const lab = fixtureLab('two-node-vxlan')
    expect(sendProbe(lab, { proto: 'icmp', from: 'client', to: '192.168.56.12' }).outcome).toMatchObject({
      kind: 'reply',
      ttl: 63
    })
  })

  test('the request crosses the VXLAN tunnel with node IPs outside, UDP 8472, VNI 1 and inner TTL 63', () => {
    const lab = fixtureLab('two-node-vxlan')
    const trace = sendProbe(lab, { proto: 'icmp', from: 'client', to: podIp(lab, 'web-3') })
    const encap = trace.hops.find((h) => h.stage === 'vxlan-encap' && h.leg === 'request')!
    expect(encap.after?.ip).toMatchObject({ src: '192.168.56.11', dst: '192.168.56.12', ttl: 64, df: false })
    expect(encap.after?.l4).toMatchObject({ kind: 'udp', dport: 8472 })
    expect(encap.after?.vxlan?.vni).toBe(1)
    expect(encap.after?.inner?.ip).toMatchObject({ src: '10.244.1.2', dst: '10.244.2.2', ttl: 63 })
    expect(trace.hops.some((h) => h.stage === 'vxlan-decap' && h.netns === 'node-2')).toBe(true)
  })
})

describe('MTU over VXLAN', () => {
  test('ping -M do -s 1422 fits the 1450 MTU; 1423 fails locally with EMSGSIZE', () => {
    const lab = fixtureLab('two-node-vxlan')
    const to = podIp(lab, 'web-3')
    expect(
      sendProbe(lab, { proto: 'icmp', from: 'client', to, size: 1422, dontFragment: true }).outcome.kind
    ).toBe('reply')
    expect(
      sendProbe(lab, { proto: 'icmp', from: 'client', to, size: 1423, dontFragment: true }).outcome
    ).toEqual({ kind: 'local-error', errno: 'EMSGSIZE', mtu: 1450 })
  })
})
