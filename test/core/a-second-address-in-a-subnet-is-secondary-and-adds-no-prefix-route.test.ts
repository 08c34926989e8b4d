import { expect, test } from 'vitest'
import { labWithNetnsT, run, UP_VETH_PAIR } from './shell-fixture.ts'

/**
 * Measured in a real namespace (iproute2 6.1): an address in the subnet of one already on the
 * link is `secondary`, listed after the primaries, and adds only its `local` route, sourced from
 * the primary. promote_secondaries is 0 in a fresh namespace.
 */
const withSecondaries = (): ReturnType<typeof labWithNetnsT> =>
  labWithNetnsT([
    ...UP_VETH_PAIR,
    'addr add 10.0.0.2/24 dev eth0',
    'addr add 10.0.0.3/24 dev eth0',
    'addr add 10.5.0.1/16 dev eth0',
    'addr add 10.0.0.4/24 dev eth0'
  ])

const inet = (stdout: string): string[] => stdout.split('\n').filter((l) => l.includes('inet '))

test('a second address in the same subnet is listed as secondary after the primaries', () => {
  const s = withSecondaries()
  expect(inet(run(s, 'node-1', 'ip -n t -4 addr show dev eth0').stdout)).toEqual([
    '    inet 10.0.0.2/24 scope global eth0',
    '    inet 10.5.0.1/16 scope global eth0',
    '    inet 10.0.0.3/24 scope global secondary eth0',
    '    inet 10.0.0.4/24 scope global secondary eth0'
  ])
})

test('a secondary address adds its local route from the primary and no second prefix route', () => {
  const s = withSecondaries()
  expect(run(s, 'node-1', 'ip -n t route').stdout).toBe(
    '10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2 \n' +
      '10.5.0.0/16 dev eth0 proto kernel scope link src 10.5.0.1 \n'
  )
  expect(run(s, 'node-1', 'ip -n t route show table local').stdout).toContain(
    'local 10.0.0.3 dev eth0 proto kernel scope host src 10.0.0.2 \n'
  )
})

test('deleting the primary deletes its secondaries while promote_secondaries is 0', () => {
  const s = withSecondaries()
  expect(run(s, 'node-1', 'ip netns exec t sysctl net.ipv4.conf.eth0.promote_secondaries').stdout).toBe(
    'net.ipv4.conf.eth0.promote_secondaries = 0\n'
  )
  run(s, 'node-1', 'ip -n t addr del 10.0.0.2/24 dev eth0')
  expect(inet(run(s, 'node-1', 'ip -n t -4 addr show dev eth0').stdout)).toEqual([
    '    inet 10.5.0.1/16 scope global eth0'
  ])
  expect(run(s, 'node-1', 'ip -n t route show table all').stdout).not.toContain('10.0.0.')
})

test('with promote_secondaries the first secondary becomes primary and takes the prefix route', () => {
  const s = withSecondaries()
  run(s, 'node-1', 'ip netns exec t sysctl -w net.ipv4.conf.eth0.promote_secondaries=1')
  run(s, 'node-1', 'ip -n t addr del 10.0.0.2/24 dev eth0')
  expect(inet(run(s, 'node-1', 'ip -n t -4 addr show dev eth0').stdout)).toEqual([
    '    inet 10.5.0.1/16 scope global eth0',
    '    inet 10.0.0.3/24 scope global eth0',
    '    inet 10.0.0.4/24 scope global secondary eth0'
  ])
  expect(run(s, 'node-1', 'ip -n t route').stdout).toContain(
    '10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.3 \n'
  )
  expect(run(s, 'node-1', 'ip -n t route show table local').stdout).toContain(
    'local 10.0.0.4 dev eth0 proto kernel scope host src 10.0.0.3 \n'
  )
})
