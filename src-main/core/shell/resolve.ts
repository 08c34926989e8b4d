/**
 * The `files` half of host name resolution (`hosts: files dns`): IPv4 addresses in any form
 * inet_aton reads, then the target's /etc/hosts as it reads now, edits included. Names it does
 * not hold go to DNS (dns-resolver.ts).
 */

import type { CommandContext } from './command.ts'
import { formatIpv4, parseInetAton } from '../net/index.ts'
import {
  hostsByAddress,
  hostsByName,
  parseHostsFile,
  type AddressFamily,
  type HostEnt
} from './hosts-file.ts'
import { readVirtualFile } from './virtual-files.ts'

function hostsEntries(ctx: CommandContext): ReturnType<typeof parseHostsFile> {
  const file = readVirtualFile(ctx, '/etc/hosts')
  return file.ok ? parseHostsFile(file.text) : []
}

/** gethostbyname2 through /etc/hosts alone. */
export const filesByName = (ctx: CommandContext, name: string, family: AddressFamily): HostEnt | undefined =>
  hostsByName(hostsEntries(ctx), name, family)

/** gethostbyaddr through /etc/hosts alone. */
export const filesByAddress = (ctx: CommandContext, ip: string): HostEnt | undefined =>
  hostsByAddress(hostsEntries(ctx), ip)

/**
 * The dotted quad a name resolves to without DNS, or undefined: getaddrinfo takes any of
 * inet_aton's forms as an address, then looks in /etc/hosts.
 */
export function resolveHost(ctx: CommandContext, name: string): string | undefined {
  const ip = parseInetAton(name)
  if (ip !== undefined) return formatIpv4(ip)
  return filesByName(ctx, name, 'inet')?.addresses[0]
}

/** iputils and curl print times with fewer decimals as they grow (ping_common.c). */
export function formatRtt(ms: number): string {
  if (ms >= 100) return Math.round(ms).toString()
  if (ms >= 10) return ms.toFixed(1)
  if (ms >= 1) return ms.toFixed(2)
  return ms.toFixed(3)
}
