import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import type { Trace } from '../../src-main/core/engine/trace.ts'
import type { Lab } from '../../src-main/core/kube/lab.ts'
import { fixtureLab } from './sim-lab.ts'

/**
 * A pod reaching its own Service (hairpin): both directions are rewritten by conntrack in
 * br_netfilter's PREROUTING and leave through the bridge they came in on, so the kernel bridges
 * them (br_nf_pre_routing_finish → bridged_dnat) instead of routing them. Captured in web-1's
 * namespace on Linux 6.18 (`tcpdump -nv -i eth0 tcp` while web-1 curls its own ClusterIP):
 *   10.244.1.1.5158 > 10.244.1.3.8080: Flags [S]       ttl 64
 *   10.96.0.110.80 > 10.244.1.3.35350: Flags [S.]      ttl 64
 */

function hairpinTrace(lab: Lab): Trace {
  for (let i = 0; i < 60; i++) {
    const t = sendProbe(lab, { proto: 'tcp', from: 'web-1', to: '10.96.0.100', port: 80 })
    if (t.servedBy === 'web-1') return t
  }
  throw new Error('60 connections and kube-proxy never picked web-1')
}

describe('hairpin through a ClusterIP', () => {
  test('the SYN-ACK reaches the pod un-DNATed, with ttl 64: the reply is bridged, not routed', () => {
    const t = hairpinTrace(fixtureLab('two-node-vxlan'))
    expect(t.outcome).toMatchObject({ kind: 'reply', from: '10.96.0.100', ttl: 64 })
    const replyHops = t.hops.filter((h) => h.leg === 'reply' && h.netns === 'node-1')
    expect(replyHops.some((h) => h.stage === 'ip-forward')).toBe(false)
    expect(replyHops.some((h) => h.stage === 'bridge-forward')).toBe(true)
  })

  test('the SYN arrives masqueraded to the bridge address, also with ttl 64', () => {
    const t = hairpinTrace(fixtureLab('two-node-vxlan'))
    const arrival = t.hops.find(
      (h) => h.leg === 'request' && h.netns === 'web-1' && h.stage === 'local-deliver'
    )
    expect(arrival?.before?.ip).toMatchObject({ src: '10.244.1.1', dst: '10.244.1.3', ttl: 64 })
  })

  test('a backend on the other node is still two routing hops away: the reply arrives with ttl 62', () => {
    const lab = fixtureLab('two-node-vxlan')
    for (let i = 0; i < 60; i++) {
      const t = sendProbe(lab, { proto: 'tcp', from: 'web-1', to: '10.96.0.100', port: 80 })
      if (t.servedBy !== 'web-3') continue
      expect(t.outcome).toMatchObject({ kind: 'reply', from: '10.96.0.100', ttl: 62 })
      return
    }
    throw new Error('60 connections and kube-proxy never picked web-3')
  })
})
