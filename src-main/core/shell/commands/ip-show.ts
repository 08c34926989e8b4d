/** Renderers for `ip link`, `ip addr`, `ip route`, `ip neigh` in iproute2 6.1's layout. */
import type { Lab } from '../../kube/lab.ts'
import type { Address } from '../../linux/address.ts'
import type { Link } from '../../linux/link.ts'
import { linkByIndex, type Netns } from '../../linux/netns.ts'
import { hasCarrier, type NetnsMap } from '../../linux/ops.ts'
import { isValidNeighbour } from '../../linux/neighbour.ts'
import { neighbourSelected, type NeighbourFilter } from './ip-neigh-filter.ts'
import type { Route, RouteTable } from '../../linux/route.ts'
import { formatIpv4 } from '../../net/ipv4.ts'
import { ipv6Addresses } from './ip-inet6.ts'
import { linkHeader, linkLabel, linkLayerLine, netnsidSuffix, operState, linkFlags } from './link-view.ts'
import { hiddenFields, routeSelected, type HiddenFields, type RouteFilter } from './ip-route-filter.ts'

export interface ShowOptions {
  details: boolean
  brief: boolean
  stats: boolean
  /** `-4`, `-6`, `-0` or `-f NAME`: the address family a listing keeps; `any` without one. */
  family: IpFamily
}

export type IpFamily = 'any' | 'inet' | 'inet6' | 'link'

const FOREVER = '       valid_lft forever preferred_lft forever'

/** iproute2 prints a bridge id's MAC bytes with %x: no zero padding (8000.a:af:…). */
function bridgeId(mac: string): string {
  return `8000.${mac
    .split(':')
    .map((b) => parseInt(b, 16).toString(16))
    .join(':')}`
}

/**
 * A bridge port's attributes as `ip -d link` prints them. With STP off every port is its own
 * segment's designated port and the bridge is root; the timers are idle (a real port's
 * forward_delay_timer still counts down from the enslaving, the conformance run masks it).
 */
function bridgeSlaveLine(ns: Netns, link: Link): string {
  const p = link.brport!
  const id = bridgeId(linkByIndex(ns, link.master!)?.mac ?? link.mac)
  const portId = 0x8000 | p.portNo
  return `bridge_slave state forwarding priority 32 cost 2 hairpin ${p.hairpin ? 'on' : 'off'} guard off root_block off fastleave off learning ${p.learning ? 'on' : 'off'} flood ${p.flood ? 'on' : 'off'} port_id 0x${portId.toString(16)} port_no 0x${p.portNo.toString(16)} designated_port ${portId} designated_cost 0 designated_bridge ${id} designated_root ${id} hold_timer    0.00 message_age_timer    0.00 forward_delay_timer    0.00 topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off `
}

function detailsLine(ns: Netns, link: Link, lab: Lab): string {
  const mtus =
    link.kind === 'loopback' || link.kind === 'dummy' ? 'minmtu 0 maxmtu 0' : 'minmtu 68 maxmtu 65535'
  // The bridge puts each port into promiscuous and all-multicast mode when it enslaves it.
  const promiscuity = link.master !== undefined ? 1 : 0
  const tail = (queues: number): string =>
    `addrgenmode eui64 numtxqueues ${queues} numrxqueues ${queues} gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 `
  const head = `${linkLayerLine(lab, ns, link)} promiscuity ${promiscuity}  allmulti ${promiscuity} ${mtus} `
  switch (link.kind) {
    case 'veth':
      return `${head}\n    veth ${link.master !== undefined ? `\n    ${bridgeSlaveLine(ns, link)}` : ''}${tail(2)}`
    case 'bridge': {
      const id = bridgeId(link.mac)
      const gc = (300 - ((lab.clock.nowMs / 1000) % 300)).toFixed(2).padStart(7)
      return `${head}\n    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time ${link.ageingTime * 100} stp_state 0 priority 32768 vlan_filtering 0 bridge_id ${id} designated_root ${id} root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00 topology_change_timer    0.00 gc_timer ${gc} group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0 mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2 mcast_last_member_interval 100 mcast_membership_interval 26000 mcast_querier_interval 25500 mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124 mcast_stats_enabled 0 mcast_igmp_version 2 mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 ${tail(1)}`
    }
    case 'vxlan': {
      const dev = linkByIndex(ns, link.dev)?.name ?? ''
      return `${head}\n    vxlan id ${link.vni} ${link.local === undefined ? '' : `local ${formatIpv4(link.local)} `}dev ${dev} srcport 0 0 dstport ${link.dstport} ${link.learning ? '' : 'nolearning '}ttl auto ageing ${link.ageing} udpcsum noudp6zerocsumtx noudp6zerocsumrx ${tail(1)}`
    }
    case 'dummy':
      return `${head}\n    dummy ${tail(1)}`
    case 'loopback':
      return `${head}${tail(1)}`
    case 'ether':
      return `${head}${tail(1)}`
  }
}

