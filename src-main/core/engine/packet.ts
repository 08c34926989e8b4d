import type { Ipv4 } from '../net/ipv4.ts'
import { formatIpv4 } from '../net/ipv4.ts'
import type { Mac } from '../net/mac.ts'
import type { IcmpView, PacketView, TcpView, UdpView } from './trace.ts'

export type L4Proto = 'icmp' | 'tcp' | 'udp'

export interface IcmpL4 {
  kind: 'icmp'
  type: number
  code: number
  id: number
  seq: number
  mtu?: number
  /** For errors: the offending packet (its IP and L4 header). */
  quoted?: Packet
}

export interface TcpL4 {
  kind: 'tcp'
  sport: number
  dport: number
  flags: string
  seq: number
  ack: number
}

export interface UdpL4 {
  kind: 'udp'
  sport: number
  dport: number
}

/** The engine's working packet: numbers inside, printed only into trace views. */
export interface Packet {
  eth?: { src: Mac; dst: Mac }
  src: Ipv4
  dst: Ipv4
  ttl: number
  id: number
  df: boolean
  tos: number
  l4: IcmpL4 | TcpL4 | UdpL4
  payloadLength: number
  mark: number
  /** VXLAN-encapsulated frame carried as this UDP datagram's payload. */
  inner?: Packet
  vni?: number
}

/** Header lengths as Linux sends them: SYN/SYN-ACK carry 20 bytes of options, other segments 12 (timestamps). */
export function l4HeaderLength(p: Packet): number {
  if (p.l4.kind === 'icmp') return 8
  if (p.l4.kind === 'udp') return 8
  return p.l4.flags.includes('S') ? 40 : 32
}

/** IPv4 total length. */
export function ipLength(p: Packet): number {
  if (p.inner) return 20 + 8 + 8 + 14 + ipLength(p.inner)
  if (p.l4.kind === 'icmp' && p.l4.quoted) return 20 + 8 + 20 + 8
  return 20 + l4HeaderLength(p) + p.payloadLength
}

export function protoOf(p: Packet): L4Proto {
  return p.l4.kind
}

export function clonePacket(p: Packet): Packet {
  return { ...p, ...(p.eth ? { eth: { ...p.eth } } : {}), l4: { ...p.l4 } }
}

function l4View(p: Packet): IcmpView | TcpView | UdpView {
  const l4 = p.l4
  // The only RST the lab sends is tcp_v4_send_reset's answer to a closed port, which advertises no window.
  if (l4.kind === 'tcp') return { kind: 'tcp', sport: l4.sport, dport: l4.dport, flags: l4.flags, seq: l4.seq, ack: l4.ack, window: l4.flags.startsWith('R') ? 0 : 64240 }
  if (l4.kind === 'udp') return { kind: 'udp', sport: l4.sport, dport: l4.dport, length: 8 + (p.inner ? 8 + 14 + ipLength(p.inner) : p.payloadLength) }
  const v: IcmpView = { kind: 'icmp', type: l4.type, code: l4.code }
  if (l4.type === 0 || l4.type === 8) {
    v.id = l4.id
    v.seq = l4.seq
  }
  if (l4.mtu !== undefined) v.mtu = l4.mtu
  if (l4.quoted) {
    const q = view(l4.quoted)
    v.quoted = { ip: q.ip!, l4: q.l4! as TcpView | UdpView | IcmpView }
  }
  return v
}

/** The JSON view of a packet for the trace. */
export function view(p: Packet): PacketView {
  const v: PacketView = {
    ip: { src: formatIpv4(p.src), dst: formatIpv4(p.dst), ttl: p.ttl, id: p.id, df: p.df, tos: p.tos, length: ipLength(p), protocol: p.l4.kind },
    l4: l4View(p),
    mark: p.mark,
    payloadLength: p.inner ? 8 + 14 + ipLength(p.inner) : p.payloadLength
  }
  if (p.eth) v.eth = { src: p.eth.src, dst: p.eth.dst, ethertype: 'IPv4' }
  if (p.inner) {
    v.vxlan = { vni: p.vni ?? 0, flags: 0x08 }
    v.inner = view(p.inner)
  }
  return v
}
