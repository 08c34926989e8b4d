import { describe, expect, test } from 'vitest'
import { fixtureLab, maskRandom, realFixture, run } from './sim-lab.ts'

describe('kube-proxy iptables mode', () => {
  test('nat table matches the real kernel line for line (hash chain names, fixed-point probabilities)', () => {
    const lab = fixtureLab('two-node-vxlan')
    const sim = run(lab, 'node-1', ['iptables-save', '-t', 'nat'])
    const real = realFixture('two-node-vxlan', '21-node-iptables-save-nat.txt')
    expect(maskRandom(sim.stdout)).toBe(maskRandom(real.stdout))
    expect(sim.stdout).toContain('-j KUBE-SVC-CDGGSHYLG3RE2FKL')
    expect(sim.stdout).toContain('--probability 0.33333333349 -j KUBE-SEP-2AZ33KU3V5PGPQZH')
    expect(sim.stdout).toContain('--probability 0.50000000000')
  })

  test('a Service without endpoints gets a filter REJECT, hooked from FORWARD and OUTPUT only', () => {
    const lab = fixtureLab('two-node-vxlan')
    const filter = run(lab, 'node-1', ['iptables-save', '-t', 'filter']).stdout
    expect(filter).toContain(
      '-A KUBE-SERVICES -d 10.96.0.200/32 -p tcp -m comment --comment "default/empty-svc:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable'
    )
    const jumps = filter
      .split('\n')
      .filter((l) => l.endsWith('-j KUBE-SERVICES'))
      .map((l) => l.split(' ')[1])
    expect(jumps).toEqual(['FORWARD', 'OUTPUT'])
  })

  test('externalTrafficPolicy Local routes NodePort traffic only to local endpoints', () => {
    const lab = fixtureLab('two-node-vxlan', (y) =>
      y.replace(
        '    ports: [{ name: http, port: 80, targetPort: 8080, nodePort: 30080 }]',
        '    externalTrafficPolicy: Local\n    ports: [{ name: http, port: 80, targetPort: 8080, nodePort: 30080 }]'
      )
    )
    const node2 = run(lab, 'node-2', ['iptables-save', '-t', 'nat']).stdout
    const svl = node2.split('\n').filter((l) => l.startsWith('-A KUBE-SVL-'))
    expect(svl).toHaveLength(1)
    expect(svl[0]).toContain('-> 10.244.2.2:8080')
  })
})
