import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { deletePod } from '../../src-main/core/scenario/mutations.ts'
import { syncKubeProxy } from '../../src-main/core/kube/kube-proxy.ts'
import { syncWorkloads } from '../../src-main/core/kube/workloads.ts'
import { fixtureLab, outcomeByBackend, podIp, run } from './sim-lab.ts'

describe('mutations', () => {
  test("bridge-nf-call-iptables=0: a same-node backend's reply skips un-DNAT, so the connection never completes", () => {
    const lab = fixtureLab('two-node-vxlan', (y) =>
      y.replace('seed: 7', 'seed: 7\n  bridgeNfCallIptables: false')
    )
    const outcomes = outcomeByBackend(lab)
    expect(outcomes.get('web-1')).toBe('no-reply')
    expect(outcomes.get('web-2')).toBe('no-reply')
    expect(outcomes.get('web-3')).toBe('reply')
  })

  test('ip link set cni0 down removes its prefix route and pods lose the node', () => {
    const lab = fixtureLab('two-node-vxlan')
    expect(run(lab, 'node-1', ['ip', 'link', 'set', 'cni0', 'down']).exitCode).toBe(0)
    expect(run(lab, 'node-1', ['ip', 'route']).stdout).not.toContain('dev cni0')
    expect(sendProbe(lab, { proto: 'icmp', from: 'client', to: podIp(lab, 'web-3') }).outcome.kind).not.toBe(
      'reply'
    )
  })

  test('iptables -t nat -F removes the Service DNAT, so the ClusterIP connection goes to the gateway', () => {
    const lab = fixtureLab('two-node-vxlan')
    expect(run(lab, 'node-1', ['iptables', '-t', 'nat', '-F']).exitCode).toBe(0)
    expect(sendProbe(lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 }).outcome).toEqual({
      kind: 'no-reply'
    })
  })

  test('bridge fdb del of the remote VTEP breaks cross-node pod traffic at flannel.1', () => {
    const lab = fixtureLab('two-node-vxlan')
    const mac = lab.nodes[1]!.vtepMac!
    expect(run(lab, 'node-1', ['bridge', 'fdb', 'del', mac, 'dev', 'flannel.1']).exitCode).toBe(0)
    const trace = sendProbe(lab, { proto: 'icmp', from: 'client', to: podIp(lab, 'web-3') })
    expect(trace.hops.find((h) => h.stage === 'drop')).toMatchObject({
      netns: 'node-1',
      device: 'flannel.1',
      drop: 'vxlan-no-fdb'
    })
  })

  test('hairpin off: a pod reaching its own Service through the bridge is dropped when DNAT picks itself', () => {
    const lab = fixtureLab('two-node-vxlan')
    const veth = lab.pods.find((p) => p.name === 'web-1')!.hostVeth!
    expect(run(lab, 'node-1', ['bridge', 'link', 'set', 'dev', veth, 'hairpin', 'off']).exitCode).toBe(0)
    const drops = new Set<string>()
    for (let i = 0; i < 30; i++) {
      const t = sendProbe(lab, { proto: 'tcp', from: 'web-1', to: '10.96.0.100', port: 80 })
      for (const h of t.hops) if (h.drop) drops.add(h.drop)
    }
    expect(drops).toContain('hairpin-off')
  })

  test('kubectl delete pod: the replacement gets the next address and kube-proxy rewrites the endpoint', () => {
    const lab = fixtureLab('two-node-vxlan')
    expect(podIp(lab, 'web-1')).toBe('10.244.1.3')
    expect(deletePod(lab, 'default', 'web-1')).toEqual({ ok: true, pods: ['web-1'] })
    expect(podIp(lab, 'web-1')).toBe('10.244.1.5')
    const nat = run(lab, 'node-2', ['iptables-save', '-t', 'nat']).stdout
    expect(nat).toContain('DNAT --to-destination 10.244.1.5:8080')
    expect(nat).not.toContain('10.244.1.3')
  })

  test('a scaled Deployment adds replicas on the least loaded node and they become endpoints', () => {
    const lab = fixtureLab('two-node-deployment')
    lab.deployments[0]!.replicas = 4
    syncWorkloads(lab)
    syncKubeProxy(lab)
    const added = lab.pods.filter((p) => p.owner !== undefined).at(-1)!
    expect(added.node).toBe('node-1')
    const nat = run(lab, 'node-2', ['iptables-save', '-t', 'nat']).stdout
    expect(nat).toContain(`"default/web:http -> ${podIp(lab, added.name)}:8080"`)
    expect(nat).toContain('-m statistic --mode random --probability 0.25000000000')
  })

  test('sysctl -w net.ipv4.ip_forward=0 on a node stops cross-node pod traffic there', () => {
    const lab = fixtureLab('two-node-vxlan')
    expect(run(lab, 'node-1', ['sysctl', '-w', 'net.ipv4.ip_forward=0']).stdout).toBe(
      'net.ipv4.ip_forward = 0\n'
    )
    const trace = sendProbe(lab, { proto: 'icmp', from: 'client', to: podIp(lab, 'web-3') })
    expect(trace.hops.find((h) => h.drop)).toMatchObject({ netns: 'node-1', drop: 'ip-forward-disabled' })
  })
})
