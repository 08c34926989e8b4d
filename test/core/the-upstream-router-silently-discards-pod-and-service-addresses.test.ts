import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { fixtureLab, podIp, run } from './sim-lab.ts'

describe("the underlay's gateway, standing for the network beyond the nodes", () => {
  test('a pod packet that a node sends by its default route dies there, and no ICMP error comes back', () => {
    const lab = fixtureLab('two-node-vxlan')
    const web3 = podIp(lab, 'web-3')
    const subnet = web3.replace(/\.\d+$/, '.0/24')
    expect(run(lab, 'node-1', ['ip', 'route', 'del', subnet]).exitCode).toBe(0)
    const trace = sendProbe(lab, { proto: 'icmp', from: 'client', to: web3 })
    expect(trace.outcome).toEqual({ kind: 'no-reply' })
    expect(trace.hops.filter((h) => h.drop)).toEqual([
      expect.objectContaining({ netns: 'gateway', drop: 'upstream-no-route' })
    ])
    expect(trace.hops.some((h) => h.stage === 'icmp-error')).toBe(false)
  })
})
