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
