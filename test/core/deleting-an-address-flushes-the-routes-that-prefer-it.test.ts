import { expect, test } from 'vitest'
import { labWithNetnsT, run, UP_VETH_PAIR } from './shell-fixture.ts'

/**
 * Measured in a real namespace (iproute2 6.1): when an address leaves the namespace, every route
 * naming it as `src` goes with it (fib_sync_down_addr), whatever its table; a route merely via a
 * gateway in the old subnet stays.
 */
test('deleting an address flushes the routes that prefer it as source and keeps the others', () => {
  const s = labWithNetnsT([
    ...UP_VETH_PAIR,
    'addr add 10.0.0.2/24 dev eth0',
    'addr add 10.5.0.1/16 dev eth0',
    'route add 10.9.30.0/24 dev eth0 src 10.0.0.2',
    'route add 10.9.31.0/24 via 10.0.0.9 src 10.0.0.2 table 100',
    'route add 10.9.32.0/24 via 10.0.0.9'
  ])
  run(s, 'node-1', 'ip -n t addr del 10.0.0.2/24 dev eth0')
  expect(run(s, 'node-1', 'ip -n t route').stdout).toBe(
    '10.5.0.0/16 dev eth0 proto kernel scope link src 10.5.0.1 \n10.9.32.0/24 via 10.0.0.9 dev eth0 \n'
  )
  expect(run(s, 'node-1', 'ip -n t route show table 100').stdout).toBe('')
})

test('an address in a subnet must have the scope of the one already there', () => {
  const s = labWithNetnsT(['link add eth0 type veth peer name peer0'])
  expect(run(s, 'node-1', 'ip -n t addr add 10.0.0.3/24 dev eth0 scope link').exitCode).toBe(0)
  expect(run(s, 'node-1', 'ip -n t addr add 10.0.0.8/24 dev eth0')).toMatchObject({
    exitCode: 2,
    stderr: 'Error: ipv4: Invalid scope value.\n'
  })
  expect(run(s, 'node-1', 'ip -n t -4 addr show dev eth0').stdout).toContain(
    'inet 10.0.0.3/24 scope link eth0'
  )
})

test('ip addr del without a prefix length deletes the address and warns of the wildcard', () => {
  const s = labWithNetnsT(['link add eth0 type veth peer name peer0', 'addr add 10.0.0.3/24 dev eth0'])
  const r = run(s, 'node-1', 'ip -n t addr del 10.0.0.3 dev eth0')
  expect(r.exitCode).toBe(0)
  expect(r.stderr).toContain('Explicitly specify the prefix length (10.0.0.3/32) to avoid this warning.')
  expect(run(s, 'node-1', 'ip -n t -4 addr show dev eth0').stdout).toBe('')
})

test('a route via 0.0.0.0 has no gateway but keeps global scope, and route get names a broadcast', () => {
  const s = labWithNetnsT([...UP_VETH_PAIR, 'addr add 10.0.0.2/24 dev eth0'])
  expect(run(s, 'node-1', 'ip -n t route add 10.9.18.0/24 via 0.0.0.0 dev eth0').exitCode).toBe(0)
  expect(run(s, 'node-1', 'ip -n t route').stdout).toContain('\n10.9.18.0/24 dev eth0 \n')
  expect(run(s, 'node-1', 'ip -n t route get 10.0.0.255').stdout).toBe(
    'broadcast 10.0.0.255 dev eth0 src 10.0.0.2 uid 0 \n    cache <local,brd> \n'
  )
})
