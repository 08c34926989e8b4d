import type { DnsMessage } from '../net/dns-message.ts'
import type { Ipv4 } from '../net/ipv4.ts'
import { formatIpv4 } from '../net/ipv4.ts'
import type { Mac } from '../net/mac.ts'
import type { IcmpView, PacketView, TcpOption, TcpView, UdpView } from './trace.ts'

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
  window: number
  /** Shared, never changed: a new segment gets a new array. */
  options: readonly TcpOption[]
  data: string | undefined
}

export interface UdpL4 {
  kind: 'udp'
  sport: number
  dport: number
  /** The DNS message this datagram carries; shared, never changed. */
  dns?: DnsMessage
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
  /** The last view made of this packet (see `view`); copies of the packet may carry it along. */
  memo?: ViewMemo
}

/** Bytes the options take in the header, padded to a multiple of 4. */
export function tcpOptionBytes(options: readonly TcpOption[]): number {
  let n = 0
  for (const o of options)
    n += o.kind === 'mss' ? 4 : o.kind === 'sackOK' ? 2 : o.kind === 'ts' ? 10 : o.kind === 'wscale' ? 3 : 1
  return Math.ceil(n / 4) * 4
}

export function l4HeaderLength(p: Packet): number {
  if (p.l4.kind === 'icmp') return 8
  if (p.l4.kind === 'udp') return 8
  return 20 + tcpOptionBytes(p.l4.options)
}

/** IPv4 total length. */
export function ipLength(p: Packet): number {
  if (p.inner) return 20 + 8 + 8 + 14 + ipLength(p.inner)
  if (p.l4.kind === 'icmp' && p.l4.quoted) return 20 + 8 + 20 + 8
  return 20 + l4HeaderLength(p) + p.payloadLength
}

/**
 * Every packet is made here, with all its fields in one order, so the walk's property reads
 * see a single object shape instead of one per place a packet is made.
 */
export function makePacket(
  src: Ipv4,
  dst: Ipv4,
  ttl: number,
  id: number,
  df: boolean,
  tos: number,
  l4: Packet['l4'],
  payloadLength: number
): Packet {
  return {
    eth: undefined,
    src,
    dst,
    ttl,
    id,
    df,
    tos,
    l4,
    payloadLength,
    mark: 0,
    inner: undefined,
    vni: undefined,
    memo: undefined
  }
}

export function tcpL4(
  sport: number,
  dport: number,
  flags: string,
  seq: number,
  ack: number,
  window: number,
  options: readonly TcpOption[],
  data?: string
): TcpL4 {
  return { kind: 'tcp', sport, dport, flags, seq, ack, window, options, data }
}

export function udpL4(sport: number, dport: number, dns?: DnsMessage): UdpL4 {
  return dns === undefined ? { kind: 'udp', sport, dport } : { kind: 'udp', sport, dport, dns }
}

export function icmpL4(type: number, code: number, id: number, seq: number, quoted?: Packet): IcmpL4 {
  return { kind: 'icmp', type, code, id, seq, mtu: undefined, quoted }
}

function copyL4(l4: Packet['l4']): Packet['l4'] {
  if (l4.kind === 'tcp')
    return tcpL4(l4.sport, l4.dport, l4.flags, l4.seq, l4.ack, l4.window, l4.options, l4.data)
  if (l4.kind === 'udp') return udpL4(l4.sport, l4.dport, l4.dns)
  const c = icmpL4(l4.type, l4.code, l4.id, l4.seq, l4.quoted)
  c.mtu = l4.mtu
  return c
}

/** A copy whose headers (Ethernet, IP, L4) can change without touching the original. */
export function clonePacket(p: Packet): Packet {
  return {
    eth: p.eth ? { src: p.eth.src, dst: p.eth.dst } : undefined,
    src: p.src,
    dst: p.dst,
    ttl: p.ttl,
    id: p.id,
    df: p.df,
    tos: p.tos,
    l4: copyL4(p.l4),
    payloadLength: p.payloadLength,
    mark: p.mark,
    inner: p.inner,
    vni: p.vni,
    memo: p.memo
  }
}

