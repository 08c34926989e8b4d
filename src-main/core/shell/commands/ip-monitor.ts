/**
 * `ip monitor [all | link | address | route | neigh | rule …]` (iproute2 6.1): listens to the
 * namespace's netlink groups and prints each event as iproute2 does (`Deleted ` before a
 * removal), until Ctrl+C. `all` puts the group's banner (`[LINK]`, `[RULE]` …) before each
 * event; plain `ip monitor` watches every group without banners.
 */
import type { CommandContext, CommandOutput, LiveProcess, ProcessIo } from '../command.ts'
import { fail } from '../command.ts'
import { linkByIndex, linkByName } from '../../linux/netns.ts'
import type {
  AddrEvent,
  LinkEvent,
  NeighEvent,
  NetlinkGroups,
  RouteEvent,
  RuleEvent
} from '../../linux/netlink.ts'
import { formatRule } from '../../linux/rule.ts'
import { formatIpv4 } from '../../net/ipv4.ts'
import { addressLines, isLinkdown, routeLine } from './ip-show.ts'
import { linkLayerLine, monitorLinkHeader } from './link-view.ts'

/** `mon`, `moni` … `monitor`: iproute2 takes any prefix no other object claims first. */
export const isMonitor = (word: string): boolean => word.length >= 3 && 'monitor'.startsWith(word)

/** One event as `ip monitor` prints it; the kernel sends no address with a failed entry. */
export function formatNeighEvent(ev: NeighEvent, device: string): string {
  const n = ev.neighbour
  const lladdr = n.lladdr && ev.state !== 'FAILED' && ev.state !== 'INCOMPLETE' ? ` lladdr ${n.lladdr}` : ''
  return `${ev.type === 'del' ? 'Deleted ' : ''}${formatIpv4(n.ip)} dev ${device}${lladdr} ${ev.state} `
}

type Group = 'link' | 'addr' | 'route' | 'neigh' | 'rule'

/** ipmonitor.c's objects in the order it matches them, so `l` is link and `r` route. */
const OBJECTS: readonly [string, Group | undefined][] = [
  ['link', 'link'],
  ['address', 'addr'],
  ['route', 'route'],
  ['mroute', undefined],
  ['prefix', undefined],
  ['neigh', 'neigh'],
  ['netconf', undefined],
  ['rule', 'rule'],
  ['nsid', undefined],
  ['nexthop', undefined],
  ['stats', undefined]
]

const BANNER: Record<Group, string> = {
  link: '[LINK]',
  addr: '[ADDR]',
  route: '[ROUTE]',
  neigh: '[NEIGH]',
  rule: '[RULE]'
}

/** The groups the objects ask for and whether banners are printed, or the refusal. */
function parse(objects: readonly string[]): { groups: Set<Group>; banners: boolean } | CommandOutput {
  const groups = new Set<Group>()
  let banners = false
  for (const o of objects) {
    if (o === 'all' || o === 'label') {
      banners = true
      continue
    }
    const found = OBJECTS.find(([name]) => name.startsWith(o))
    if (!found) return fail(`Argument "${o}" is unknown, try "ip monitor help".\n`, 255)
    if (!found[1])
      return fail(
        `ip monitor: the lab raises no ${found[0]} events; watch link, address, route, neigh or rule\n`,
        1
      )
    groups.add(found[1])
  }
  return {
    groups: groups.size > 0 ? groups : new Set(['link', 'addr', 'route', 'neigh', 'rule']),
    banners
  }
}

/** Where nobody can press Ctrl+C (a script, the CLI), it is interrupted before any event. */
export function monitorAtOnce(objects: readonly string[]): CommandOutput {
  const parsed = parse(objects)
  return 'exitCode' in parsed ? parsed : { stdout: '', stderr: '', exitCode: 0 }
}

export function monitorNetlink(
  objects: readonly string[],
  ctx: CommandContext,
  io: ProcessIo
): LiveProcess | CommandOutput {
  const parsed = parse(objects)
  if ('exitCode' in parsed) return parsed
  const ns = ctx.lab.netns.get(ctx.target.netns)!
  const print = (group: Group, text: string): void => {
    io.write('stdout', `${parsed.banners ? BANNER[group] : ''}${text}\n`)
  }
  const deleted = (type: 'new' | 'del'): string => (type === 'del' ? 'Deleted ' : '')
  const listeners = {
    link: (ev: LinkEvent): void =>
      print(
        'link',
        `${monitorLinkHeader(ctx.lab, ns, ev.link, ev.settling === true)}\n${linkLayerLine(ctx.lab, ns, ev.link)}`
      ),
    addr: (ev: AddrEvent): void => {
      const name = linkByIndex(ns, ev.address.ifindex)?.name ?? '?'
      print('addr', `${deleted(ev.type)}${ev.address.ifindex}: ${name}${addressLines(ev.address)}`)
    },
    route: (ev: RouteEvent): void =>
      print(
        'route',
        `${deleted(ev.type)}${routeLine(ns, ev.route, undefined, true, isLinkdown(ctx.lab.netns, ns, ev.route))}`
      ),
    neigh: (ev: NeighEvent): void =>
      print('neigh', formatNeighEvent(ev, linkByIndex(ns, ev.neighbour.ifindex)?.name ?? '?')),
    rule: (ev: RuleEvent): void =>
      print('rule', `${deleted(ev.type)}${formatRule(ev.rule, (dev) => linkByName(ns, dev) !== undefined)}`)
  }
  const groups = ns.netlink as NetlinkGroups
  const subscribe = (on: boolean): void => {
    for (const g of parsed.groups) {
      const set = groups[g] as Set<(ev: never) => void>
      if (on) set.add(listeners[g])
      else set.delete(listeners[g])
    }
  }
  subscribe(true)
  let listening = true
  return {
    // ip sets no handler: the signal ends it with the shell's 128+N status and no last words.
    signal: (sig) => {
      if (!listening) return
      listening = false
      subscribe(false)
      io.exit(sig === 'INT' ? 130 : 143)
    }
  }
}