function statsLines(link: Link): string {
  const s = link.stats
  const row = (values: number[]): string => {
    const widths = [10, 7, 6, 7, 7, 7]
    return `    ${values.map((v, i) => String(v).padStart(widths[i]!)).join(' ')} `
  }
  return [
    '    RX:  bytes packets errors dropped  missed   mcast           ',
    row([s.rxBytes, s.rxPackets, 0, s.rxDropped, 0, 0]),
    '    TX:  bytes packets errors dropped carrier collsns           ',
    row([s.txBytes, s.txPackets, 0, s.txDropped, 0, 0])
  ].join('\n')
}

export function showLinks(lab: Lab, ns: Netns, links: readonly Link[], o: ShowOptions): string {
  const out: string[] = []
  for (const link of links) {
    if (o.brief) {
      out.push(
        `${linkLabel(ns, link).padEnd(16)} ${operState(lab, ns, link).padEnd(14)} ${link.mac} <${linkFlags(lab, ns, link).join(',')}> `
      )
      continue
    }
    out.push(linkHeader(lab, ns, link, true))
    out.push(o.details ? detailsLine(ns, link, lab) : linkLayerLine(lab, ns, link))
    if (o.stats) out.push(statsLines(link))
  }
  return out.length ? out.join('\n') + '\n' : ''
}

/** An IPv4 address as `ip addr` lists it under its link, and `ip monitor` after `N: name`. */
export function addressLines(a: Address): string {
  return `    inet ${formatIpv4(a.address)}/${a.prefixLen}${a.broadcast === undefined ? '' : ` brd ${formatIpv4(a.broadcast)}`} scope ${a.scope} ${a.secondary ? 'secondary ' : ''}${a.label}\n${FOREVER}`
}

/**
 * `byDevice`: the listing named its link, which iproute2 then asks for alone. A whole `-6`
 * listing reads the links from the kernel's IPv6 link dump instead, whose entries carry no qdisc,
 * group, master or peer namespace, and no broadcast address.
 */
export function showAddrs(
  lab: Lab,
  ns: Netns,
  links: readonly Link[],
  o: ShowOptions,
  byDevice: boolean
): string {
  const out: string[] = []
  const v6Of = new Map(ipv6Addresses(lab, ns).map((a) => [a.link, a]))
  for (const link of links) {
    const v4 =
      o.family === 'any' || o.family === 'inet' ? ns.addresses.filter((a) => a.ifindex === link.ifindex) : []
    const own6 = v6Of.get(link)
    const v6 = (o.family === 'any' || o.family === 'inet6') && own6 !== undefined ? [own6] : []
    if (o.family === 'inet' && v4.length === 0) continue
    if (o.family === 'inet6' && v6.length === 0) continue
    if (o.brief) {
      const addrs = [
        ...v4.map((a) => `${formatIpv4(a.address)}/${a.prefixLen}`),
        ...v6.map((a) => `${a.address}/${a.prefixLen}`)
      ]
      out.push(
        `${linkLabel(ns, link).padEnd(16)} ${operState(lab, ns, link).padEnd(14)} ${addrs.map((a) => `${a} `).join('')}`
      )
      continue
    }
    if (o.family === 'inet6' && !byDevice) {
      out.push(
        `${link.ifindex}: ${linkLabel(ns, link)}: <${linkFlags(lab, ns, link).join(',')}> mtu ${link.mtu} state ${operState(lab, ns, link)} qlen ${link.txqlen}`
      )
      if (o.details)
        out.push(
          link.kind === 'loopback' ? '    link/loopback 00:00:00:00:00:00' : `    link/ether ${link.mac}`
        )
    } else if ((o.family === 'inet' || o.family === 'inet6') && !o.details) {
      out.push(linkHeader(lab, ns, link, false) + netnsidSuffix(lab, ns, link))
    } else {
      out.push(linkHeader(lab, ns, link, false))
      out.push(o.details ? detailsLine(ns, link, lab) : linkLayerLine(lab, ns, link))
    }
    for (const a of v4) out.push(addressLines(a))
    for (const a of v6) {
      out.push(`    inet6 ${a.address}/${a.prefixLen} scope ${a.scope} ${a.tentative ? 'tentative ' : ''}`)
      out.push(FOREVER)
    }
    if (o.stats) out.push(statsLines(link))
  }
  return out.length ? out.join('\n') + '\n' : ''
}

