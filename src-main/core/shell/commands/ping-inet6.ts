/**
 * `ping` to an IPv6 address (iputils 20221126's ping6 path) on a host whose IPv6 is only its
 * own: ::1 and the link-local address of each up link answer; with no default route anything
 * else cannot be reached. Neighbour discovery between hosts is not simulated, and ping says so
 * rather than invent an answer.
 */
import type { CommandContext, CommandOutput } from '../command.ts'
import { fail } from '../command.ts'
import type { TraceOutcome } from '../../engine/trace.ts'
import type { Link } from '../../linux/link.ts'
import { linkByName } from '../../linux/netns.ts'
import { parseInetAton } from '../../net/ipv4.ts'
import { randomInt } from '../../net/index.ts'
import { parseIpv6 } from '../../net/ipv6.ts'
import { ipv6Addresses, lookupIpv6, parseIpv6Destination } from './ip-inet6.ts'

export interface Ipv6Ping {
  /** The destination as the banner and the statistics name it. */
  name: string
  /** What the banner says after `PING name(name) `: the bound source and device. */
  from: string
  warning: string
  /** One echo's fate: a reply from the host itself, or lost. */
  echo: () => { outcome: TraceOutcome; rttMs?: number }
}

const unsupported = (name: string): CommandOutput =>
  fail(`ping: ${name}: Address family for hostname not supported\n`, 2)

/**
 * The IPv6 ping `operand` asks for, an error as ping prints it, or `undefined` when the operand
 * is no IPv6 address (and `-6` was not asked for a literal IPv4 one).
 */
export function ipv6Ping(
  ctx: CommandContext,
  operand: string,
  family: 4 | 6 | undefined,
  bindTo: string | undefined
): Ipv6Ping | CommandOutput | undefined {
  if (parseIpv6(operand.split('%')[0]!) === undefined) {
    return family === 6 && parseInetAton(operand) !== undefined ? unsupported(operand) : undefined
  }
  if (family === 4) return unsupported(operand)
  const ns = ctx.lab.netns.get(ctx.target.netns)!
  const dst = parseIpv6Destination(ns, operand)
  if (dst === undefined || dst === 'bad-zone') return fail(`ping: ${operand}: Name or service not known\n`, 2)
  let bindDev: Link | undefined
  let from = ''
  let boundAddress: string | undefined
  if (bindTo !== undefined) {
    const bound = parseIpv6Destination(ns, bindTo)
    if (bound !== undefined && bound !== 'bad-zone') {
      const own = lookupIpv6(ctx.lab, ns, bound.bytes)
      if (own.kind !== 'local') return fail('ping: bind icmp socket: Cannot assign requested address\n', 2)
      // A link-local address binds only with the link it belongs to.
      if (own.address.scope === 'link') return fail('ping: bind icmp socket: Invalid argument\n', 2)
      boundAddress = own.address.address
      from = `from ${boundAddress} : `
    } else {
      const link = linkByName(ns, bindTo)
      if (link === undefined) return fail(`ping: unknown iface: ${bindTo}\n`, 2)
      bindDev = link
    }
  }
  // The kernel sends to :: as to the loopback address.
  const bytes = dst.bytes.every((b) => b === 0) ? parseIpv6('::1')! : dst.bytes
  const found = lookupIpv6(ctx.lab, ns, bytes, dst.scopeDev ?? bindDev)
  // A socket bound to a link reaches the host's own addresses through that link or lo only.
  const offLink =
    found.kind === 'local' &&
    bindDev !== undefined &&
    bindDev !== found.address.link &&
    bindDev.kind !== 'loopback'
  // The source is chosen before the route's verdict is read: with no IPv6 address at all (lo
  // down, no link-local yet) there is none to choose.
  if (!ipv6Addresses(ctx.lab, ns).some((x) => !x.tentative))
    return fail('ping: connect: Cannot assign requested address\n', 2)
  if (found.kind === 'unreachable' || offLink) return fail('ping: connect: Network is unreachable\n', 2)
  if (found.kind !== 'local')
    return fail(
      `ping: Podnet Lab does not simulate IPv6 between hosts (neighbour discovery, multicast): ${operand} is not one of this host's own IPv6 addresses, which are all it answers.\n`,
      2
    )
  const own = found.address
  let warning = ''
  if (bindTo !== undefined && boundAddress === undefined) {
    // The source the kernel picked for the device: the loopback's own, none for another link.
    const onLo = own.link.kind === 'loopback'
    from = `from ${onLo ? own.address : '::'} ${bindTo}: `
    if (!onLo) warning = `ping: Warning: source address might be selected on device other than: ${bindTo}\n`
  }
  // An echo sent out of a link the address is not on never comes back.
  const lost = dst.scopeDev !== undefined && dst.scopeDev !== own.link
  const replyFrom = own.scope === 'link' ? `${own.address}%${own.link.name}` : own.address
  return {
    name: operand,
    from,
    warning,
    echo: () =>
      lost
        ? { outcome: { kind: 'no-reply' } }
        : {
            outcome: { kind: 'reply', from: replyFrom, ttl: 64 },
            rttMs: randomInt(ctx.lab.rng, 25, 60) / 1000
          }
  }
}
