/**
 * The Trace: what the packet engine returns for one probe (ping, TCP connect, UDP datagram) and
 * what the UI's packet stepper, lesson predicates and `podnet trace --json` consume. Everything
 * here is plain JSON (strings and numbers): addresses are printed, MACs lowercase, and every
 * decision is a reason code the renderer localises, never prose. Parts that do not change from
 * one hop to the next (packet views and their headers, route details, rule hits) are one shared
 * object rather than copies, in a trace and across traces and the capture log: read-only.
 */

import type { RouteTable } from '../linux/route.ts'
import type { DnsMessage } from '../net/dns-message.ts'

/** Ethernet header as seen on the wire. */
export interface EthernetView {
  src: string
  dst: string
  /** `IPv4` (0x0800) or `ARP` (0x0806). */
  ethertype: 'IPv4' | 'ARP'
}

export interface Ipv4View {
  src: string
  dst: string
  ttl: number
  /** IP identification field. */
  id: number
  /** Don't Fragment. */
  df: boolean
  tos: number
  /** Total length (header + payload), bytes. */
  length: number
  protocol: 'icmp' | 'tcp' | 'udp'
}

export interface IcmpView {
  kind: 'icmp'
  /** 0 echo reply, 3 destination unreachable, 8 echo request, 11 time exceeded. */
  type: number
  code: number
  /** Echo id/seq (echo only). */
  id?: number
  seq?: number
  /** Next-hop MTU in "fragmentation needed" errors. */
  mtu?: number
  /** The offending datagram's headers, for ICMP errors. */
  quoted?: { ip: Ipv4View; l4: TcpView | UdpView | IcmpView }
}

/** A TCP option as the sender wrote it (and tcpdump prints it). */
export type TcpOption =
  | { kind: 'mss'; value: number }
  | { kind: 'sackOK' }
  | { kind: 'ts'; val: number; ecr: number }
  | { kind: 'nop' }
  | { kind: 'wscale'; value: number }

export interface TcpView {
  kind: 'tcp'
  sport: number
  dport: number
  /** tcpdump's notation: `S`, `S.`, `.`, `P.`, `F.`, `R.`, `R`. */
  flags: string
  seq: number
  ack: number
  /** The window field as sent: scaled by the peer's window scale once the handshake is done. */
  window: number
  /** The options in the order the sender wrote them; NAT and forwarding never change them. */
  options: readonly TcpOption[]
  /** The segment's payload as text (an HTTP request or answer), when it carries any. */
  data?: string
}

export interface UdpView {
  kind: 'udp'
  sport: number
  dport: number
  /** UDP length (header + payload). */
  length: number
  /** The DNS message inside, for a query to or an answer from a DNS server. */
  dns?: DnsMessage
}

export interface VxlanView {
  vni: number
  /** `I` flag (valid VNI) is always set by Linux. */
  flags: number
}

/**
 * A frame or packet at one point of its walk. For VXLAN-encapsulated traffic `eth`/`ip`/`l4`
 * are the outer headers (UDP to 8472), `vxlan` holds the VNI and `inner` the original frame.
 */
export interface PacketView {
  /** Absent while the packet is an IP datagram not yet framed (socket, routing, netfilter). */
  eth?: EthernetView
  /** ARP frames carry `arp` instead of `ip`. */
  ip?: Ipv4View
  arp?: { op: 'request' | 'reply'; senderIp: string; senderMac: string; targetIp: string; targetMac: string }
  l4?: IcmpView | TcpView | UdpView
  vxlan?: VxlanView
  inner?: PacketView
  /** skb mark (kube-proxy's 0x4000 masquerade bit). */
  mark: number
  /** Application payload bytes (after the L4 header). */
  payloadLength: number
}

/** Which part of the kernel decided at a hop. */
export type Stage =
  | 'socket-send'
  | 'route-lookup'
  | 'neigh-lookup'
  | 'arp-resolve'
  | 'netfilter'
  | 'conntrack'
  | 'ipvs'
  | 'nft'
  | 'mtu-check'
  | 'ip-forward'
  | 'link-xmit'
  | 'link-recv'
  | 'veth-cross'
  | 'wire'
  | 'bridge-learn'
  | 'bridge-forward'
  | 'bridge-flood'
  | 'bridge-local'
  | 'vxlan-encap'
  | 'vxlan-decap'
  | 'local-deliver'
  | 'socket-deliver'
  | 'icmp-reply'
  | 'icmp-error'
  | 'tcp-reply'
  | 'drop'

/** Why a packet died. */
export type DropReason =
  | 'no-route'
  | 'link-down'
  | 'no-carrier'
  | 'neigh-failed'
  | 'netfilter-drop'
  | 'netfilter-reject'
  | 'ip-forward-disabled'
  | 'upstream-no-route'
  | 'ttl-exceeded'
  | 'frag-needed'
  | 'frame-too-big'
  | 'message-too-long'
  | 'not-for-us'
  | 'hairpin-off'
  | 'bridge-no-port'
  | 'vxlan-no-fdb'
  | 'no-socket'
  | 'icmp-rate-limited'
  | 'martian'
  | 'ct-invalid'
  | 'ct-table-full'
  | 'loop'

/** One netfilter rule that matched (or the policy), while walking a hook. */
export interface RuleHit {
  table: string
  chain: string
  /** 1-based rule number (`--line-numbers`); 0 = the chain's policy. */
  rule: number
  /** The rule as iptables-save prints it (or `nft` for nftables). */
  text: string
  /** Stable object id, e.g. `node-1/iptables/nat/KUBE-SERVICES/3`. */
  id: string
  /** The target taken: ACCEPT, DROP, REJECT, RETURN, DNAT, MASQUERADE, MARK, jump:<chain> … */
  target: string
}