/**
 * What the last view of a packet was made from. A walk views its packet at nearly every hop
 * while only a few hops change it, so the view (and each unchanged header inside it) is made
 * once and shared by every hop, capture frame and netfilter record until the packet changes:
 * copy-on-write instead of a deep copy per hop. Views are therefore read-only to consumers.
 * The memo holds every header field flat, so that the check at each hop reads the memo alone
 * rather than the view's nested headers; a packet rewrites its memo in place, so it costs one
 * allocation per packet, not one per change.
 */
interface ViewMemo {
  src: number
  dst: number
  ttl: number
  id: number
  df: boolean
  tos: number
  mark: number
  ethSrc: Mac | undefined
  ethDst: Mac | undefined
  payloadLength: number
  vni: number | undefined
  /** l4 fields: ports or echo id/seq, tcp seq/ack, icmp type/code/mtu. */
  a: number
  b: number
  c: number
  d: number
  e: number | undefined
  flags: string | undefined
  /** tcp window, options and payload text. */
  win: number
  options: readonly TcpOption[] | undefined
  data: string | undefined
  dns: DnsMessage | undefined
  kind: L4Proto
  /** Views of the quoted datagram (ICMP errors) and of the encapsulated frame (VXLAN). */
  quoted: PacketView | undefined
  inner: PacketView | undefined
  view: PacketView
}

function sameHeaders(p: Packet, m: ViewMemo): boolean {
  if (
    p.src !== m.src ||
    p.dst !== m.dst ||
    p.ttl !== m.ttl ||
    p.id !== m.id ||
    p.df !== m.df ||
    p.tos !== m.tos ||
    p.mark !== m.mark ||
    p.payloadLength !== m.payloadLength ||
    p.vni !== m.vni
  )
    return false
  const eth = p.eth
  if (eth === undefined ? m.ethDst !== undefined : eth.src !== m.ethSrc || eth.dst !== m.ethDst) return false
  const l4 = p.l4
  if (l4.kind !== m.kind) return false
  if (l4.kind === 'tcp') {
    if (
      l4.sport !== m.a ||
      l4.dport !== m.b ||
      l4.seq !== m.c ||
      l4.ack !== m.d ||
      l4.flags !== m.flags ||
      l4.window !== m.win ||
      l4.options !== m.options ||
      l4.data !== m.data
    )
      return false
  } else if (l4.kind === 'udp') {
    if (l4.sport !== m.a || l4.dport !== m.b || l4.dns !== m.dns) return false
  } else {
    if (l4.type !== m.a || l4.code !== m.b || l4.id !== m.c || l4.seq !== m.d || l4.mtu !== m.e) return false
    if ((l4.quoted === undefined ? undefined : view(l4.quoted)) !== m.quoted) return false
  }
  return (p.inner === undefined ? undefined : view(p.inner)) === m.inner
}

function l4View(
  p: Packet,
  quoted: PacketView | undefined,
  inner: PacketView | undefined
): IcmpView | TcpView | UdpView {
  const l4 = p.l4
  if (l4.kind === 'tcp') {
    const v: TcpView = {
      kind: 'tcp',
      sport: l4.sport,
      dport: l4.dport,
      flags: l4.flags,
      seq: l4.seq,
      ack: l4.ack,
      window: l4.window,
      options: l4.options
    }
    if (l4.data !== undefined) v.data = l4.data
    return v
  }
  if (l4.kind === 'udp') {
    const v: UdpView = {
      kind: 'udp',
      sport: l4.sport,
      dport: l4.dport,
      length: 8 + (inner ? 8 + 14 + inner.ip!.length : p.payloadLength)
    }
    if (l4.dns !== undefined) v.dns = l4.dns
    return v
  }
  const v: IcmpView = { kind: 'icmp', type: l4.type, code: l4.code }
  if (l4.type === 0 || l4.type === 8) {
    v.id = l4.id
    v.seq = l4.seq
  }
  if (l4.mtu !== undefined) v.mtu = l4.mtu
  if (quoted) v.quoted = { ip: quoted.ip!, l4: quoted.l4! as TcpView | UdpView | IcmpView }
  return v
}

/**
 * The JSON view of a packet for the trace: the same object as last time while the packet's
 * headers are unchanged, and a new one sharing whichever of its headers did not change.
 */
