/**
 * glibc's nss_files reading of /etc/hosts (nss/nss_files/files-hosts.c, glibc 2.36): `#` starts
 * a comment anywhere on a line; the first field is an address inet_pton reads, the next the
 * host's name and the rest its aliases; a line whose address does not parse is skipped.
 */
import { formatIpv4, parseIpv4 } from '../net/ipv4.ts'
import { formatIpv6, parseIpv6 } from '../net/ipv6.ts'

export type AddressFamily = 'inet' | 'inet6'

export interface HostsEntry {
  readonly family: AddressFamily
  /** As inet_ntop prints it, which is how getent shows it. */
  readonly address: string
  readonly name: string
  readonly aliases: readonly string[]
}

/** One address getaddrinfo answers with. */
export interface AddrTuple {
  readonly family: AddressFamily
  /** As inet_ntop prints it. */
  readonly address: string
}

/** The hostent a lookup by name builds: the first match's name, every match's addresses. */
export interface HostEnt {
  readonly name: string
  readonly aliases: readonly string[]
  readonly addresses: readonly string[]
}

export function parseHostsFile(text: string): HostsEntry[] {
  return text.split('\n').flatMap((line): HostsEntry[] => {
    const [address = '', name, ...aliases] = line
      .replace(/#.*/, '')
      .trim()
      .split(/[ \t]+/)
    if (name === undefined) return []
    const v4 = parseIpv4(address)
    if (v4 !== undefined) return [{ family: 'inet', address: formatIpv4(v4), name, aliases }]
    const v6 = parseIpv6(address)
    return v6 ? [{ family: 'inet6', address: formatIpv6(v6), name, aliases }] : []
  })
}

const names = (e: HostsEntry): readonly string[] => [e.name, ...e.aliases]
const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase()

/**
 * gethostbyname for one family: names compare case-insensitively, and since glibc 2.26 every
 * matching line adds its addresses, its aliases and then its own name when that differs (by
 * strcmp) from the first line's, which gives the hostent its name.
 */
export function hostsByName(
  entries: readonly HostsEntry[],
  name: string,
  family: AddressFamily
): HostEnt | undefined {
  const matches = entries.filter((e) => e.family === family && names(e).some((n) => sameName(n, name)))
  const [first, ...rest] = matches
  if (!first) return undefined
  return {
    name: first.name,
    aliases: [
      ...first.aliases,
      ...rest.flatMap((e) => (e.name === first.name ? e.aliases : [...e.aliases, e.name]))
    ],
    addresses: matches.map((e) => e.address)
  }
}

/** gethostbyaddr: the first line for the address, alone. */
export function hostsByAddress(entries: readonly HostsEntry[], address: string): HostEnt | undefined {
  const e = entries.find((x) => x.address === address)
  return e && { name: e.name, aliases: e.aliases, addresses: [e.address] }
}

/** An IPv6 line as gethostbyname3_r reads it for IPv4: ::1 and a v4-mapped address have one. */
function asIpv4(e: HostsEntry): string | undefined {
  if (e.family === 'inet') return e.address
  if (e.address === '::1') return '127.0.0.1'
  const b = parseIpv6(e.address)!
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff
  return mapped ? b.slice(12).join('.') : undefined
}

/**
 * What getaddrinfo takes from the hosts file. Asked for no family (gethostbyname4_r), every
 * line naming the host, of both families, in file order; asked for IPv4 (gethostbyname3_r), the
 * IPv4 lines and the IPv6 ones that have an IPv4 reading, so that kubelet's `::1 localhost` line
 * gives localhost 127.0.0.1 a second time. The canonical name is the first such line's.
 */
export function hostsAddrInfo(
  entries: readonly HostsEntry[],
  name: string,
  family: 'inet' | 'unspec'
): { canonname: string; answers: AddrTuple[] } | undefined {
  const matches = entries.filter((e) => names(e).some((n) => sameName(n, name)))
  const answers = matches.flatMap((e): { line: HostsEntry; tuple: AddrTuple }[] => {
    if (family === 'unspec') return [{ line: e, tuple: { family: e.family, address: e.address } }]
    const v4 = asIpv4(e)
    return v4 === undefined ? [] : [{ line: e, tuple: { family: 'inet', address: v4 } }]
  })
  const [first] = answers
  return first && { canonname: first.line.name, answers: answers.map((a) => a.tuple) }
}
