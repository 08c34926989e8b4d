/**
 * The selector of `ip neigh show|flush` (iproute2 6.1's do_show_or_flush): `dev X` picks a
 * device, a bare word (or `to WORD`) is an address prefix, `nud STATE` keeps entries in that
 * state. Without `nud`, a listing hides NOARP entries and a flush spares PERMANENT and NOARP
 * ones; a flush's `nud all` still spares NOARP.
 */
import type { CommandOutput } from '../command.ts'
import { fail } from '../command.ts'
import type { Link } from '../../linux/link.ts'
import type { Neighbour, NeighbourState } from '../../linux/neighbour.ts'
import { linkByName, type Netns } from '../../linux/netns.ts'
import type { Cidr } from '../../net/cidr.ts'
import { badPrefix, parseSelectorPrefix, samePrefix } from './ip-route-filter.ts'
import { incomplete, invalidArgument } from './ip-errors.ts'

export interface NeighbourFilter {
  dev?: Link
  prefix?: Cidr
  states: ReadonlySet<NeighbourState>
}

/** nud_state_a2n's names, as `ip neigh` takes them after `nud`. */
export const NUD_NAMES: Record<string, NeighbourState> = {
  permanent: 'PERMANENT',
  reachable: 'REACHABLE',
  noarp: 'NOARP',
  stale: 'STALE',
  incomplete: 'INCOMPLETE',
  delay: 'DELAY',
  probe: 'PROBE',
  failed: 'FAILED'
}

const EVERY_STATE = Object.values(NUD_NAMES)

function statesExcept(...left: NeighbourState[]): Set<NeighbourState> {
  return new Set(EVERY_STATE.filter((s) => !left.includes(s)))
}

/** The selector `ip neigh show` (or `flush`) was given, or what iproute2 says about it. */
export function parseNeighbourFilter(
  ns: Netns,
  args: readonly string[],
  verb: 'show' | 'flush'
): NeighbourFilter | CommandOutput {
  const filter: NeighbourFilter = {
    states: verb === 'flush' ? statesExcept('PERMANENT', 'NOARP') : statesExcept('NOARP')
  }
  let devName: string | undefined
  let states: Set<NeighbourState> | undefined
  for (let i = 0; i < args.length; i++) {
    let word = args[i]!
    if (word === 'dev') {
      devName = args[++i]
      if (devName === undefined) return incomplete()
    } else if (word === 'nud') {
      const name = args[++i]
      if (name === undefined) return incomplete()
      states ??= new Set()
      if (name === 'all')
        for (const s of verb === 'flush' ? statesExcept('NOARP') : EVERY_STATE) states.add(s)
      else {
        const state = NUD_NAMES[name]
        if (state === undefined) return invalidArgument(name, 'nud state is bad')
        states.add(state)
      }
    } else {
      if (word === 'to') {
        const next = args[++i]
        if (next === undefined) return incomplete()
        word = next
      }
      const prefix = parseSelectorPrefix(word)
      if (prefix === undefined) return badPrefix(word)
      if (prefix === 'any') delete filter.prefix
      else filter.prefix = prefix
    }
  }
  if (devName !== undefined) {
    const dev = linkByName(ns, devName)
    if (!dev) return fail(`Cannot find device "${devName}"\n`, 1)
    filter.dev = dev
  }
  if (states) filter.states = states
  return filter
}

export function neighbourSelected(filter: NeighbourFilter, n: Neighbour): boolean {
  if (filter.dev && n.ifindex !== filter.dev.ifindex) return false
  const { prefix } = filter
  if (prefix && !samePrefix(n.ip, prefix.network, prefix.prefixLen)) return false
  return filter.states.has(n.state)
}
