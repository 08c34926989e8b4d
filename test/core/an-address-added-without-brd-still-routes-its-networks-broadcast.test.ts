import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * fib_add_ifaddr routes a primary address's network broadcast whatever `brd` says: in a real
 * namespace (kernel 6.x, a veth whose peer is up) `ip addr add 10.8.0.5/24 dev eth0` printed
 * these table-local lines, while `ip addr` shows the address without `brd`.
 */
test('ip addr add without brd adds the broadcast route but no brd on the address', () => {
  const s = labShell()
  run(s, 'client', 'ip addr add 10.8.0.5/24 dev eth0')
  expect(run(s, 'client', 'ip route show table local dev eth0').stdout).toContain(
    'local 10.8.0.5 proto kernel scope host src 10.8.0.5 \nbroadcast 10.8.0.255 proto kernel scope link src 10.8.0.5 \n'
  )
  expect(run(s, 'client', 'ip -4 addr show eth0').stdout).toContain('inet 10.8.0.5/24 scope global eth0')
  run(s, 'client', 'ip addr del 10.8.0.5/24 dev eth0')
  expect(run(s, 'client', 'ip route show table local dev eth0').stdout).not.toContain('10.8.0.255')
})
