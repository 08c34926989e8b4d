import { describe, expect, test } from 'vitest'
import { labShell, labShellFromYaml, run } from './shell-fixture.ts'
import { fixtureLab, outcomeByBackend } from './sim-lab.ts'

const KEYS_PER_INTERFACE = 33

describe('the net.ipv4.conf sysctl tree is the kernel’s', () => {
  test('every interface has all 33 keys; lo and all differ from default where Linux does', () => {
    const sh = labShell()
    const out = run(sh, 'client', "sysctl -a -r '^net\\.ipv4\\.conf\\.'").stdout.split('\n').filter(Boolean)
    expect(out).toHaveLength(KEYS_PER_INTERFACE * 4) // all, default, eth0, lo
    expect(out).toContain('net.ipv4.conf.all.accept_source_route = 0')
    expect(out).toContain('net.ipv4.conf.default.accept_source_route = 1')
    expect(out).toContain('net.ipv4.conf.lo.disable_policy = 1')
    expect(out).toContain('net.ipv4.conf.eth0.disable_policy = 0')
    expect(out).toContain('net.ipv4.conf.eth0.send_redirects = 1')
  })

  test('a node forwards on every interface, with redirects refused, and keeps flannel.1 as flannel/1', () => {
    const sh = labShell()
    expect(
      run(
        sh,
        'node-1',
        'sysctl net.ipv4.conf.flannel/1.forwarding net/ipv4/conf/flannel.1/forwarding net.ipv4.conf.all.accept_redirects'
      ).stdout
    ).toBe(
      'net.ipv4.conf.flannel/1.forwarding = 1\nnet.ipv4.conf.flannel/1.forwarding = 1\nnet.ipv4.conf.all.accept_redirects = 0\n'
    )
    expect(run(sh, 'node-1', 'cat /proc/sys/net/ipv4/conf/flannel.1/forwarding').stdout).toBe('1\n')
  })

  test('an unknown key is procps’ cannot-stat error; a non-number is refused', () => {
    const sh = labShell()
    expect(run(sh, 'node-1', 'sysctl net.ipv4.conf.nope.rp_filter')).toEqual({
      stdout: '',
      stderr: 'sysctl: cannot stat /proc/sys/net/ipv4/conf/nope/rp_filter: No such file or directory\n',
      exitCode: 1
    })
    expect(run(sh, 'node-1', 'sysctl -w net.ipv4.conf.eth0.rp_filter=abc')).toEqual({
      stdout: '',
      stderr: 'sysctl: setting key "net.ipv4.conf.eth0.rp_filter": Invalid argument\n',
      exitCode: 1
    })
  })

  test('default reaches interfaces nobody set, and a new interface copies it', () => {
    const sh = labShell()
    run(sh, 'node-1', 'sysctl -w net.ipv4.conf.eth0.rp_filter=1')
    run(sh, 'node-1', 'sysctl -w net.ipv4.conf.default.rp_filter=2')
    run(sh, 'node-1', 'ip link add br9 type bridge')
    expect(
      run(
        sh,
        'node-1',
        'sysctl -n net.ipv4.conf.eth0.rp_filter net.ipv4.conf.cni0.rp_filter net.ipv4.conf.br9.rp_filter'
      ).stdout
    ).toBe('1\n2\n2\n')
  })

  test('a renamed interface keeps what was written to it; a moved one starts from the new default', () => {
    const sh = labShell()
    run(sh, 'node-1', 'ip link add va type veth peer name vb')
    run(sh, 'node-1', 'sysctl -w net.ipv4.conf.va.rp_filter=2 net.ipv4.conf.vb.rp_filter=2')
    run(sh, 'node-1', 'ip link set va name vc')
    run(sh, 'node-1', 'ip netns add pnl-moved')
    run(sh, 'node-1', 'ip link set vb netns pnl-moved')
    expect(run(sh, 'node-1', 'sysctl -n net.ipv4.conf.vc.rp_filter').stdout).toBe('2\n')
    expect(run(sh, 'node-1', 'ip netns exec pnl-moved sysctl -n net.ipv4.conf.vb.rp_filter').stdout).toBe(
      '0\n'
    )
  })

  test('forwarding is decided by the interface a packet arrives on', () => {
    const sh = labShell()
    expect(run(sh, 'client', 'ping -c 1 -W 1 10.244.2.2').exitCode).toBe(0)
    run(sh, 'node-1', 'sysctl -w net.ipv4.conf.cni0.forwarding=0')
    expect(run(sh, 'client', 'ping -c 1 -W 1 10.244.2.2').exitCode).toBe(1)
  })
})

describe('a node without br_netfilter', () => {
  const yaml = `formatVersion: 1
id: no-br-netfilter
nodes:
  - { name: node-1, ip: 192.168.56.11, brNetfilter: false }
`
  test('has no net.bridge keys', () => {
    const sh = labShellFromYaml(yaml)
    expect(run(sh, 'node-1', 'sysctl net.bridge.bridge-nf-call-iptables')).toEqual({
      stdout: '',
      stderr: 'sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables: No such file or directory\n',
      exitCode: 1
    })
    expect(run(sh, 'node-1', 'cat /proc/sys/net/bridge/bridge-nf-call-iptables').exitCode).toBe(1)
  })

  test('bridged replies skip iptables though the cluster asks for bridge-nf-call-iptables=1', () => {
    const lab = fixtureLab('two-node-vxlan', (y) =>
      y.replace('podCIDR: 10.244.1.0/24 }', 'podCIDR: 10.244.1.0/24, brNetfilter: false }')
    )
    const outcomes = outcomeByBackend(lab)
    expect(outcomes.get('web-1')).toBe('no-reply')
    expect(outcomes.get('web-3')).toBe('reply')
  })
})
