/**
 * Wire bytes for captured frames, so `tcpdump -w` writes a pcap that real tcpdump and
 * Wireshark read: Ethernet, ARP, IPv4 (with header checksum), ICMP, TCP (with the options the
 * sender wrote and the text it carries, such as HTTP), UDP and VXLAN with the inner frame.
 * Payload bytes the simulator does not model (ping's pattern, UDP probes) are zeros.
 */

import type { IcmpView, Ipv4View, PacketView, TcpOption, TcpView, UdpView } from '../engine/trace.ts'
import { parseIpv4 } from '../net/index.ts'

class Writer {
  readonly bytes: number[] = []
  u8(v: number): this {
    this.bytes.push(v & 0xff)
    return this
  }
  u16(v: number): this {
    return this.u8(v >>> 8).u8(v)
  }
  u32(v: number): this {
    return this.u16(v >>> 16).u16(v)
  }
  mac(m: string): this {
    for (const h of m.split(':')) this.u8(parseInt(h, 16))
    return this
  }
  ip(text: string): this {
    return this.u32(parseIpv4(text) ?? 0)
  }
  zeros(n: number): this {
    for (let i = 0; i < n; i++) this.u8(0)
    return this
  }
  put(b: readonly number[]): this {
    for (const x of b) this.u8(x)
    return this
  }
}

/** The Internet checksum (RFC 1071) over `bytes`. */
export function inetChecksum(bytes: readonly number[], initial = 0): number {
  let sum = initial
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}

function pseudoHeaderSum(ip: Ipv4View, proto: number, length: number): number {
  const w = new Writer().ip(ip.src).ip(ip.dst).u8(0).u8(proto).u16(length)
  let sum = 0
  for (let i = 0; i < w.bytes.length; i += 2) sum += ((w.bytes[i] ?? 0) << 8) | (w.bytes[i + 1] ?? 0)
  return sum
}

const PROTO = { icmp: 1, tcp: 6, udp: 17 } as const

function ipHeader(ip: Ipv4View, payloadLength: number): number[] {
  const w = new Writer()
    .u8(0x45)
    .u8(ip.tos)
    .u16(20 + payloadLength)
    .u16(ip.id)
    .u16(ip.df ? 0x4000 : 0)
    .u8(ip.ttl)
    .u8(PROTO[ip.protocol])
    .u16(0)
    .ip(ip.src)
    .ip(ip.dst)
  const sum = inetChecksum(w.bytes)
  w.bytes[10] = sum >>> 8
  w.bytes[11] = sum & 0xff
  return w.bytes
}

function encodeOptions(options: readonly TcpOption[]): number[] {
  const w = new Writer()
  for (const o of options) {
    switch (o.kind) {
      case 'mss':
        w.u8(2).u8(4).u16(o.value)
        break
      case 'sackOK':
        w.u8(4).u8(2)
        break
      case 'ts':
        w.u8(8).u8(10).u32(o.val).u32(o.ecr)
        break
      case 'nop':
        w.u8(1)
        break
      case 'wscale':
        w.u8(3).u8(3).u8(o.value)
        break
    }
  }
  while (w.bytes.length % 4 !== 0) w.u8(0)
  return w.bytes
}

const TCP_FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, '.': 0x10, U: 0x20 }

function tcpSegment(ip: Ipv4View, tcp: TcpView, payloadLength: number): number[] {
  const opts = encodeOptions(tcp.options)
  const data = tcp.data === undefined ? [] : [...new TextEncoder().encode(tcp.data)]
  let flags = 0
  for (const c of tcp.flags) flags |= TCP_FLAG_BITS[c] ?? 0
  const w = new Writer()
    .u16(tcp.sport)
    .u16(tcp.dport)
    .u32(tcp.seq)
    .u32(tcp.ack)
    .u8(((20 + opts.length) / 4) << 4)
    .u8(flags)
    .u16(tcp.window)
    .u16(0)
    .u16(0)
    .put(opts)
    .put(data)
    .zeros(payloadLength - data.length)
  const sum = checksumLeftToDevice(tcp)
    ? foldedSum(pseudoHeaderSum(ip, 6, w.bytes.length))
    : inetChecksum(w.bytes, pseudoHeaderSum(ip, 6, w.bytes.length))
  w.bytes[16] = sum >>> 8
  w.bytes[17] = sum & 0xff
  return w.bytes
}

/**
 * A socket's segment leaves its checksum to the device (CHECKSUM_PARTIAL): the kernel writes
 * only the pseudo-header's sum, and every device of the lab (veth, bridge, VXLAN over a veth)
 * passes the segment on without filling it in, so tcpdump reads that sum everywhere on the
 * path, NAT having updated it. A reset the kernel sends for a socket-less segment
 * (tcp_v4_send_reset), the only kind the lab sends, is checksummed in full.
 */
function checksumLeftToDevice(tcp: TcpView): boolean {
  return !tcp.flags.includes('R')
}

function foldedSum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return sum
}