/** Kernel FIB dump order: by destination address, longer prefixes first for the same address. */
export function routeOrder(a: Route, b: Route): number {
  if (a.dst.network !== b.dst.network) return a.dst.network < b.dst.network ? -1 : 1
  return b.dst.prefixLen - a.dst.prefixLen
}

const NOTHING_HIDDEN: HiddenFields = { dev: false, proto: false, scope: false, via: false, src: false }

/**
 * `hidden`: fields the listing's selector pinned, which iproute2 then leaves out.
 * `withTable`: names a table other than main, as `ip monitor` and `table all` listings do.
 * `linkdown`: the next hop's device has no carrier (RTNH_F_LINKDOWN).
 */
export function routeLine(
  ns: Netns,
  r: Route,
  hidden: HiddenFields = NOTHING_HIDDEN,
  withTable = false,
  linkdown = false
): string {
  const dst =
    r.dst.prefixLen === 0
      ? 'default'
      : r.dst.prefixLen === 32
        ? formatIpv4(r.dst.network)
        : `${formatIpv4(r.dst.network)}/${r.dst.prefixLen}`
  let s = r.type === 'unicast' ? dst : `${r.type} ${dst}`
  if (r.gateway !== undefined && !hidden.via) s += ` via ${formatIpv4(r.gateway)}`
  const dev = r.dev === undefined ? undefined : linkByIndex(ns, r.dev)
  if (dev && !hidden.dev) s += ` dev ${dev.name}`
  if (withTable && r.table !== 'main') s += ` table ${r.table}`
  if (r.proto !== 'boot' && !hidden.proto) s += ` proto ${r.proto}`
  if (r.scope !== 'global' && !hidden.scope) s += ` scope ${r.scope}`
  if (r.src !== undefined && !hidden.src) s += ` src ${formatIpv4(r.src)}`
  if (r.metric !== undefined) s += ` metric ${r.metric}`
  if (r.onlink) s += ' onlink'
  if (linkdown) s += ' linkdown'
  return `${s} `
}

/**
 * fib_sync_down_dev marks a route through a device that lost its carrier, `local` routes
 * aside (their next hop is the host itself); the route stays and is still used.
 */
export function isLinkdown(world: NetnsMap, ns: Netns, r: Route): boolean {
  if (r.type === 'local' || r.dev === undefined) return false
  const dev = linkByIndex(ns, r.dev)
  return dev !== undefined && dev.up && !hasCarrier(world, ns, dev)
}

/** One table's routes the selector keeps; `withTable`: a `table all` listing, which names every table but main. */
export function showRoutes(
  world: NetnsMap,
  ns: Netns,
  table: RouteTable,
  filter: RouteFilter,
  withTable = false
): string {
  const hidden = hiddenFields(filter)
  return ns.routes
    .filter((r) => r.table === table && routeSelected(filter, r))
    .sort(routeOrder)
    .map((r) => routeLine(ns, r, hidden, withTable, isLinkdown(world, ns, r)) + '\n')
    .join('')
}

/**
 * The kernel sends an entry's address only while it is valid, so a FAILED one has none; a
 * listing narrowed to one device leaves the device out of each line.
 */
export function showNeighbours(ns: Netns, filter: NeighbourFilter): string {
  const out: string[] = []
  for (const n of ns.neighbours) {
    if (!neighbourSelected(filter, n)) continue
    const name = filter.dev ? '' : ` dev ${linkByIndex(ns, n.ifindex)?.name ?? '?'}`
    out.push(
      `${formatIpv4(n.ip)}${name}${n.lladdr && isValidNeighbour(n) ? ` lladdr ${n.lladdr}` : ''} ${n.state} `
    )
  }
  return out.length ? out.join('\n') + '\n' : ''
}
