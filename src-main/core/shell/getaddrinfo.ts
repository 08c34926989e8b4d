/**
 * getaddrinfo as ping and `getent ahosts` call it, both families at once: an address as
 * written, else /etc/hosts, else DNS; the answers in glibc's order (address-order.ts) and the
 * canonical name on the first answer alone, so an answer sorted behind it has none.
 */
import type { Lab } from '../kube/lab.ts'
import { lookupRoute } from '../linux/ops.ts'
import type { Netns } from '../linux/netns.ts'
import { formatIpv4, parseInetAton } from '../net/index.ts'
import { parseIpv4 } from '../net/ipv4.ts'
import { formatIpv6, parseIpv6 } from '../net/ipv6.ts'
import { sortAddrInfo } from './address-order.ts'
import type { CommandContext } from './command.ts'
import type { Prober } from './commands/ping.ts'
import { ipv6Addresses, lookupIpv6 } from './commands/ip-inet6.ts'
import { glibcResolve } from './dns-resolver.ts'
import { hostsAddrInfo, parseHostsFile, type AddrTuple } from './hosts-file.ts'
import { readVirtualFile } from './virtual-files.ts'

export interface AddrInfoRequest {
  /** ai_family: AF_INET, or AF_UNSPEC for both. */
  readonly family: 'inet' | 'unspec'
  /** AI_ADDRCONFIG: answer only in the families the host has addresses of. */
  readonly addrconfig: boolean
}

export type AddrInfoResult =
  | { readonly ok: true; readonly canonname: string; readonly answers: readonly AddrTuple[] }
  | { readonly ok: false; readonly reason: 'not-found' | 'try-again' }

/**
 * __check_pf: which families the host has an address of, its loopback ones (127.0.0.1 and ::1)
 * aside; a link-local IPv6 address counts.
 */
export function configuredFamilies(lab: Lab, ns: Netns): { inet: boolean; inet6: boolean } {
  return {
    inet: ns.addresses.some((a) => formatIpv4(a.address) !== '127.0.0.1'),
    inet6: ipv6Addresses(lab, ns).some((a) => a.address !== '::1')
  }
}

/** Rule 1's test: whether a connect() to the address would find a route. */
function reachable(lab: Lab, ns: Netns, t: AddrTuple): boolean {
  if (t.family === 'inet6') return lookupIpv6(lab, ns, parseIpv6(t.address)!).kind !== 'unreachable'
  const route = lookupRoute(ns, parseIpv4(t.address)!)
  return route !== undefined && ['unicast', 'local', 'broadcast'].includes(route.type)
}

function literal(name: string, family: AddrInfoRequest['family']): AddrTuple | undefined {
  const v4 = parseInetAton(name)
  if (v4 !== undefined) return { family: 'inet', address: formatIpv4(v4) }
  const v6 = family === 'unspec' ? parseIpv6(name) : undefined
  return v6 && { family: 'inet6', address: formatIpv6(v6) }
}

/**
 * With AI_ADDRCONFIG a host with addresses of one family only asks for that family (IPv4 as
 * AF_INET does, so the hosts file's ::1 reads as 127.0.0.1); with none it asks for both.
 */
export function getaddrinfoAll(
  ctx: CommandContext,
  probe: Prober,
  name: string,
  request: AddrInfoRequest
): AddrInfoResult {
  const ns = ctx.lab.netns.get(ctx.target.netns)!
  let family = request.family
  let keep: 'inet6' | undefined
  if (request.addrconfig) {
    const seen = configuredFamilies(ctx.lab, ns)
    if (family === 'inet' && !seen.inet) return { ok: false, reason: 'not-found' }
    if (family === 'unspec' && seen.inet && !seen.inet6) family = 'inet'
    if (family === 'unspec' && seen.inet6 && !seen.inet) keep = 'inet6'
  }
  return lookup(ctx, probe, ns, name, family, keep)
}

function lookup(
  ctx: CommandContext,
  probe: Prober,
  ns: Netns,
  name: string,
  family: AddrInfoRequest['family'],
  keep: 'inet6' | undefined
): AddrInfoResult {
  const written = literal(name, family)
  if (written !== undefined) return { ok: true, canonname: name, answers: [written] }
  const file = readVirtualFile(ctx, '/etc/hosts')
  const local = hostsAddrInfo(file.ok ? parseHostsFile(file.text) : [], name, family)
  let found: { canonname: string; answers: readonly AddrTuple[] }
  if (local !== undefined) found = local
  else {
    const dns = glibcResolve(ctx, probe, name, family === 'inet' ? ['A'] : ['A', 'AAAA'])
    if (!dns.ok) return dns
    found = {
      canonname: dns.name,
      answers: dns.addresses.map((address) => ({
        family: address.includes(':') ? 'inet6' : 'inet',
        address
      }))
    }
  }
  const answers = found.answers.filter((t) => keep === undefined || t.family === keep)
  if (answers.length === 0) return { ok: false, reason: 'not-found' }
  return {
    ok: true,
    canonname: found.canonname,
    answers: sortAddrInfo(answers, (t) => reachable(ctx.lab, ns, t))
  }
}
