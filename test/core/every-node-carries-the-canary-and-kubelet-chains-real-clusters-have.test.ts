import { describe, expect, test } from 'vitest'
import { fixtureLab, run } from './sim-lab.ts'

describe('chains every real iptables-mode node has besides the Service rules', () => {
  test('mangle holds kubelet hint and canary and kube-proxy canary, all empty', () => {
    const mangle = run(fixtureLab('two-node-vxlan'), 'node-1', ['iptables-save', '-t', 'mangle']).stdout
    const declared = mangle.split('\n').filter((l) => l.startsWith(':KUBE-'))
    expect(declared).toEqual([
      ':KUBE-IPTABLES-HINT - [0:0]',
      ':KUBE-KUBELET-CANARY - [0:0]',
      ':KUBE-PROXY-CANARY - [0:0]'
    ])
    expect(mangle).not.toContain('-A ')
  })

  test('nat and filter declare both canaries; iptables-save prints mangle, filter, nat in that order', () => {
    const all = run(fixtureLab('two-node-vxlan'), 'node-1', ['iptables-save']).stdout
    expect(all.split('\n').filter((l) => l.startsWith('*'))).toEqual(['*mangle', '*filter', '*nat'])
    for (const table of all.split('COMMIT').slice(1, 3)) {
      expect(table).toContain(':KUBE-KUBELET-CANARY - [0:0]')
      expect(table).toContain(':KUBE-PROXY-CANARY - [0:0]')
    }
  })

  test('the kubernetes Service takes the range first address and reaches the apiserver on 6443', () => {
    const nat = run(fixtureLab('two-node-vxlan'), 'node-1', ['iptables-save', '-t', 'nat']).stdout
    expect(nat).toContain(
      '-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y'
    )
    expect(nat).toMatch(
      /-m comment --comment "default\/kubernetes:https" -m tcp -j DNAT --to-destination 192\.168\.56\.11:6443/
    )
  })
})
