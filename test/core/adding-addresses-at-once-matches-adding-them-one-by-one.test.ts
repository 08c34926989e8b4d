import { expect, test } from 'vitest'
import { ipv4, type Ipv4 } from '../../src-main/core/net/ipv4.ts'
import { macFromBytes } from '../../src-main/core/net/mac.ts'
import type { Link } from '../../src-main/core/linux/link.ts'
import { newNetns, type Netns } from '../../src-main/core/linux/netns.ts'
import { addAddress, addAddresses, addLink, type NewAddress } from '../../src-main/core/linux/ops.ts'

/** A namespace with an up link that already holds a primary, and every netlink event it announces. */
function nsWithLink(): { ns: Netns; ifindex: number; events: string[] } {
  const ns = newNetns('t', 'pod')
  const link = addLink<Link>(ns, {
    kind: 'dummy',
    name: 'eth0',
    mtu: 1500,
    mac: macFromBytes([2, 0, 0, 0, 0, 1]),
    up: true
  } as Omit<Link, 'ifindex' | 'stats' | 'txqlen'>)
  addAddress(ns, link.ifindex, ipv4('10.0.0.2'), 24)
  const events: string[] = []
  ns.netlink.addr.add((e) => events.push(`${e.type} addr ${JSON.stringify(e.address)}`))
  ns.netlink.route.add((e) => events.push(`${e.type} route ${JSON.stringify(e.route)}`))
  return { ns, ifindex: link.ifindex, events }
}

const a = (text: string, prefixLen: number, extra: Partial<NewAddress> = {}): NewAddress => ({
  address: ipv4(text) as Ipv4,
  prefixLen,
  ...extra
})

// Primaries and secondaries of several subnets, /32s, a duplicate broadcast and a narrower scope.
const specs: NewAddress[] = [
  a('10.96.0.1', 32),
  a('10.0.0.3', 24),
  a('10.5.0.1', 16),
  a('10.96.0.10', 32),
  a('10.0.0.4', 24, { withBroadcast: false }),
  a('169.254.1.1', 16, { scope: 'link' }),
  a('10.5.9.9', 16),
  a('10.7.0.1', 24, { scope: 'host' })
]

test('adding addresses at once lists them, routes them and announces them as adding them one by one', () => {
  const one = nsWithLink()
  for (const s of specs) addAddress(one.ns, one.ifindex, s.address, s.prefixLen, s.scope, s.withBroadcast)
  const all = nsWithLink()
  addAddresses(all.ns, all.ifindex, specs)
  expect(all.ns.addresses).toEqual(one.ns.addresses)
  expect(all.ns.routes).toEqual(one.ns.routes)
  expect(all.events).toEqual(one.events)
  expect(one.ns.addresses.filter((x) => x.secondary).length).toBe(3)
})
