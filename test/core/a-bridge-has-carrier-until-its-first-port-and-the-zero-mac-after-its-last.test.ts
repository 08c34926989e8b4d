import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * Measured in a real namespace (iproute2 6.1): a bridge brought up before it ever had a port
 * has carrier (state UNKNOWN); once it has had one its carrier follows its ports, and when the
 * last port goes it keeps no carrier, takes the zero MAC and MTU 1500.
 */
test('a bridge has carrier until its first port, then only while a port has, and the zero MAC after its last', () => {
  const s = labShell()
  const on = (line: string): string => run(s, 'node-1', `ip -n t ${line}`).stdout
  run(s, 'node-1', 'ip netns add t')
  on('link add br0 type bridge')
  on('link set br0 up')
  on('addr add 10.1.0.1/24 dev br0')
  expect(on('link show br0')).toContain(
    '<BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN'
  )
  expect(on('route')).toBe('10.1.0.0/24 dev br0 proto kernel scope link src 10.1.0.1 \n')
  on('link add v0 type veth peer name v1')
  on('link set v0 mtu 1400')
  on('link set v0 master br0')
  expect(on('link show br0')).toContain(
    '<NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1400 qdisc noqueue state DOWN'
  )
  expect(on('route')).toBe('10.1.0.0/24 dev br0 proto kernel scope link src 10.1.0.1 linkdown \n')
  on('link set v0 up')
  on('link set v1 up')
  expect(on('link show br0')).toContain('<BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc noqueue state UP')
  on('link set v0 nomaster')
  expect(on('link show br0')).toMatch(
    /<NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 .* state DOWN .*\n {4}link\/ether 00:00:00:00:00:00 /
  )
})
