import { describe, expect, test } from 'vitest'
import { labShell, labShellFromYaml, run } from './shell-fixture.ts'
import { readFileSync } from 'node:fs'

/** Outputs checked against iproute2 6.1, iptables 1.8.9 and procps on real namespaces. */

describe('ip rule, link types, the iptables version and br_netfilter keys print like Linux', () => {
  test('ip rule lists the kernel default rules, and filters by table or preference', () => {
    const s = labShell('two-node-vxlan')
    const all = '0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n'
    for (const line of ['ip rule', 'ip rule show', 'ip ru list', 'ip rule lst'])
      expect(run(s, 'client', line)).toEqual({ stdout: all, stderr: '', exitCode: 0 })
    expect(run(s, 'node-1', 'ip rule show table main').stdout).toBe('32766:\tfrom all lookup main\n')
    expect(run(s, 'node-1', 'ip rule show table 255').stdout).toBe('0:\tfrom all lookup local\n')
    expect(run(s, 'node-1', 'ip rule list pref 32767').stdout).toBe('32767:\tfrom all lookup default\n')
    expect(run(s, 'node-1', 'ip rule show table nope')).toEqual({
      stdout: '',
      stderr: 'Error: argument "nope" is wrong: table id value is invalid\n\n',
      exitCode: 255
    })
    expect(run(s, 'node-1', 'ip rule foo').stderr).toBe('Command "foo" is unknown, try "ip rule help".\n')
  })

  test('ip link show type KIND keeps the links of that kind; a NIC and lo have none', () => {
    const s = labShell('two-node-vxlan')
    const names = (line: string): string[] =>
      [...run(s, 'node-1', line).stdout.matchAll(/^\d+: ([^:@]+)/gm)].map((m) => m[1]!)
    expect(names('ip link show type vxlan')).toEqual(['flannel.1'])
    expect(names('ip link show type bridge')).toEqual(['cni0'])
    expect(names('ip link show type veth')).toHaveLength(3)
    expect(names('ip link show type veth').every((n) => n.startsWith('veth'))).toBe(true)
    expect(names('ip addr show type bridge')).toEqual(['cni0'])
    expect(run(s, 'node-1', 'ip link show type dummy')).toEqual({ stdout: '', stderr: '', exitCode: 0 })
    expect(run(s, 'node-1', 'ip link show type').exitCode).toBe(255)
  })

  test('iptables -V and iptables-save -V name the nf_tables build of 1.8.9', () => {
    const s = labShell('two-node-vxlan')
    expect(run(s, 'node-1', 'iptables -V').stdout).toBe('iptables v1.8.9 (nf_tables)\n')
    expect(run(s, 'node-1', 'iptables --version').exitCode).toBe(0)
    expect(run(s, 'node-1', 'iptables-save -V').stdout).toBe('iptables-save v1.8.9 (nf_tables)\n')
  })

  test('with br_netfilter loaded a pod and a hand-made namespace have bridge-nf-call-iptables = 1', () => {
    const s = labShell('two-node-vxlan')
    expect(run(s, 'client', 'sysctl net.bridge.bridge-nf-call-iptables').stdout).toBe(
      'net.bridge.bridge-nf-call-iptables = 1\n'
    )
    expect(
      run(
        s,
        'node-1',
        'ip netns add lab && ip netns exec lab cat /proc/sys/net/bridge/bridge-nf-call-iptables'
      ).stdout
    ).toBe('1\n')
  })

  test('without br_netfilter on the node neither the node nor its pods have the key', () => {
    const yaml = readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8').replace(
      '- { name: node-1, ip: 192.168.56.11, podCIDR: 10.244.1.0/24 }',
      '- { name: node-1, ip: 192.168.56.11, podCIDR: 10.244.1.0/24, brNetfilter: false }'
    )
    const s = labShellFromYaml(yaml)
    for (const on of ['node-1', 'client'])
      expect(run(s, on, 'sysctl net.bridge.bridge-nf-call-iptables').stderr).toBe(
        'sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables: No such file or directory\n'
      )
    expect(run(s, 'web-3', 'sysctl net.bridge.bridge-nf-call-iptables').exitCode).toBe(0)
  })
})
