import type { Cidr } from '../net/cidr.ts'
import type { Ipv4 } from '../net/ipv4.ts'

export type RouteTable = 'main' | 'local'
export type RouteType = 'unicast' | 'local' | 'broadcast' | 'unreachable' | 'blackhole'
export type RouteScope = 'host' | 'link' | 'global'
export type RouteProto = 'kernel' | 'boot' | 'static'

/** One entry of a routing table (`ip route show table main|local`). */
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
