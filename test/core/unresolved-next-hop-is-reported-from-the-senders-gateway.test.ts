import { describe, expect, test } from 'vitest'
import { sendProbe, sendTrace } from '../../src-main/core/engine/probe.ts'
import { fixtureLab, podIp, run } from './sim-lab.ts'

/**
 * Checked against real namespaces built by `podnet export-lab` (Linux 6.18, iputils 20221126):
 * after `ip neigh del 10.244.2.0 dev flannel.1` on node-1, a pod on node-1 pinging a pod on
 * node-2 prints `From 10.244.1.1 icmp_seq=1 Destination Host Unreachable` — icmp_send picks the
 * source of the route back to the pod (cni0), not flannel.1's 10.244.1.0.
 */
describe('a forwarding node that cannot resolve its next hop', () => {
  test('answers with host unreachable from the address facing the sender', () => {
    const lab = fixtureLab('two-node-vxlan')
    expect(run(lab, 'node-1', ['ip', 'neigh', 'del', '10.244.2.0', 'dev', 'flannel.1']).exitCode).toBe(0)
    const trace = sendProbe(lab, { proto: 'icmp', from: 'client', to: podIp(lab, 'web-3') })
    expect(trace.outcome).toEqual({ kind: 'icmp-error', from: '10.244.1.1', type: 3, code: 1 })
    expect(trace.hops.find((h) => h.drop)).toMatchObject({
      netns: 'node-1',
      device: 'flannel.1',
      drop: 'neigh-failed'
    })
  })

  test('leaves the neighbour FAILED, and a permanent entry brings the path back', () => {
    const lab = fixtureLab('two-node-vxlan')
    const mac = lab.nodes[1]!.vtepMac!
    run(lab, 'node-1', ['ip', 'neigh', 'del', '10.244.2.0', 'dev', 'flannel.1'])
    sendTrace(lab, { proto: 'icmp', from: 'client', to: podIp(lab, 'web-3') })
    expect(run(lab, 'node-1', ['ip', 'neigh', 'show', 'dev', 'flannel.1']).stdout).toBe(
      '10.244.2.0 FAILED \n'
    )
    expect(
      run(lab, 'node-1', [
        'ip',
        'neigh',
        'replace',
        '10.244.2.0',
        'lladdr',
        mac,
        'dev',
        'flannel.1',
        'nud',
        'permanent'
      ]).exitCode
    ).toBe(0)
    expect(sendProbe(lab, { proto: 'icmp', from: 'client', to: podIp(lab, 'web-3') }).outcome).toMatchObject({
      kind: 'reply',
      ttl: 62
    })
  })
})
