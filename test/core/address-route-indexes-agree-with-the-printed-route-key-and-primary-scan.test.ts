import { expect, test } from 'vitest'
import type { Address } from '../../src-main/core/linux/address.ts'
import { PrimaryIndex, primaryFor, RouteKeySet, routeKey } from '../../src-main/core/linux/address-routes.ts'
import type { Route } from '../../src-main/core/linux/route.ts'
import { makeCidr } from '../../src-main/core/net/cidr.ts'
import { ipv4 } from '../../src-main/core/net/ipv4.ts'

function variants(): Route[] {
  const base: Route = {
    table: 'local',
    type: 'local',
    dst: makeCidr(ipv4('10.244.1.5'), 32),
    dev: 3,
    proto: 'kernel',
    scope: 'host',
    src: ipv4('10.244.1.5'),
    onlink: false
  }
  return [
    base,
    { ...base, proto: 'boot', onlink: true },
    { ...base, table: 'main' },
    { ...base, type: 'broadcast' },
    { ...base, dst: makeCidr(ipv4('10.244.1.5'), 24) },
    { ...base, dst: makeCidr(ipv4('10.244.1.6'), 32) },
    { ...base, dev: 4 },
    { ...base, src: ipv4('10.244.1.1') },
    { ...base, src: undefined },
    { ...base, scope: 'link' }
  ]
}

test('a route key set holds two routes as one exactly when their printed keys are equal', () => {
  const routes = variants()
  for (const a of routes)
    for (const b of routes) {
      const set = new RouteKeySet([a])
      expect(set.add(b)).toBe(routeKey(a) !== routeKey(b))
    }
})

test('the primary index names the primary a scan of the addresses names', () => {
  const address = (ifindex: number, ip: string, prefixLen: number, secondary = false): Address => ({
    ifindex,
    address: ipv4(ip),
    prefixLen,
    scope: 'global',
    label: `eth${ifindex}`,
    ...(secondary ? { secondary: true as const } : {})
  })
  const listed = [
    address(2, '10.0.0.1', 8),
    address(2, '10.0.0.2', 16),
    address(2, '10.0.0.3', 8, true),
    address(3, '10.0.0.4', 8),
    address(2, '10.0.0.5', 8)
  ]
  const index = new PrimaryIndex(listed)
  const asked = [
    ...listed,
    address(2, '10.9.9.9', 8),
    address(2, '10.0.9.9', 16),
    address(4, '10.0.0.1', 8),
    address(2, '10.0.0.1', 24)
  ]
  for (const a of asked) expect(index.get(a)).toBe(primaryFor(listed, a))
})
