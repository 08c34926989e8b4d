/**
 * The order glibc's getaddrinfo gives its answers (rfc3484_sort in sysdeps/posix/getaddrinfo.c,
 * glibc 2.36, with no /etc/gai.conf): a destination the host has no route to last, then higher
 * precedence, then smaller scope, then the order the answers came in. The lab's hosts only have
 * sources of a destination's own kind (::1 for ::1, a link-local for a link-local, IPv4 for
 * IPv4), so the rules comparing a source with its destination (scope, label, prefix) decide
 * nothing here.
 */
import { parseIpv4 } from '../net/ipv4.ts'
import { parseIpv6 } from '../net/ipv6.ts'
import type { AddrTuple } from './hosts-file.ts'

/** glibc's default_precedence, RFC 3484's table: ::1 50, ::/0 40, 2002::/16 30, ::/96 20, IPv4 10. */
export function precedence(t: AddrTuple): number {
  if (t.family === 'inet') return 10
  const b = parseIpv6(t.address) ?? []
  if (t.address === '::1') return 50
  if (b[0] === 0x20 && b[1] === 0x02) return 30
  if (b.slice(0, 12).every((x) => x === 0)) return 20
  return 40
}

/**
 * get_scope: IPv4's loopback and link-local nets are link scope, its private nets site scope;
 * IPv6's multicast says its own, ::1 and fe80::/10 are link scope, fec0::/10 site scope.
 */
export function scope(t: AddrTuple): number {
  if (t.family === 'inet') {
    const ip = parseIpv4(t.address) ?? 0
    const a = ip >>> 24
    const b = (ip >>> 16) & 0xff
    if (a === 127 || (a === 169 && b === 254)) return 2
    if (a === 10 || (a === 172 && (b & 0xf0) === 16) || (a === 192 && b === 168)) return 5
    return 14
  }
  const b = parseIpv6(t.address) ?? []
  if (b[0] === 0xff) return b[1]! & 0xf
  if (t.address === '::1' || (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80)) return 2
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return 5
  return 14
}

/** The answers in getaddrinfo's order; `reachable` says whether the host has a route to one. */
export function sortAddrInfo<T extends AddrTuple>(answers: readonly T[], reachable: (t: T) => boolean): T[] {
  return answers
    .map((t, i) => ({ t, i, usable: reachable(t) }))
    .sort(
      (x, y) =>
        Number(y.usable) - Number(x.usable) ||
        precedence(y.t) - precedence(x.t) ||
        scope(x.t) - scope(y.t) ||
        x.i - y.i
    )
    .map((x) => x.t)
}
