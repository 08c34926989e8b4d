import { describe, expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * What iproute2 6.1 printed on the real namespaces of the two-node-vxlan ground-truth lab for
 * the listings an engineer narrows down: a bridge's ports, the kernel's own routes, the
 * forwarding path, the loopback's local routes and a bridge port's details.
 */
describe('ip listings filter and describe like iproute2', () => {
  const shell = labShell('two-node-vxlan')

  test('`ip link show master cni0` lists the bridge ports and nothing else', () => {
    const out = run(shell, 'node-1', 'ip link show master cni0').stdout
    expect(out.match(/^\d+: \S+:/gm)).toEqual([
      '5: vetheb1d87a6@if2:',
      '6: vethd3d3c66e@if2:',
      '7: veth72fa1515@if2:'
    ])
    expect(run(shell, 'node-1', 'ip link show master nope')).toEqual({
      stdout: '',
      stderr: 'Device "nope" does not exist.\n',
      exitCode: 1
    })
  })

  test('`ip route show proto kernel` keeps the kernel routes and leaves the filtered field out', () => {
    expect(run(shell, 'node-1', 'ip route show proto kernel').stdout).toBe(
      '10.244.1.0/24 dev cni0 scope link src 10.244.1.1 \n192.168.56.0/24 dev eth0 scope link src 192.168.56.11 \n'
    )
  })

  test('`ip route get … iif cni0` resolves the forwarding path: no source, no uid, the input device', () => {
    expect(run(shell, 'node-1', 'ip route get 10.244.2.2 from 10.244.1.2 iif cni0').stdout).toBe(
      '10.244.2.2 from 10.244.1.2 via 10.244.2.0 dev flannel.1 \n    cache iif cni0 \n'
    )
  })

  test('the loopback has its address, its whole prefix and its broadcast in table local', () => {
    const lo = run(shell, 'client', 'ip route show table local')
      .stdout.split('\n')
      .filter((l) => l.includes(' dev lo '))
    expect(lo).toEqual([
      'local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 ',
      'local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 ',
      'broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1 '
    ])
  })

  test('a bridge port is all-multicast and `ip -d link` prints its STP port details', () => {
    const out = run(shell, 'node-1', 'ip -d link show vetheb1d87a6').stdout
    expect(out).toContain('promiscuity 1  allmulti 1 ')
    expect(out).toContain(
      'flood on port_id 0x8001 port_no 0x1 designated_port 32769 designated_cost 0 designated_bridge 8000.a:af:eb:8c:d3:a7 designated_root 8000.a:af:eb:8c:d3:a7 hold_timer    0.00 message_age_timer    0.00 forward_delay_timer '
    )
    expect(out).toContain(
      ' topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off addrgenmode eui64 '
    )
  })
})
