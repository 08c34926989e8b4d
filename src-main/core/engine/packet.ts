import type { DnsMessage } from '../net/dns-message.ts'
import type { Ipv4 } from '../net/ipv4.ts'
import { formatIpv4 } from '../net/ipv4.ts'
import type { Mac } from '../net/mac.ts'
import type { IcmpView, PacketView, TcpOption, TcpView, UdpView } from './trace.ts'

export type L4Proto = 'icmp' | 'tcp' | 'udp'

export interface IcmpL4 {
  readonly kind: 'icmp'
  readonly type: number
  readonly code: number
  readonly id: number
  readonly seq: number
  readonly mtu?: number
  /** For errors: the offending packet (its IP and L4 header). */
  readonly quoted?: Packet
}

export interface TcpL4 {
  readonly kind: 'tcp'
  readonly sport: number
  readonly dport: number
  readonly flags: string
  readonly seq: number
  readonly ack: number
  readonly window: number
  /** Shared, never changed: a new segment gets a new array. */
  readonly options: readonly TcpOption[]
  readonly data: string | undefined
}

export interface UdpL4 {
  readonly kind: 'udp'
  readonly sport: number
  readonly dport: number
  /** The DNS message this datagram carries; shared, never changed. */
  readonly dns?: DnsMessage
}

/** The engine's working packet: numbers inside, printed only into trace views. */
export interface Packet {
  readonly eth?: { readonly src: Mac; readonly dst: Mac }
  readonly src: Ipv4
  readonly dst: Ipv4
  readonly ttl: number
  readonly id: number
  readonly df: boolean
  readonly tos: number
  readonly l4: IcmpL4 | TcpL4 | UdpL4
  readonly payloadLength: number
  readonly mark: number
  /** VXLAN-encapsulated frame carried as this UDP datagram's payload. */
  readonly inner?: Packet
  readonly vni?: number
  /**
   * Which state of its headers the packet is in: a number no other state of any packet has, given
   * anew by every header change (the writers below). The view memo is valid for one revision.
   */
  readonly rev: number
  /** The last view made of this packet (see `view`); copies of the packet may carry it along. */
  readonly memo?: ViewMemo
}

type Writable<T> = { -readonly [K in keyof T]: T[K] }

let revisions = 0

/**
 * The one way a packet's headers change: every writer goes through here, so a packet's revision
 * says whether its view memo still holds. The fields are read-only everywhere else, so a write
 * that skipped this would not compile.
 */
function write(p: Packet): Writable<Packet> {
  const w = p as Writable<Packet>
  w.rev = ++revisions
  return w
}

function writeL4<T extends Packet['l4']>(p: Packet, l4: T): Writable<T> {
  write(p)
  return l4 as Writable<T>
}

export function setSource(p: Packet, ip: Ipv4): void {
  if (p.src !== ip) write(p).src = ip
}

export function setDestination(p: Packet, ip: Ipv4): void {
  if (p.dst !== ip) write(p).dst = ip
}

/** A TCP or UDP source port; an ICMP packet has none and is left as it is. */
export function setSourcePort(p: Packet, port: number): void {
  const l4 = p.l4
  if (l4.kind !== 'icmp' && l4.sport !== port) writeL4(p, l4).sport = port
}

/** A TCP or UDP destination port; an ICMP packet has none and is left as it is. */
export function setDestinationPort(p: Packet, port: number): void {
  const l4 = p.l4
  if (l4.kind !== 'icmp' && l4.dport !== port) writeL4(p, l4).dport = port
}

/** Link headers; the same addresses again leave the packet as it is. */
export function setEthernet(p: Packet, eth: Packet['eth']): void {
  const now = p.eth
  if (now === eth || (now !== undefined && eth !== undefined && now.src === eth.src && now.dst === eth.dst))
    return
  write(p).eth = eth
}

export function setMark(p: Packet, mark: number): void {
  if (p.mark !== mark) write(p).mark = mark
}

export function decrementTtl(p: Packet): void {
  write(p).ttl--
}

export function setTtlAndDf(p: Packet, ttl: number, df: boolean): void {
  const w = write(p)
  w.ttl = ttl
  w.df = df
}

/** An ICMP message's identifier, which conntrack tracks in place of a source port. */
export function setIcmpId(p: Packet, id: number): void {
  const l4 = p.l4
  if (l4.kind === 'icmp' && l4.id !== id) writeL4(p, l4).id = id
}

/** The next-hop MTU a "fragmentation needed" error reports. */
export function setIcmpMtu(p: Packet, mtu: number): void {
  const l4 = p.l4
  if (l4.kind === 'icmp') writeL4(p, l4).mtu = mtu
}

/** Makes `outer` carry `inner` as its VXLAN payload. */
export function encapsulate(outer: Packet, inner: Packet, vni: number): void {
  const w = write(outer)
  w.inner = inner
  w.vni = vni
}

/** What an ICMP error quotes of the packet: its IP header and what follows, without link headers. */
export function quotable(p: Packet): Packet {
  const q = write(clonePacket(p))
  q.eth = undefined
  q.inner = undefined
  return q
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
    rev: ++revisions,
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
  const c: Writable<IcmpL4> = icmpL4(l4.type, l4.code, l4.id, l4.seq, l4.quoted)
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
    rev: p.rev,
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
  /** The revision of the packet the view was made from. */
  rev: number
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

/**
 * The views of the quoted datagram and of the encapsulated frame are still the ones in the memo:
 * those packets have revisions of their own.
 */
function sameNested(p: Packet, m: ViewMemo): boolean {
  const l4 = p.l4
  if (l4.kind === 'icmp' && (l4.quoted === undefined ? undefined : view(l4.quoted)) !== m.quoted) return false
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
  // A copy (clonePacket) shares the memo while both have the same revision; whichever changes
  // first gets a revision the memo was not made for.
  if (m !== undefined && m.rev === p.rev && sameNested(p, m)) return m.view
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
    ;(p as Writable<Packet>).memo = {
      rev: p.rev,
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
  m.rev = p.rev
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
