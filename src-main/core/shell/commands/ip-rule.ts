/**
 * `ip rule [show|add|del|flush]` (iproute2 6.1 iprule.c): the selectors from, to, fwmark, iif,
 * oif and not; lookup TABLE or the actions blackhole, unreachable and prohibit; pref. Output and
 * error texts are iproute2's and the kernel's.
 */
import type { CommandOutput } from '../command.ts'
import { ok } from '../command.ts'
import { announceRules } from '../../linux/netlink.ts'
import { linkByName, type Netns } from '../../linux/netns.ts'
import { parseTable, tableId } from '../../linux/route.ts'
import {
  DEFAULT_RULES,
  defaultPriority,
  formatRule,
  insertRule,
  ruleMatchesQuery,
  type Rule,
  type RulePrefix,
  type RuleQuery
} from '../../linux/rule.ts'
import { parseIpv4 } from '../../net/ipv4.ts'
import { bad, incomplete, invalidArgument, parseU32 } from './ip-errors.ts'

/** get_prefix for a rule selector: `all`, `any` and `default` select everything. */
function parseSelector(text: string): RulePrefix | 'all' | undefined {
  if (text === 'all' || text === 'any' || text === 'default') return 'all'
  const [addr, len, extra] = text.split('/')
  const address = parseIpv4(addr ?? '')
  if (address === undefined || extra !== undefined) return undefined
  if (len === undefined) return { address, prefixLen: 32 }
  if (!/^\d{1,2}$/.test(len) || Number(len) > 32) return undefined
  return { address, prefixLen: Number(len) }
}

const ACTIONS = new Set(['blackhole', 'unreachable', 'prohibit'])

/**
 * iprule.c takes any prefix of preference, order, priority and table (matches()), checking the
 * preference words before the others, so `p` and `prio` are the preference and `tab` the table.
 */
function keyword(word: string): string {
  const prefixOf = (full: string): boolean => word.length > 0 && full.startsWith(word)
  if (prefixOf('preference') || prefixOf('order') || prefixOf('priority')) return 'pref'
  if (word.length > 1 && word !== 'to' && prefixOf('table')) return 'table'
  return word
}

/** The words of `ip rule add|del` as the rule (or the query) they describe. */
function parseRuleArgs(args: readonly string[]): { query?: RuleQuery; error?: CommandOutput } {
  const q: RuleQuery = {}
  for (let i = 0; i < args.length; i++) {
    const word = keyword(args[i]!)
    if (word === 'not') {
      q.invert = true
      continue
    }
    if (
      ['from', 'to', 'fwmark', 'iif', 'dev', 'oif', 'lookup', 'table', 'priority', 'pref'].includes(word) ||
      ['preference', 'order', 'type'].includes(word)
    ) {
      const value = args[++i]
      if (value === undefined) return { error: incomplete() }
      switch (word) {
        case 'from':
        case 'to': {
          const p = parseSelector(value)
          if (p === undefined)
            return { error: bad(`Error: any valid prefix is expected rather than "${value}".`) }
          if (p !== 'all') q[word] = p
          break
        }
        case 'fwmark': {
          const [markText, maskText] = value.split('/')
          const mark = parseU32(markText!)
          if (mark === undefined) return { error: invalidArgument(markText!, 'fwmark value is invalid\n') }
          q.fwmark = mark
          if (maskText !== undefined) {
            const mask = parseU32(maskText)
            if (mask === undefined) return { error: invalidArgument(maskText, 'fwmask value is invalid\n') }
            q.fwmask = mask
          }
          break
        }
        case 'iif':
        case 'dev':
          q.iif = value
          break
        case 'oif':
          q.oif = value
          break
        case 'lookup':
        case 'table': {
          const table = parseTable(value)
          if (table === undefined) return { error: invalidArgument(value, 'invalid table ID\n') }
          q.table = table
          break
        }
        case 'type':
          if (!ACTIONS.has(value)) return { error: invalidArgument(value, 'Failed to parse rule type') }
          q.action = value as Rule['action']
          break
        default: {
          const pref = parseU32(value)
          if (pref === undefined) return { error: invalidArgument(value, 'preference value is invalid\n') }
          q.priority = pref
        }
      }
      continue
    }
    if (!ACTIONS.has(word)) return { error: invalidArgument(word, 'Failed to parse rule type') }
    q.action = word as Rule['action']
  }
  return { query: q }
}

function sameRule(a: Rule, b: Rule): boolean {
  return formatRule(a) === formatRule(b)
}

function addRule(ns: Netns, q: RuleQuery): CommandOutput {
  const rules = ns.rules ?? DEFAULT_RULES
  const action = q.action ?? 'lookup'
  const rule: Rule = {
    ...q,
    action,
    priority: q.priority ?? defaultPriority(rules),
    ...(action === 'lookup' && q.table === undefined ? { table: 'main' as const } : {})
  }
  if (rules.some((r) => sameRule(r, rule))) return bad('RTNETLINK answers: File exists', 2)
  ns.rules = insertRule(rules, rule)
  announceRules(ns.netlink, 'new', [rule])
  return ok('')
}

function deleteRule(ns: Netns, q: RuleQuery): CommandOutput {
  const rules = ns.rules ?? DEFAULT_RULES
  const i = rules.findIndex((r) => ruleMatchesQuery(r, q))
  if (i === -1) return bad('RTNETLINK answers: No such file or directory', 2)
  ns.rules = rules.filter((_, at) => at !== i)
  announceRules(ns.netlink, 'del', [rules[i]!])
  return ok('')
}

/** The listing, narrowed by `table T` or `pref N` as iproute2's filter does. */
function showRules(ns: Netns, filters: readonly string[]): CommandOutput {
  let rules = ns.rules ?? DEFAULT_RULES
  for (let i = 0; i < filters.length; i += 2) {
    const [key, value] = [filters[i]!, filters[i + 1]]
    if (value === undefined) return incomplete()
    if (key === 'table' || key === 'lookup') {
      const table = parseTable(value)
      if (table === undefined) return invalidArgument(value, 'table id value is invalid\n')
      rules = rules.filter((r) => r.table !== undefined && tableId(r.table) === tableId(table))
    } else if (['pref', 'priority', 'preference', 'order'].includes(key)) {
      const pref = parseU32(value)
      if (pref === undefined) return invalidArgument(value, 'preference value is invalid\n')
      rules = rules.filter((r) => r.priority === pref)
    } else return bad(`Error: inet prefix is expected rather than "${key}".`)
  }
  const present = (dev: string): boolean => linkByName(ns, dev) !== undefined
  return ok(rules.map((r) => `${formatRule(r, present)}\n`).join(''))
}

/** `ip rule` with its command word resolved (`show`, `add`, `delete`, `flush`). */
export function runRuleCommand(ns: Netns, verb: string, args: readonly string[]): CommandOutput {
  if (verb === 'show') return showRules(ns, args)
  if (verb === 'flush') {
    // Only the rule that looks table local up cannot go: it has preference 0.
    const rules = ns.rules ?? DEFAULT_RULES
    ns.rules = rules.filter((r) => r.priority === 0)
    announceRules(
      ns.netlink,
      'del',
      rules.filter((r) => r.priority !== 0)
    )
    return ok('')
  }
  const { query, error } = parseRuleArgs(args)
  if (error) return error
  return verb === 'add' ? addRule(ns, query!) : deleteRule(ns, query!)
}
