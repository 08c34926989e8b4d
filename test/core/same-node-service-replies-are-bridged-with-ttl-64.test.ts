import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import type { Trace } from '../../src-main/core/engine/trace.ts'
import { fixtureLab } from './sim-lab.ts'

/**
 * client reaching its ClusterIP, answered by web-1 on the same node (not itself): the SYN,
 * addressed to cni0's MAC, is DNATed in br_netfilter's PREROUTING and, its new route leading
 * back out of cni0, bridged (bridged_dnat) rather than routed; web-1 answers client in its own
 * subnet, straight to client's MAC, and conntrack un-DNATs the bridged SYN-ACK. Neither
 * direction is routed, so both arrive with the sender's ttl 64.
 */
function sameNodeTrace(): Trace {
  const lab = fixtureLab('two-node-vxlan')
  for (let i = 0; i < 60; i++) {
    const t = sendProbe(lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 })
    if (t.servedBy === 'web-1') return t
  }
  throw new Error('60 connections and kube-proxy never picked web-1')
}

describe('a ClusterIP answered by another pod on the same node', () => {
  test('the SYN-ACK reaches the client un-DNATed with ttl 64', () => {
    expect(sameNodeTrace().outcome).toMatchObject({ kind: 'reply', from: '10.96.0.100', ttl: 64 })
  })

  test('neither direction takes a routing hop on node-1', () => {
    const t = sameNodeTrace()
    expect(t.hops.some((h) => h.netns === 'node-1' && h.stage === 'ip-forward')).toBe(false)
    const arrival = t.hops.find(
      (h) => h.leg === 'request' && h.netns === 'web-1' && h.stage === 'local-deliver'
    )
    expect(arrival?.before?.ip).toMatchObject({ src: '10.244.1.2', dst: '10.244.1.3', ttl: 64 })
  })
})
