import type { Ipv4 } from '../net/ipv4.ts'
import type { Address } from './address.ts'
import type { IcmpPeerBucket } from './icmp-rate-limit.ts'
import type { ConntrackTable } from './conntrack.ts'
import type { KernelLog } from './kmsg.ts'
import type { IpvsService } from './ipvs.ts'
import type { Link } from './link.ts'
import type { Neighbour } from './neighbour.ts'
import { newNetlinkGroups, type NetlinkGroups } from './netlink.ts'
import type { IpSet, Netfilter } from './netfilter.ts'
import type { NftTable } from './nftables.ts'
import type { Route, RouteTable } from './route.ts'
import type { Rule } from './rule.ts'
import { SYSCTL_DEFAULTS } from './sysctl.ts'
import { newNetfilter } from './netfilter.ts'

/** `named`: made by hand with `ip netns add` on a node or host. */
export type NetnsKind = 'node' | 'pod' | 'external' | 'router' | 'named'

/** A listening socket: what local delivery looks for (`ss -tlnp`). */
export interface Socket {
  proto: 'tcp' | 'udp'
  /** 0 = any address. */
  addr: number
  port: number
  /** Process that owns it, for `ss -p` and for the app that answers. */
  pid: number
  processName: string
  /** What answers: the pod name for `http`, cluster DNS for `coredns`, an echo otherwise. */
  app: 'http' | 'tcp-echo' | 'udp-echo' | 'coredns'
  /** The HTTP body `http` answers with (its pod name). */
  reply: string
}

/** One network namespace: the whole per-namespace network state of the kernel. */
export interface Netns {
  /** Stable id, also the prefix of every object id inside (`node-1`, `web-1`, `laptop`, `gateway`). */
  id: string
  kind: NetnsKind
  /** Links by ifindex order. */
  links: Link[]
  nextIfindex: number
  addresses: Address[]
  /** Every table's routes, each naming its table. */
  routes: Route[]
  /**
   * The tables besides main and local, in the order they were made (the first route added to
   * one makes it, as fib_new_table does); undefined until there is one.
   */
  tables?: RouteTable[]
  /**
   * The policy rules once `ip rule` changed them; undefined while they are the kernel's
   * defaults, which keeps the lookup to local then main. The kernel likewise looks up its merged
   * local/main trie until rules are first changed (fib_has_custom_rules), and says so in
   * `ip route get`, which names table local only afterwards.
   */
  rules?: Rule[]
  neighbours: Neighbour[]
  sysctl: Record<string, string>
  netfilter: Netfilter
  /** kube-proxy nftables mode; undefined when the namespace has no nftables ruleset of its own. */
  nft?: NftTable
  ipsets: Map<string, IpSet>
  /**
   * xt_recent's lists (`/proc/net/xt_recent/<name>`): address → lab time it was last seen, ms.
   * Made by the first `--set`, so namespaces without one hold (and hash) nothing new.
   */
  recent?: Map<string, Map<number, number>>
  ipvs: IpvsService[]
  conntrack: ConntrackTable
  /** The kernel's message buffer, on a host's own namespace once its kernel has written a line. */
  kmsg?: KernelLog
  sockets: Socket[]
  /**
   * Namespace ids as this namespace numbers its peers (`link-netnsid N`): the kernel assigns them
   * on first use, from 0.
   */
  peerNsids: Map<string, number>
  /** Next IP identification for locally generated datagrams without DF. */
  ipIdNext: number
  /** The ICMP error limiter's bucket per destination (the inetpeer cache). */
  icmpPeers: Map<Ipv4, IcmpPeerBucket>
  /** Listeners to the namespace's conntrack and neighbour events. */
  netlink: NetlinkGroups
}

export function newNetns(id: string, kind: NetnsKind): Netns {
  return {
    id,
    kind,
    links: [],
    nextIfindex: 1,
    addresses: [],
    routes: [],
    neighbours: [],
    sysctl: { ...SYSCTL_DEFAULTS },
    netfilter: newNetfilter(),
    ipsets: new Map(),
    ipvs: [],
    conntrack: { entries: [], nextId: 1 },
    sockets: [],
    peerNsids: new Map(),
    ipIdNext: 1,
    icmpPeers: new Map(),
    netlink: newNetlinkGroups()
  }
}

// Plain loops: these run at every hop of a packet walk, where a callback per call adds up.
export function linkByName(ns: Netns, name: string): Link | undefined {
  for (const l of ns.links) if (l.name === name) return l
  return undefined
}

export function linkByIndex(ns: Netns, ifindex: number): Link | undefined {
  for (const l of ns.links) if (l.ifindex === ifindex) return l
  return undefined
}

/** The nsid this namespace uses for `other`, allocating the next free one as the kernel does. */
export function peerNsid(ns: Netns, other: string): number {
  let id = ns.peerNsids.get(other)
  if (id === undefined) {
    id = ns.peerNsids.size
    ns.peerNsids.set(other, id)
  }
  return id
}