export function view(p: Packet): PacketView {
  const m = p.memo
  // A memo copied along with the packet (spread, clonePacket) is checked like any other, so it is never stale.
  if (m !== undefined && sameHeaders(p, m)) return m.view
  const quoted = p.l4.kind === 'icmp' && p.l4.quoted ? view(p.l4.quoted) : undefined
  const inner = p.inner ? view(p.inner) : undefined
  const l4 = p.l4
  const a = l4.kind === 'icmp' ? l4.type : l4.sport
  const b = l4.kind === 'icmp' ? l4.code : l4.dport
  const c = l4.kind === 'icmp' ? l4.id : l4.kind === 'tcp' ? l4.seq : 0
  const d = l4.kind === 'icmp' ? l4.seq : l4.kind === 'tcp' ? l4.ack : 0
  const e = l4.kind === 'icmp' ? l4.mtu : undefined
  const flags = l4.kind === 'tcp' ? l4.flags : undefined
  const win = l4.kind === 'tcp' ? l4.window : 0
  const options = l4.kind === 'tcp' ? l4.options : undefined
  const data = l4.kind === 'tcp' ? l4.data : undefined
  const dns = l4.kind === 'udp' ? l4.dns : undefined
  const length = inner ? 20 + 8 + 8 + 14 + inner.ip!.length : ipLength(p)
  const prev = m?.view
  const sameIp =
    m !== undefined &&
    m.src === p.src &&
    m.dst === p.dst &&
    prev!.ip!.ttl === p.ttl &&
    prev!.ip!.id === p.id &&
    prev!.ip!.df === p.df &&
    prev!.ip!.tos === p.tos &&
    m.kind === p.l4.kind &&
    prev!.ip!.length === length
  const ip = sameIp
    ? prev!.ip!
    : {
        src: m?.src === p.src ? prev!.ip!.src : formatIpv4(p.src),
        dst: m?.dst === p.dst ? prev!.ip!.dst : formatIpv4(p.dst),
        ttl: p.ttl,
        id: p.id,
        df: p.df,
        tos: p.tos,
        length,
        protocol: p.l4.kind
      }
  const sameL4 =
    m !== undefined &&
    m.kind === p.l4.kind &&
    m.a === a &&
    m.b === b &&
    m.c === c &&
    m.d === d &&
    m.e === e &&
    m.flags === flags &&
    m.win === win &&
    m.options === options &&
    m.data === data &&
    m.dns === dns &&
    m.quoted === quoted &&
    m.inner === inner &&
    m.payloadLength === p.payloadLength
  const v: PacketView = {
    ip,
    l4: sameL4 ? prev!.l4! : l4View(p, quoted, inner),
    mark: p.mark,
    payloadLength: inner ? 8 + 14 + inner.ip!.length : p.payloadLength
  }
  if (p.eth)
    v.eth =
      prev?.eth && prev.eth.src === p.eth.src && prev.eth.dst === p.eth.dst
        ? prev.eth
        : { src: p.eth.src, dst: p.eth.dst, ethertype: 'IPv4' }
  if (inner) {
    v.vxlan = prev?.vxlan && prev.vxlan.vni === (p.vni ?? 0) ? prev.vxlan : { vni: p.vni ?? 0, flags: 0x08 }
    v.inner = inner
  }
  if (m === undefined) {
    p.memo = {
      src: p.src,
      dst: p.dst,
      ttl: p.ttl,
      id: p.id,
      df: p.df,
      tos: p.tos,
      mark: p.mark,
      ethSrc: p.eth?.src,
      ethDst: p.eth?.dst,
      payloadLength: p.payloadLength,
      vni: p.vni,
      a,
      b,
      c,
      d,
      e,
      flags,
      win,
      options,
      data,
      dns,
      kind: p.l4.kind,
      quoted,
      inner,
      view: v
    }
    return v
  }
  // Rewritten in place rather than replaced: a walk's views are mostly misses of a packet that
  // already has a memo, and a copy sharing it only ever compares against whatever it holds.
  m.src = p.src
  m.dst = p.dst
  m.ttl = p.ttl
  m.id = p.id
  m.df = p.df
  m.tos = p.tos
  m.mark = p.mark
  m.ethSrc = p.eth?.src
  m.ethDst = p.eth?.dst
  m.payloadLength = p.payloadLength
  m.vni = p.vni
  m.a = a
  m.b = b
  m.c = c
  m.d = d
  m.e = e
  m.flags = flags
  m.win = win
  m.options = options
  m.data = data
  m.dns = dns
  m.kind = p.l4.kind
  m.quoted = quoted
  m.inner = inner
  m.view = v
  return v
}
