import { expect, test } from 'vitest'
import { labWithNetnsT, run } from './shell-fixture.ts'

/**
 * Measured in a real namespace (iproute2 6.1): with the veth's peer down, eth0 is UP without
 * carrier; every route through it but the `local` one is listed with `linkdown` and still used,
 * and only taking eth0 itself down removes them.
 */
const vethWithPeerDown = (): ReturnType<typeof labWithNetnsT> =>
  labWithNetnsT([
    'link set lo up',
    'link add eth0 type veth peer name peer0',
    'link set eth0 up',
    'addr add 10.0.0.2/24 dev eth0',
    'route add 10.9.0.0/24 via 10.0.0.9',
    'route add 10.7.0.0/24 via 10.0.0.9 table 100'
  ])

test('routes through a device without carrier print linkdown in every table but their local route', () => {
  const s = vethWithPeerDown()
  expect(run(s, 'node-1', 'ip -n t route').stdout).toBe(
    '10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2 linkdown \n' +
      '10.9.0.0/24 via 10.0.0.9 dev eth0 linkdown \n'
  )
  expect(run(s, 'node-1', 'ip -n t route show table all').stdout).toContain(
    '10.7.0.0/24 via 10.0.0.9 dev eth0 table 100 linkdown \n'
  )
  expect(run(s, 'node-1', 'ip -n t route show table local dev eth0').stdout).toBe(
    'local 10.0.0.2 proto kernel scope host src 10.0.0.2 \n' +
      'broadcast 10.0.0.255 proto kernel scope link src 10.0.0.2 linkdown \n'
  )
  expect(run(s, 'node-1', 'ip -n t link show eth0').stdout).toContain(
    'eth0@peer0: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN'
  )
})

test('ip route get still answers through a linkdown route and does not flag it', () => {
  const s = vethWithPeerDown()
  expect(run(s, 'node-1', 'ip -n t route get 10.9.0.1').stdout).toBe(
    '10.9.0.1 via 10.0.0.9 dev eth0 src 10.0.0.2 uid 0 \n    cache \n'
  )
})

test('the peer coming up clears linkdown, and the device going down removes all but its local route', () => {
  const s = vethWithPeerDown()
  run(s, 'node-1', 'ip -n t link set peer0 up')
  expect(run(s, 'node-1', 'ip -n t route').stdout).toBe(
    '10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2 \n10.9.0.0/24 via 10.0.0.9 dev eth0 \n'
  )
  run(s, 'node-1', 'ip -n t link set eth0 down')
  expect(run(s, 'node-1', 'ip -n t route').stdout).toBe('')
  expect(run(s, 'node-1', 'ip -n t route show table local dev eth0').stdout).toBe(
    'local 10.0.0.2 proto kernel scope host src 10.0.0.2 \n'
  )
})
