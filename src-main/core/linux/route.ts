import type { Cidr } from '../net/cidr.ts'
import type { Ipv4 } from '../net/ipv4.ts'

/** A table by its /etc/iproute2/rt_tables name, or by number when it has none. */
export type RouteTable = 'main' | 'local' | 'default' | `${number}`
export type RouteType = 'unicast' | 'local' | 'broadcast' | 'unreachable' | 'blackhole' | 'prohibit'
export type RouteScope = 'host' | 'link' | 'global'
export type RouteProto = 'kernel' | 'boot' | 'static'

/** /etc/iproute2/rt_tables. */
const TABLE_IDS = { local: 255, main: 254, default: 253 } as const

export function tableId(table: RouteTable): number {
  return table === 'local' || table === 'main' || table === 'default' ? TABLE_IDS[table] : Number(table)
}

/**
 * A table as `ip` names it: a name from rt_tables or a number up to 2^32-1 (rtnl_rttable_a2n).
 * 0 (unspec) stands for main, as the kernel takes it.
 */
export function parseTable(text: string): RouteTable | undefined {
  if (text === 'local' || text === 'main' || text === 'default') return text
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) return undefined
  const id = Number(text)
  if (id > 0xffffffff) return undefined
  if (id === 0 || id === 254) return 'main'
  if (id === 255) return 'local'
  if (id === 253) return 'default'
  return `${id}`
}

/** One entry of a routing table (`ip route show table main|local|N`). */
export interface Route {
  table: RouteTable
  type: RouteType
  dst: Cidr
  /** Next hop (`via`). */
  gateway?: Ipv4
  /** Output link; absent only for unreachable/blackhole. */
  dev?: number
  proto: RouteProto
  scope: RouteScope
  /** Preferred source (`src`). */
  src?: Ipv4
  /** Next hop is on-link even though no prefix covers it (flannel's vxlan routes). */
  onlink: boolean
  metric?: number
}
