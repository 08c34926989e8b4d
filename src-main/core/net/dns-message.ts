/**
 * A DNS message as the lab's resolvers and CoreDNS exchange it: only what the tools print
 * (header flags, one question, answer and authority records, the EDNS OPT record) and what
 * the wire size needs. Names are absolute and end with a dot, as dig prints them.
 */

import { parseIpv6 } from './ipv6.ts'

export type DnsType = 'A' | 'AAAA' | 'SOA' | 'PTR' | 'MX'

export type DnsRcode = 'NOERROR' | 'SERVFAIL' | 'NXDOMAIN' | 'REFUSED'

export interface DnsQuestion {
  readonly name: string
  readonly type: DnsType
}

export interface SoaData {
  readonly mname: string
  readonly rname: string
  readonly serial: number
  readonly refresh: number
  readonly retry: number
  readonly expire: number
  readonly minimum: number
}

export type DnsRecord =
  | { readonly name: string; readonly ttl: number; readonly type: 'A'; readonly address: string }
  | { readonly name: string; readonly ttl: number; readonly type: 'SOA'; readonly soa: SoaData }
  | { readonly name: string; readonly ttl: number; readonly type: 'PTR'; readonly target: string }

export interface DnsMessage {
  readonly id: number
  readonly response: boolean
  readonly authoritative: boolean
  readonly recursionDesired: boolean
  readonly recursionAvailable: boolean
  readonly rcode: DnsRcode
  readonly question: DnsQuestion
  readonly answers: readonly DnsRecord[]
  readonly authority: readonly DnsRecord[]
  /** EDNS(0): the advertised UDP size, and whether a client cookie (8 bytes) rides along. */
  readonly edns?: { readonly udpSize: number; readonly cookie: boolean }
}

export const RCODE_NUMBER: Record<DnsRcode, number> = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 }

/** Bytes of a name in wire form without compression: a length byte per label, then the root's 0. */
function nameBytes(name: string): number {
  const labels = name.split('.').filter((l) => l !== '')
  return labels.reduce((n, l) => n + 1 + l.length, 1)
}

function recordBytes(r: DnsRecord): number {
  if (r.type === 'A') return nameBytes(r.name) + 10 + 4
  if (r.type === 'PTR') return nameBytes(r.name) + 10 + nameBytes(r.target)
  return nameBytes(r.name) + 10 + nameBytes(r.soa.mname) + nameBytes(r.soa.rname) + 20
}

/**
 * The UDP payload size of a message. Names are written whole: CoreDNS's DNS library compresses
 * only when it must shrink an answer to fit, so an A answer repeats the question's name.
 */
export function dnsWireLength(m: DnsMessage): number {
  let n = 12 + nameBytes(m.question.name) + 4
  for (const r of m.answers) n += recordBytes(r)
  for (const r of m.authority) n += recordBytes(r)
  if (m.edns) n += 11 + (m.edns.cookie ? 12 : 0)
  return n
}

/**
 * The name a PTR query for an address asks about: an IPv4 address's octets reversed under
 * in-addr.arpa, an IPv6 address's 32 nibbles reversed under ip6.arpa.
 */
export function reverseName(ip: string): string {
  const v6 = ip.includes(':') ? parseIpv6(ip) : undefined
  if (v6 === undefined) return `${ip.split('.').reverse().join('.')}.in-addr.arpa.`
  const nibbles = v6.flatMap((byte) => [(byte >> 4).toString(16), (byte & 0xf).toString(16)])
  return `${nibbles.reverse().join('.')}.ip6.arpa.`
}

/** The address an in-addr.arpa name stands for, when it names a whole one. */
export function addressOfReverseName(name: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa\.$/i.exec(name)
  if (!m || m.slice(1).some((o) => Number(o) > 255)) return undefined
  return m.slice(1).reverse().map(Number).join('.')
}
