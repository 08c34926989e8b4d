import { describe, expect, it } from 'vitest'
import { labWithNetnsT, run } from './shell-fixture.ts'

const inet6 = (text: string): string[] => text.split('\n').filter((l) => l.includes('inet6'))

describe('a link-local address comes with carrier and stays tentative until DAD ends', () => {
  it('gives an up veth whose peer is down no IPv6 address and no IPv6 route', () => {
    const s = labWithNetnsT(['link add eth0 type veth peer name peer0', 'link set eth0 up'])
    expect(inet6(run(s, 'node-1', 'ip -n t addr show dev eth0').stdout)).toEqual([])
    expect(run(s, 'node-1', 'ip -n t -6 route show table all dev eth0').stdout).toBe('')
  })

  it('adds the address tentative when the peer comes up, with its local route only after DAD', () => {
    const s = labWithNetnsT([
      'link add eth0 type veth peer name peer0',
      'link set eth0 up',
      'link set peer0 up'
    ])
    expect(inet6(run(s, 'node-1', 'ip -n t addr show dev eth0').stdout)).toEqual([
      expect.stringMatching(/^ {4}inet6 fe80::[0-9a-f:]+\/64 scope link tentative $/)
    ])
    expect(run(s, 'node-1', 'ip -n t -6 route show table all dev eth0').stdout).toBe(
      'fe80::/64 proto kernel metric 256 pref medium\nmulticast ff00::/8 table local proto kernel metric 256 pref medium\n'
    )
    run(s, 'node-1', 'sleep 2')
    expect(inet6(run(s, 'node-1', 'ip -n t addr show dev eth0').stdout)).toEqual([
      expect.stringMatching(/^ {4}inet6 fe80::[0-9a-f:]+\/64 scope link $/)
    ])
    expect(run(s, 'node-1', 'ip -n t -6 route show table local dev eth0').stdout).toMatch(
      /^local fe80::[0-9a-f:]+ proto kernel metric 0 pref medium\n/
    )
  })

  it('lists fe80 routes in the order links got carrier, the link set up before the peer it wakes', () => {
    const s = labWithNetnsT([
      'link add a0 type veth peer name a1',
      'link add b0 type veth peer name b1',
      'link set a0 up',
      'link set b0 up',
      'link set b1 up',
      'link set a1 up'
    ])
    expect(run(s, 'node-1', 'ip -n t -6 route').stdout).toBe(
      ['b1', 'b0', 'a1', 'a0'].map((d) => `fe80::/64 dev ${d} proto kernel metric 256 pref medium\n`).join('')
    )
  })

  it('keeps the address while up when the carrier goes, its route linkdown, and drops it on down', () => {
    const s = labWithNetnsT([
      'link add eth0 type veth peer name peer0',
      'link set eth0 up',
      'link set peer0 up'
    ])
    run(s, 'node-1', 'ip -n t link set peer0 down')
    expect(inet6(run(s, 'node-1', 'ip -n t addr show dev eth0').stdout)).toHaveLength(1)
    expect(run(s, 'node-1', 'ip -n t -6 route').stdout).toBe(
      'fe80::/64 dev eth0 proto kernel metric 256 linkdown pref medium\n'
    )
    run(s, 'node-1', 'ip -n t link set eth0 down')
    run(s, 'node-1', 'ip -n t link set eth0 up')
    expect(inet6(run(s, 'node-1', 'ip -n t addr show dev eth0').stdout)).toEqual([])
  })
})
