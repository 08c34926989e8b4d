import { expect, test } from 'vitest'
import { labWithNetnsT, run } from './shell-fixture.ts'

/**
 * fib_check_nh_v4_gw, measured in a real namespace (iproute2 6.1): the gateway must be reached
 * by a link- or host-scoped route, looked up in the route's own table first and then as the
 * rules direct (main included), out of `dev` when one is given.
 */
const twoLinks = (): ReturnType<typeof labWithNetnsT> =>
  labWithNetnsT([
    'link set lo up',
    'link add eth0 type veth peer name peer0',
    'link add eth1 type veth peer name peer1',
    ...['eth0', 'peer0', 'eth1', 'peer1'].map((d) => `link set ${d} up`),
    'addr add 10.0.0.2/24 dev eth0',
    'addr add 172.16.0.2/24 dev eth1',
    'route add 192.168.50.0/24 dev eth1 table 100',
    'route add 10.20.0.0/16 via 10.0.0.1'
  ])

const add = (s: ReturnType<typeof labWithNetnsT>, spec: string): string => {
  const r = run(s, 'node-1', `ip -n t route add ${spec}`)
  return r.exitCode === 0 ? 'ok' : r.stderr.trim()
}
const INVALID = 'Error: Nexthop has invalid gateway.'

test('a gateway connected only in main serves a route in another table', () => {
  const s = twoLinks()
  expect(add(s, '10.9.0.0/24 via 10.0.0.9 table 100')).toBe('ok')
  expect(add(s, '10.9.2.0/24 via 10.0.0.9 dev eth1 table 100')).toBe(INVALID)
  expect(run(s, 'node-1', 'ip -n t route show table 100').stdout).toContain(
    '10.9.0.0/24 via 10.0.0.9 dev eth0 \n'
  )
})

test('a gateway connected only in the route table serves that table and no other', () => {
  const s = twoLinks()
  expect(add(s, '10.9.5.0/24 via 192.168.50.9 table 100')).toBe('ok')
  expect(run(s, 'node-1', 'ip -n t route show table 100').stdout).toContain(
    '10.9.5.0/24 via 192.168.50.9 dev eth1 \n'
  )
  expect(add(s, '10.9.7.0/24 via 192.168.50.9')).toBe(INVALID)
  expect(add(s, '10.9.9.0/24 via 192.168.50.9 table 200')).toBe(INVALID)
})

test('a gateway reached only through another gateway, or a broadcast, is invalid; an own address is not', () => {
  const s = twoLinks()
  expect(add(s, '10.9.12.0/24 via 10.20.0.5')).toBe(INVALID)
  expect(add(s, '10.9.16.0/24 via 10.0.0.255')).toBe(INVALID)
  expect(add(s, '10.9.14.0/24 via 10.0.0.2')).toBe('ok')
  expect(add(s, '10.9.17.0/24 via 127.0.0.1')).toBe('ok')
  expect(run(s, 'node-1', 'ip -n t route').stdout).toContain(
    '10.9.14.0/24 via 10.0.0.2 dev eth0 \n10.9.17.0/24 via 127.0.0.1 dev lo \n'
  )
})

test('onlink needs a device, and a down device refuses next hops with the kernel messages', () => {
  const s = twoLinks()
  expect(add(s, '10.9.11.0/24 via 10.99.0.1 onlink')).toBe('Error: Nexthop device required for onlink.')
  expect(add(s, '10.9.22.0/24 via 10.99.0.1 dev eth0 onlink')).toBe('ok')
  run(s, 'node-1', 'ip -n t link set eth1 down')
  expect(add(s, '10.9.23.0/24 via 172.16.0.9')).toBe(INVALID)
  expect(add(s, '10.9.24.0/24 dev eth1')).toBe('Error: Device for nexthop is not up.')
  expect(add(s, '10.9.25.0/24 via 172.16.0.9 dev eth1 onlink')).toBe('Error: Nexthop device is not up.')
})
