/**
 * Policy routing rules (fib_rules). Every namespace starts with the kernel's three
 * (fib_default_rules_init); `ip rule add|del` changes a namespace's own copy.
 */
import { prefixMask } from '../net/cidr.ts'
import { formatIpv4, type Ipv4 } from '../net/ipv4.ts'
import type { RouteTable } from './route.ts'

/** What a matching rule does: look a table up, or end the lookup with an error (FR_ACT_*). */
export type RuleAction = 'lookup' | 'blackhole' | 'unreachable' | 'prohibit'

/** A rule's selector prefix. The kernel keeps the address as given, host bits and all. */
export interface RulePrefix {
  address: Ipv4
  prefixLen: number
}

export interface Rule {
  priority: number
  action: RuleAction
  /** The table `lookup` names; a rule with another action may name one too, and prints it. */
  table?: RouteTable
  /** `not`: the rule applies to what its selectors do not match. */
  invert?: boolean
  from?: RulePrefix
  to?: RulePrefix
  fwmark?: number
  /** 0xffffffff when `fwmark` came without a mask. */
  fwmask?: number
  iif?: string
  oif?: string
}

export const DEFAULT_RULES: readonly Rule[] = [
  { priority: 0, action: 'lookup', table: 'local' },
  { priority: 32766, action: 'lookup', table: 'main' },
  { priority: 32767, action: 'lookup', table: 'default' }
]

/** What a route lookup matches rules against (struct flowi4). */
export interface Flow {
  dst: Ipv4
  src: Ipv4
  mark: number
  /** The input device; lo for locally generated packets, as ip_route_output sets it. */
  iif: string
  oif?: string
}

function prefixMatches(p: RulePrefix | undefined, ip: Ipv4): boolean {
  if (p === undefined) return true
  const mask = prefixMask(p.prefixLen)
  return ((p.address ^ ip) & mask) === 0
}

/** fib_rule_match: every selector must match, and `not` turns the answer round. */
export function ruleMatches(rule: Rule, flow: Flow): boolean {
  const matched =
    (rule.iif === undefined || rule.iif === flow.iif) &&
    (rule.oif === undefined || rule.oif === flow.oif) &&
    (rule.fwmark === undefined || ((rule.fwmark ^ flow.mark) & (rule.fwmask ?? 0xffffffff)) === 0) &&
    prefixMatches(rule.from, flow.src) &&
    prefixMatches(rule.to, flow.dst)
  return rule.invert ? !matched : matched
}

/** fib_default_rule_pref: one below the second rule's preference. */
export function defaultPriority(rules: readonly Rule[]): number {
  const second = rules[1]
  return second && second.priority > 0 ? second.priority - 1 : 0
}

/** A new rule goes after every rule whose preference is not above its own. */
export function insertRule(rules: readonly Rule[], rule: Rule): Rule[] {
  const at = rules.findIndex((r) => r.priority > rule.priority)
  return at === -1 ? [...rules, rule] : [...rules.slice(0, at), rule, ...rules.slice(at)]
}

/** What `ip rule del` gave: only the selectors it names have to agree (rule_find). */
export type RuleQuery = Partial<Rule>

export function ruleMatchesQuery(rule: Rule, q: RuleQuery): boolean {
  // A mark without a mask means all 32 bits, on either side; a rule without a mark has none.
  const queryMask = q.fwmask ?? (q.fwmark ? 0xffffffff : 0)
  const ruleMask = rule.fwmark === undefined ? 0 : (rule.fwmask ?? 0xffffffff)
  const samePrefix = (a: RulePrefix | undefined, b: RulePrefix | undefined): boolean =>
    b === undefined || (a !== undefined && a.address === b.address && a.prefixLen === b.prefixLen)
  return (
    (q.priority === undefined || rule.priority === q.priority) &&
    (q.action === undefined || rule.action === q.action) &&
    (q.table === undefined || rule.table === q.table) &&
    (q.iif === undefined || rule.iif === q.iif) &&
    (q.oif === undefined || rule.oif === q.oif) &&
    (!q.fwmark || rule.fwmark === q.fwmark) &&
    (queryMask === 0 || ruleMask === queryMask) &&
    samePrefix(rule.from, q.from) &&
    samePrefix(rule.to, q.to)
  )
}

function prefixText(p: RulePrefix): string {
  return p.prefixLen === 32 ? formatIpv4(p.address) : `${formatIpv4(p.address)}/${p.prefixLen}`
}

/** printf's %#x: no prefix on zero. */
const hex = (n: number): string => (n === 0 ? '0' : `0x${n.toString(16)}`)

/**
 * One line of `ip rule show` (iproute2 6.1 print_rule). `present` says whether a device exists:
 * a rule naming one that does not is detached and matches nothing.
 */
export function formatRule(rule: Rule, present: (dev: string) => boolean = () => true): string {
  let s = `${rule.priority}:\t${rule.invert ? 'not ' : ''}from ${rule.from ? prefixText(rule.from) : 'all'}`
  if (rule.to) s += ` to ${prefixText(rule.to)}`
  if (rule.fwmark !== undefined) {
    const mask = rule.fwmask ?? 0xffffffff
    s += ` fwmark ${hex(rule.fwmark)}${mask !== 0xffffffff ? `/${hex(mask)}` : ''}`
  }
  if (rule.iif !== undefined) s += ` iif ${rule.iif}${present(rule.iif) ? '' : ' [detached]'}`
  if (rule.oif !== undefined) s += ` oif ${rule.oif}${present(rule.oif) ? '' : ' [detached]'}`
  if (rule.table !== undefined) s += ` lookup ${rule.table}`
  if (rule.action !== 'lookup') s += ` ${rule.action}`
  return s
}
