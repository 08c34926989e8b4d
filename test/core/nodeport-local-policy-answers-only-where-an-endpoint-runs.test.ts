import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import type { NetfilterDetail } from '../../src-main/core/engine/trace.ts'
import { fixtureLab, run } from './sim-lab.ts'

/** web-np with externalTrafficPolicy Local, selecting only web-3, which runs on node-2. */
const localOnNode2 = (yaml: string): string =>
  yaml
    .replace(
      '  - name: web-3\n    node: node-2\n    labels: { app: web }',
      '  - name: web-3\n    node: node-2\n    labels: { app: web, tier: edge }'
    )
    .replace(
      '    selector: { app: web }\n    ports: [{ name: http, port: 80, targetPort: 8080, nodePort: 30080 }]',
      '    selector: { tier: edge }\n    externalTrafficPolicy: Local\n    ports: [{ name: http, port: 80, targetPort: 8080, nodePort: 30080 }]'
    )

describe('NodePort with externalTrafficPolicy Local (kube-proxy iptables mode)', () => {
  test('a node without a local endpoint gets no SVL chain and no fall-through jump, only the filter DROP', () => {
    const lab = fixtureLab('two-node-vxlan', localOnNode2)
    const nat = run(lab, 'node-1', ['iptables-save', '-t', 'nat']).stdout
    expect(nat).not.toContain('KUBE-SVL-')
    const ext = nat.split('\n').filter((l) => l.startsWith('-A KUBE-EXT-'))
    expect(ext.map((l) => l.replace(/^-A KUBE-EXT-\w+ /, ''))).toEqual([
      '-s 10.244.0.0/16 -m comment --comment "pod traffic for default/web-np:http external destinations" -j KUBE-SVC-2262UYG6EQJDKK3I',
      '-m comment --comment "masquerade LOCAL traffic for default/web-np:http external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ',
      '-m comment --comment "route LOCAL traffic for default/web-np:http external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-2262UYG6EQJDKK3I'
    ])
    const filter = run(lab, 'node-1', ['iptables-save', '-t', 'filter']).stdout
    expect(filter).toContain(
      '-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/web-np:http has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 30080 -j DROP'
    )
  })

  test('the node with the endpoint jumps to its SVL chain and writes no DROP', () => {
    const lab = fixtureLab('two-node-vxlan', localOnNode2)
    const nat = run(lab, 'node-2', ['iptables-save', '-t', 'nat']).stdout
    expect(nat).toMatch(/^-A KUBE-EXT-2262UYG6EQJDKK3I -j KUBE-SVL-2262UYG6EQJDKK3I$/m)
    expect(nat).toMatch(
      /^-A KUBE-SVL-2262UYG6EQJDKK3I -m comment --comment "default\/web-np:http -> 10\.244\.2\.2:8080" -j KUBE-SEP-\w+$/m
    )
    expect(run(lab, 'node-2', ['iptables-save', '-t', 'filter']).stdout).not.toContain(
      'has no local endpoints'
    )
  })

  test('an outside client is dropped in filter INPUT on the node without an endpoint', () => {
    const lab = fixtureLab('two-node-vxlan', localOnNode2)
    const trace = sendProbe(lab, { proto: 'tcp', from: 'laptop', to: '192.168.56.11', port: 30080 })
    expect(trace.outcome).toEqual({ kind: 'no-reply' })
    const drop = trace.hops.at(-1)
    expect(drop).toMatchObject({ netns: 'node-1', stage: 'drop', drop: 'netfilter-drop' })
    const input = trace.hops
      .filter((h) => h.stage === 'netfilter')
      .map((h) => h.detail as NetfilterDetail)
      .at(-1)
    expect(input).toMatchObject({ table: 'filter', hook: 'INPUT', verdict: 'DROP' })
  })

  test('on the node with the endpoint the backend sees the outside client’s own address', () => {
    const lab = fixtureLab('two-node-vxlan', localOnNode2)
    const trace = sendProbe(lab, { proto: 'tcp', from: 'laptop', to: '192.168.56.12', port: 30080 })
    expect(trace.outcome).toMatchObject({ kind: 'reply', from: '192.168.56.12' })
    expect(trace.servedBy).toBe('web-3')
    const arrival = trace.hops.find((h) => h.netns === 'web-3' && h.stage === 'local-deliver')
    expect(arrival?.after?.ip?.src ?? arrival?.before?.ip?.src).toBe('192.168.56.100')
  })

  test('with policy Cluster the same request is masqueraded, so the backend sees a node address', () => {
    const lab = fixtureLab('two-node-vxlan')
    const trace = sendProbe(lab, { proto: 'tcp', from: 'laptop', to: '192.168.56.12', port: 30080 })
    const arrival = trace.hops.find((h) => h.netns === trace.servedBy && h.stage === 'local-deliver')
    expect(['10.244.2.1', '10.244.2.0']).toContain(arrival?.after?.ip?.src ?? arrival?.before?.ip?.src)
  })
})
