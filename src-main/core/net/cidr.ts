import { formatIpv4, parseIpv4, type Ipv4 } from './ipv4.ts'

/** An IPv4 prefix. `network` always has its host bits cleared. */
export interface Cidr {
  readonly network: Ipv4
  readonly prefixLen: number
}

export function prefixMask(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0
}

export function makeCidr(ip: Ipv4, prefixLen: number): Cidr {
  return { network: (ip & prefixMask(prefixLen)) >>> 0, prefixLen }
}

/** Parses `a.b.c.d/len` or a bare address (a /32), as iproute2 and iptables accept. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/')
  const ip = parseIpv4(slash === -1 ? text : text.slice(0, slash))
  if (ip === undefined) return undefined
  if (slash === -1) return makeCidr(ip, 32)
  const lenText = text.slice(slash + 1)
  if (!/^\d{1,2}$/.test(lenText)) return undefined
  const len = Number(lenText)
  return len > 32 ? undefined : makeCidr(ip, len)
}

export function cidr(text: string): Cidr {
  const value = parseCidr(text)
  if (!value) throw new Error(`not an IPv4 prefix: ${text}`)
  return value
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.network)}/${c.prefixLen}`
}

export function cidrContains(c: Cidr, ip: Ipv4): boolean {
  return (ip & prefixMask(c.prefixLen)) >>> 0 === c.network
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrCovers(outer: Cidr, inner: Cidr): boolean {
  return inner.prefixLen >= outer.prefixLen && cidrContains(outer, inner.network)
}

/** The n-th address of the prefix (0 = the network address). */
export function cidrHost(c: Cidr, n: number): Ipv4 {
  return (c.network + n) >>> 0
}

export function cidrBroadcast(c: Cidr): Ipv4 {
  return (c.network | ~prefixMask(c.prefixLen)) >>> 0
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefixLen)
}

export function cidrEquals(a: Cidr, b: Cidr): boolean {
  return a.network === b.network && a.prefixLen === b.prefixLen
}
