import type { Ipv4 } from '../net/ipv4.ts'
import type { Mac } from '../net/mac.ts'

/** Per-link packet counters, as `ip -s link` prints them. */
export interface LinkStats {
  rxPackets: number
  rxBytes: number
  rxDropped: number
  txPackets: number
  txBytes: number
  txDropped: number
}

/** Attributes a link has while enslaved to a bridge (`bridge -d link show`). */
export interface BridgePortAttrs {
  hairpin: boolean
  learning: boolean
  flood: boolean
  /** Port number within its bridge, from 1 in enslave order (`bridge link` prints no number, `-d` shows `port_no`). */
  portNo: number
}

interface LinkBase {
  ifindex: number
  name: string
  mtu: number
  mac: Mac
  /** Administrative state (`ip link set X up|down`). */
  up: boolean
  /** ifindex of the bridge this link is a port of. */
  master?: number
  brport?: BridgePortAttrs
  txqlen: number
  stats: LinkStats
  /** Made by `ip link add` and never up since: no qdisc attached yet (`qdisc noop`). */
  neverUp?: boolean
  /**
   * When the link, up, got carrier: addrconf gives it its link-local address then and keeps it
   * until the link goes down; `seq` is the order links of a namespace got theirs in.
   */
  linkLocal?: { at: number; seq: number }
}

export interface LoopbackLink extends LinkBase {
  kind: 'loopback'
}

/** A NIC plugged into an L2 segment of the lab (the underlay switch). */
export interface EtherLink extends LinkBase {
  kind: 'ether'
  /** Id of the segment the cable goes to. */
  segment: string
}

export interface VethLink extends LinkBase {
  kind: 'veth'
  peer: { netns: string; ifindex: number }
}

/** A learned or static forwarding entry of a Linux bridge (`bridge fdb show br X`). */
export interface BridgeFdbEntry {
  mac: Mac
  /** ifindex of the port the MAC was seen on (or of the bridge itself for its own address). */
  port: number
  /** Static entries (own port MACs) print `permanent`; learned ones age out. */
  permanent: boolean
  /** Entries of the bridge device itself (its own MAC) print as `dev cni0 ... master cni0 permanent`. */
  local: boolean
  /** Lab time (ms) the entry was last refreshed by learning. */
  updatedAt: number
}

export interface BridgeLink extends LinkBase {
  kind: 'bridge'
  fdb: BridgeFdbEntry[]
  /** Seconds; learned entries older than this are gone (default 300). */
  ageingTime: number
  /** Next port number to hand out; past 1 once the bridge has had a port. */
  nextPortNo: number
  /** Given an address by hand: it no longer follows its ports' lowest MAC. */
  macSet?: boolean
  /** Given an MTU by hand: it no longer follows its ports' lowest MTU. */
  mtuSet?: boolean
}

/** A VXLAN forwarding entry: inner MAC → remote VTEP (`bridge fdb show dev flannel.1`). */
export interface VxlanFdbEntry {
  mac: Mac
  dst: Ipv4
  permanent: boolean
  /** NUD_NOARP without NUD_PERMANENT (`bridge fdb add ... static`): printed `static`. */
  static?: boolean
}

export interface VxlanLink extends LinkBase {
  kind: 'vxlan'
  vni: number
  /** Source of the outer packets; without it the route to the remote picks one. */
  local?: Ipv4
  /** ifindex of the underlay device (`dev eth0`). */
  dev: number
  dstport: number
  learning: boolean
  ageing: number
  fdb: VxlanFdbEntry[]
}

/** kube-ipvs0: a dummy link holding every ClusterIP in IPVS mode, kept DOWN with NOARP. */
export interface DummyLink extends LinkBase {
  kind: 'dummy'
  noarp: boolean
}

export type Link = LoopbackLink | EtherLink | VethLink | BridgeLink | VxlanLink | DummyLink

/** A bridge's carrier follows its ports' once it has had one; a new bridge has carrier. */
export function hasHadPort(br: BridgeLink): boolean {
  return br.nextPortNo > 1
}

export function emptyStats(): LinkStats {
  return { rxPackets: 0, rxBytes: 0, rxDropped: 0, txPackets: 0, txBytes: 0, txDropped: 0 }
}