export interface NetfilterDetail {
  hook: 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING'
  table: string
  /** How many rules the kernel evaluated in this traversal (across jumps). */
  rulesEvaluated: number
  hits: RuleHit[]
  verdict: 'ACCEPT' | 'DROP' | 'REJECT'
  /** Conntrack state the packet had when it entered the hook. */
  ctstate: 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED'
  /** NAT applied here. */
  nat?: { kind: 'DNAT' | 'SNAT' | 'MASQUERADE'; to: string }
}

export interface RouteDetail {
  /** The matching route as `ip route` prints it (prefixed with `local ` for table local). */
  route: string
  table: RouteTable
  type: 'unicast' | 'local' | 'broadcast'
  gateway?: string
  dev?: string
  src?: string
}

/** One step of the walk. */
export interface Hop {
  /** Order within the trace, from 0. */
  seq: number
  /** Which packet of the exchange this is. */
  leg: 'request' | 'reply' | 'error' | 'arp'
  netns: string
  /** Link name, when the step happens on a link. */
  device?: string
  /** `netns/device` id (or `netns/...` object id) for hotspots. */
  objectId?: string
  stage: Stage
  /** Stage-specific facts; see the detail interfaces. Numbers and strings only. */
  detail?: RouteDetail | NetfilterDetail | Record<string, string | number | boolean | undefined>
  before?: PacketView
  after?: PacketView
  /** Set on the hop where the packet died. */
  drop?: DropReason
}

/** How the exchange ended, from the sender's point of view. */
export type TraceOutcome =
  /**
   * A reply came back: echo reply, SYN-ACK, or a UDP answer. `payload`: what the app answered
   * (the bytes of the whole answer for a connection that sent a payload).
   */
  | { kind: 'reply'; from: string; ttl: number; payload?: string; dns?: DnsMessage }
  /** An ICMP error came back (unreachable, time exceeded, frag needed). */
  | {
      kind: 'icmp-error'
      from: string
      type: number
      code: number
      mtu?: number
      /** The sender's own kernel also failed the send (a REJECT in its OUTPUT hook). */
      sendErrno?: 'EPERM'
    }
  /** TCP RST came back. */
  | { kind: 'refused'; from: string }
  /** Nothing came back. */
  | { kind: 'no-reply' }
  /** The sender's own kernel refused to send (EMSGSIZE, ENETUNREACH). */
  | {
      kind: 'local-error'
      errno: 'EMSGSIZE' | 'ENETUNREACH' | 'EHOSTUNREACH' | 'EPERM' | 'EACCES' | 'EINVAL' | 'ECONNREFUSED'
      mtu?: number
    }

export interface ProbeSpec {
  proto: 'icmp' | 'tcp' | 'udp'
  /** Where the probe starts: node, pod, pod/container or external host name. */
  from: string
  to: string
  port?: number
  /** ICMP/UDP payload bytes (ping -s). */
  size?: number
  /** Set DF (ping -M do). */
  dontFragment?: boolean
  ttl?: number
  /** ICMP echo id and sequence (ping's process id and counter); seeded when absent. */
  icmpId?: number
  seq?: number
  /** SO_BINDTODEVICE (ping -I DEV): the sender's routes go through this device only. */
  bindDevice?: string
  /** bind() to this local address (ping -I ADDR): the packets' source, seen by `from` rules. */
  bindAddress?: string
  /** Fixed TCP/UDP source port; an ephemeral one from the seeded generator when absent. */
  sourcePort?: number
  /**
   * TCP: what the client writes once connected (curl's request). With it the whole connection
   * is walked — handshake, request, the app's answer, the close — instead of SYN and SYN-ACK.
   */
  payload?: string
  /** UDP: the DNS query the datagram carries (its size follows from the message). */
  dns?: DnsMessage
  /**
   * TCP: how long the caller waits for the handshake (curl's -m or --connect-timeout). An
   * unanswered SYN is sent again on the kernel's schedule within it, each one walked in full.
   */
  connectWaitMs?: number
  /**
   * UDP: the sender sends more before it reads this answer (glibc's A and AAAA from one
   * sendmmsg), so the clock stays where the probe left; the answer came `rttMs` later.
   */
  readsAnswerLater?: boolean
}

export interface Trace {
  probe: ProbeSpec
  /** The netns the probe left from. */
  source: string
  /** Ephemeral source port (TCP/UDP) or ICMP echo id. */
  sourcePort: number
  hops: Hop[]
  outcome: TraceOutcome
  /** For TCP/UDP: which pod/process answered (after any DNAT), e.g. `web-2`. */
  servedBy?: string
  /** Netns that generated the final answer or error. */
  answeredIn?: string
  /** Total iptables/nft rules evaluated over the whole trace. */
  rulesEvaluated: number
  /** Lab time the probe was sent (ms). */
  at: number
  /** Simulated round-trip time in ms (seeded), when a reply came back. */
  rttMs?: number
}

/** One frame in the capture log, for tcpdump. */
export interface CapturedFrame {
  batch: number
  at: number
  netns: string
  device: string
  direction: 'in' | 'out'
  frame: PacketView
  /**
   * A frame a bridge forwarded between two of its ports: the bridge device itself sees it only
   * while it is promiscuous (br_handle_frame_finish passes it up then), which `tcpdump -i cni0`
   * makes it unless given `-p`; `-i any` never sets promiscuous mode.
   */
  promiscOnly?: true
}
