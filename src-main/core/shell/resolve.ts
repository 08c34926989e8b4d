/**
 * The `files` half of host name resolution: IPv4 addresses in any form inet_aton reads, `localhost`, and the target's own
 * hostname from its /etc/hosts. Names it does not know go to DNS (dns-resolver.ts).
 */

import type { CommandContext } from './command.ts'
import { formatIpv4, parseInetAton } from '../net/index.ts'
import { findPod } from './targets.ts'

/**
 * The dotted quad a name resolves to without DNS, or undefined: getaddrinfo takes any of
 * inet_aton's forms as an address.
 */
export function resolveHost(ctx: CommandContext, name: string): string | undefined {
  const ip = parseInetAton(name)
  if (ip !== undefined) return formatIpv4(ip)
  if (name === 'localhost') return '127.0.0.1'
  if (name === ctx.target.hostname) return ownAddress(ctx)
  return undefined
}

/** The name the target's /etc/hosts gives an address (getnameinfo's `files` half), if any. */
export function hostsName(ctx: CommandContext, ip: string): string | undefined {
  if (ip === '127.0.0.1') return 'localhost'
  return ip === ownAddress(ctx) ? ctx.target.hostname : undefined
}

/** kubelet writes the pod IP for the pod's hostname; Debian maps its own name to 127.0.1.1. */
function ownAddress(ctx: CommandContext): string {
  const pod =
    ctx.target.pod === undefined ? undefined : findPod(ctx.lab, ctx.target.pod, ctx.target.namespace)
  return pod && !pod.hostNetwork ? formatIpv4(pod.ip) : '127.0.1.1'
}

/** iputils and curl print times with fewer decimals as they grow (ping_common.c). */
export function formatRtt(ms: number): string {
  if (ms >= 100) return Math.round(ms).toString()
  if (ms >= 10) return ms.toFixed(1)
  if (ms >= 1) return ms.toFixed(2)
  return ms.toFixed(3)
}
