import type { Cidr } from '../net/cidr.ts'
import type { Ipv4 } from '../net/ipv4.ts'

/** A table by its /etc/iproute2/rt_tables name, or by number when it has none. */
export type RouteTable = 'main' | 'local' | 'default' | `${number}`
export type RouteType = 'unicast' | 'local' | 'broadcast' | 'unreachable' | 'blackhole' | 'prohibit'
export type RouteScope = 'host' | 'link' | 'global'

/** /etc/iproute2/rt_protos as iproute2 6.1 installs it: rtm_protocol by name. */
const PROTOCOL_IDS = {
  unspec: 0,
  redirect: 1,
  kernel: 2,
  boot: 3,
  static: 4,
  gated: 8,
  ra: 9,
  mrt: 10,
  zebra: 11,
  bird: 12,
  dnrouted: 13,
  xorp: 14,
  ntk: 15,
  dhcp: 16,
  keepalived: 18,
  babel: 42,
  openr: 99,
  bgp: 186,
  isis: 187,
  ospf: 188,
  rip: 189,
  eigrp: 192
} as const

/** A route's originator (rtm_protocol) as `ip route` prints it: its rt_protos name, else its number. */
export type RouteProto = keyof typeof PROTOCOL_IDS | `${number}`

const PROTOCOL_NAMES = new Map<number, RouteProto>(
  Object.entries(PROTOCOL_IDS).map(([name, id]) => [id, name as RouteProto])
)

/**
 * A protocol as `ip` reads it (rtnl_rtprot_a2n): a name from rt_protos, or a number up to 255 in
 * C's notation (`0x10`, `017`), which then goes by its name if it has one.
 */
export function parseRouteProto(text: string): RouteProto | undefined {
  if (Object.hasOwn(PROTOCOL_IDS, text)) return text as RouteProto
  if (!/^(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.test(text)) return undefined
  const id = text.length > 1 && text.startsWith('0') && !/^0x/i.test(text) ? parseInt(text, 8) : Number(text)
  if (id > 255) return undefined
  return PROTOCOL_NAMES.get(id) ?? `${id}`
}

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