/** A TCP segment's checksum field as captured, and the value a complete checksum would have. */
export function tcpChecksums(p: PacketView): { captured: number; correct: number } {
  if (!p.ip || p.l4?.kind !== 'tcp') throw new Error('not a TCP segment')
  const bytes = tcpSegment(p.ip, p.l4, p.payloadLength)
  const captured = (bytes[16]! << 8) | bytes[17]!
  bytes[16] = 0
  bytes[17] = 0
  return { captured, correct: inetChecksum(bytes, pseudoHeaderSum(p.ip, 6, bytes.length)) }
}

function udpDatagram(ip: Ipv4View, udp: UdpView, body: readonly number[]): number[] {
  const w = new Writer()
    .u16(udp.sport)
    .u16(udp.dport)
    .u16(8 + body.length)
    .u16(0)
    .put(body)
  const sum = inetChecksum(w.bytes, pseudoHeaderSum(ip, 17, w.bytes.length))
  // 0 means "no checksum" in UDP, so a computed 0 is sent as 0xffff.
  const wire = sum === 0 ? 0xffff : sum
  w.bytes[6] = wire >>> 8
  w.bytes[7] = wire & 0xff
  return w.bytes
}

function icmpMessage(icmp: IcmpView, payloadLength: number): number[] {
  const w = new Writer().u8(icmp.type).u8(icmp.code).u16(0)
  if (icmp.type === 0 || icmp.type === 8)
    w.u16(icmp.id ?? 0)
      .u16(icmp.seq ?? 0)
      .zeros(payloadLength)
  else {
    w.u16(0).u16(icmp.type === 3 && icmp.code === 4 ? (icmp.mtu ?? 0) : 0)
    if (icmp.quoted) {
      // RFC 792 quotes the offending IP header and the first 8 bytes of its payload; Linux
      // quotes as much as fits in 576 bytes, and so do we.
      const q = icmp.quoted
      const inner = l4Bytes(q.ip, q.l4, Math.max(0, q.ip.length - 20 - l4HeaderLength(q.l4)))
      const quoted = [...ipHeader(q.ip, inner.length), ...inner]
      w.put(quoted.slice(0, 576 - 20 - 8))
    }
  }
  const sum = inetChecksum(w.bytes)
  w.bytes[2] = sum >>> 8
  w.bytes[3] = sum & 0xff
  return w.bytes
}

/** The TCP or UDP header's length (ICMP's fixed part). */
export function l4HeaderLength(l4: TcpView | UdpView | IcmpView): number {
  if (l4.kind === 'tcp') return 20 + encodeOptions(l4.options).length
  return 8
}

function l4Bytes(ip: Ipv4View, l4: TcpView | UdpView | IcmpView, payloadLength: number): number[] {
  switch (l4.kind) {
    case 'tcp':
      return tcpSegment(ip, l4, payloadLength)
    case 'udp':
      return udpDatagram(ip, l4, new Array<number>(payloadLength).fill(0))
    case 'icmp':
      return icmpMessage(l4, payloadLength)
  }
}

/** A frame's bytes, as the wire carries them. */
export function encodeFrame(p: PacketView): number[] {
  const w = new Writer()
  if (p.eth)
    w.mac(p.eth.dst)
      .mac(p.eth.src)
      .u16(p.eth.ethertype === 'ARP' ? 0x0806 : 0x0800)
  if (p.arp) {
    const a = p.arp
    w.u16(1)
      .u16(0x0800)
      .u8(6)
      .u8(4)
      .u16(a.op === 'request' ? 1 : 2)
      .mac(a.senderMac)
      .ip(a.senderIp)
      .mac(a.targetMac)
      .ip(a.targetIp)
    return w.bytes
  }
  if (!p.ip || !p.l4) return w.bytes
  let l4: number[]
  if (p.vxlan && p.l4.kind === 'udp' && p.inner) {
    const vx = new Writer()
      .u8(p.vxlan.flags)
      .zeros(3)
      .u8(p.vxlan.vni >>> 16)
      .u8(p.vxlan.vni >>> 8)
      .u8(p.vxlan.vni)
      .u8(0)
    l4 = udpDatagram(p.ip, p.l4, [...vx.bytes, ...encodeFrame(p.inner)])
  } else l4 = l4Bytes(p.ip, p.l4, p.payloadLength)
  w.put(ipHeader(p.ip, l4.length)).put(l4)
  return w.bytes
}

/** A classic pcap file (microsecond timestamps, Ethernet link type, 262144-byte snaplen). */
export function pcapFile(
  frames: readonly { readonly atMs: number; readonly bytes: readonly number[] }[]
): Uint8Array {
  const out: number[] = []
  const le32 = (v: number): void => {
    out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff)
  }
  const le16 = (v: number): void => {
    out.push(v & 0xff, (v >>> 8) & 0xff)
  }
  le32(0xa1b2c3d4)
  le16(2)
  le16(4)
  le32(0)
  le32(0)
  le32(262144)
  le32(1)
  for (const f of frames) {
    const us = Math.round(f.atMs * 1000)
    le32(Math.floor(us / 1_000_000))
    le32(us % 1_000_000)
    le32(f.bytes.length)
    le32(f.bytes.length)
    out.push(...f.bytes)
  }
  return Uint8Array.from(out)
}
