import { formatIptRuleSpec } from '../linux/iptables-rule.ts'
import { isLocalAddress } from '../linux/ops.ts'
import type { Netns } from '../linux/netns.ts'
import {
  portInMatch,
  ruleCounters,
  type Hook,
  type IptChain,
  type IptMatch,
  type IptRule,
  type IptTableName,
  type IptTarget,
  type IpSet
} from '../linux/netfilter.ts'
import { prefixMask } from '../net/cidr.ts'
import { formatIpv4, type Ipv4 } from '../net/ipv4.ts'
import { nextRandom, type RngState } from '../net/rng.ts'
import { setMark, type Packet } from './packet.ts'
import type { RuleHit } from './trace.ts'

export interface HookContext {
  inIface: string | undefined
  outIface: string | undefined
  ctstate: 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED'
  ctDnat: boolean
  rng: RngState
  /** Lab time, for xt_recent's `--seconds`. */
  nowMs: number
  /** br_netfilter's hooks for a frame crossing a bridge (physdev's `--physdev-is-bridged`). */
  bridged?: boolean
}

export type TableVerdict =
  | { kind: 'ACCEPT' }
  | { kind: 'DROP' }
  | { kind: 'REJECT'; rejectWith: string }
  | { kind: 'NAT'; target: Extract<IptTarget, { kind: 'DNAT' | 'SNAT' | 'MASQUERADE' }> }

export interface TableResult {
  verdict: TableVerdict
  evaluated: number
  hits: RuleHit[]
}

/** Verdicts carry no per-packet data, so every table result can point at the same ones. */
const ACCEPT: TableVerdict = { kind: 'ACCEPT' }
const DROP: TableVerdict = { kind: 'DROP' }

/** Rule objects are immutable, so their iptables-save text is computed once for all traces. */
const ruleText = new WeakMap<IptRule, string>()

function textOf(chain: string, rule: IptRule): string {
  let spec = ruleText.get(rule)
  if (spec === undefined) {
    spec = formatIptRuleSpec(rule)
    ruleText.set(rule, spec)
  }
  return spec ? `-A ${chain} ${spec}` : `-A ${chain}`
}

function ipsetKey(flags: string[], p: Packet, type: string): string {
  const proto = p.l4.kind
  const dport = p.l4.kind === 'icmp' ? 0 : p.l4.dport
  const parts = flags.map((flag, i) => {
    const ip = flag === 'src' ? p.src : p.dst
    if (i === 0) return type === 'bitmap:port' ? String(dport) : formatIpv4(ip)
    if (i === 1) return `${proto}:${dport}`
    return formatIpv4(ip)
  })
  return parts.join(',')
}

/**
 * hash:net looks an address up from the most specific prefix the set holds to the least: the
 * first entry found decides, and a `nomatch` entry (kube-router's ipBlock `except`) means no.
 */
function inNetSet(set: IpSet, ip: Ipv4): boolean {
  for (let len = 32; len >= 0; len--) {
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0
    const key = `${formatIpv4((ip & mask) >>> 0)}/${len}`
    if (set.nomatch?.has(key)) return false
    if (set.entries.has(key)) return true
  }
  return false
}

function matchModule(ns: Netns, m: IptMatch, p: Packet, ctx: HookContext): boolean {
  switch (m.module) {
    case 'comment':
      return true
    case 'tcp':
    case 'udp': {
      if (p.l4.kind !== m.module) return false
      if (m.dport && portInMatch(p.l4.dport, m.dport) === m.dport.neg) return false
      if (m.sport && portInMatch(p.l4.sport, m.sport) === m.sport.neg) return false
      return true
    }
    case 'statistic':
      return nextRandom(ctx.rng) * 0x80000000 < m.probability
    case 'mark':
      return ((p.mark & m.mask) >>> 0 === m.value) !== m.neg
    case 'addrtype': {
      if (m.dstType && (isLocalAddress(ns, p.dst) === (m.dstType.value === 'LOCAL')) === m.dstType.neg)
        return false
      if (m.srcType && (isLocalAddress(ns, p.src) === (m.srcType.value === 'LOCAL')) === m.srcType.neg)
        return false
      return true
    }
    case 'conntrack': {
      const states = m.ctstate.value
      const hit = states.includes(ctx.ctstate) || (ctx.ctDnat && states.includes('DNAT'))
      return hit !== m.ctstate.neg
    }
    case 'set': {
      const set = ns.ipsets.get(m.setName)
      if (!set) return m.neg
      if (set.type === 'hash:net') return inNetSet(set, m.flags[0] === 'src' ? p.src : p.dst) !== m.neg
      if (set.type === 'hash:ip,port' || set.type === 'hash:ip,port,ip' || set.type === 'bitmap:port') {
        if (p.l4.kind === 'icmp') return m.neg
      }
      return set.entries.has(ipsetKey(m.flags, p, set.type)) !== m.neg
    }
    case 'recent':
      return matchRecent(ns, m, p, ctx.nowMs)
    case 'icmp':
      return (p.l4.kind === 'icmp' && p.l4.type === m.icmpType.value) !== m.icmpType.neg
    case 'physdev':
      return !m.isBridged || ctx.bridged === true
    case 'multiport': {
      if (p.l4.kind === 'icmp') return false
      const port = p.l4.dport
      return m.dports.some((r) => port >= r.from && port <= r.to)
    }
    case 'limit':
      return true
  }
}

/** xt_recent: `--set` always matches and records; `--rcheck` matches a recent enough entry. */
function matchRecent(
  ns: Netns,
  m: Extract<IptMatch, { module: 'recent' }>,
  p: Packet,
  nowMs: number
): boolean {
  const key = ((m.side === 'rsource' ? p.src : p.dst) & m.mask) >>> 0
  let list = ns.recent?.get(m.name)
  if (m.command === 'set') {
    ns.recent ??= new Map()
    if (!list) ns.recent.set(m.name, (list = new Map()))
    list.set(key, nowMs)
    return true
  }
  const seen = list?.get(key)
  if (seen === undefined) return false
  if (m.seconds === undefined) return true
  const fresh = nowMs - seen <= m.seconds * 1000
  if (m.reap && list) for (const [k, t] of list) if (nowMs - t > m.seconds * 1000) list.delete(k)
  return fresh
}

/**
 * A rule's own criteria in one object shape, made once per rule and position (rules are immutable):
 * parsed rules come in as many shapes as combinations of their optional fields, and reading
 * those fields at every evaluation was a lookup per field. An absent address matches every
 * packet through a zero mask; comments match everything and are left out.
 */
class RuleTest {
  readonly rule: IptRule
  readonly srcMask: number
  readonly srcNet: number
  readonly srcNeg: boolean
  readonly dstMask: number
  readonly dstNet: number
  readonly dstNeg: boolean
  readonly proto: string | undefined
  readonly protoNeg: boolean
  readonly inIface: string | undefined
  readonly inNeg: boolean
  readonly outIface: string | undefined
  readonly outNeg: boolean
  readonly modules: readonly IptMatch[]
  /** The hits made of this rule at this position, and the namespace (id) of each (see `ruleHit`). */
  readonly hits: RuleHit[] = []
  readonly hitNs: string[] = []

  constructor(r: IptRule) {
    this.rule = r
    this.srcMask = r.src ? prefixMask(r.src.value.prefixLen) : 0
    this.srcNet = r.src ? r.src.value.network : 0
    this.srcNeg = r.src ? r.src.neg : false
    this.dstMask = r.dst ? prefixMask(r.dst.value.prefixLen) : 0
    this.dstNet = r.dst ? r.dst.value.network : 0
    this.dstNeg = r.dst ? r.dst.neg : false
    this.proto = r.proto?.value
    this.protoNeg = r.proto ? r.proto.neg : false
    this.inIface = r.inIface?.value
    this.inNeg = r.inIface ? r.inIface.neg : false
    this.outIface = r.outIface?.value
    this.outNeg = r.outIface ? r.outIface.neg : false
    this.modules = r.matches.filter((m) => m.module !== 'comment')
  }
}

/**
 * The tests of a chain's rules, by position, keyed by the chain's rules array. An entry is
 * taken only while it was made from the rule now at its position, so an edit to the chain
 * (a rule added, deleted or replaced) makes the tests of the moved positions anew.
 */
const ruleTests = new WeakMap<readonly IptRule[], RuleTest[]>()

function testsOf(rules: readonly IptRule[]): RuleTest[] {
  let tests = ruleTests.get(rules)
  if (!tests) {
    tests = []
    ruleTests.set(rules, tests)
  }
  return tests
}

function testAt(tests: RuleTest[], index: number, rule: IptRule): RuleTest {
  const t = tests[index]
  if (t !== undefined && t.rule === rule) return t
  return (tests[index] = new RuleTest(rule))
}

function matches(ns: Netns, r: RuleTest, p: Packet, ctx: HookContext): boolean {
  if (((p.src & r.srcMask) >>> 0 === r.srcNet) === r.srcNeg) return false
  if (((p.dst & r.dstMask) >>> 0 === r.dstNet) === r.dstNeg) return false
  if (r.proto !== undefined && (p.l4.kind === r.proto) === r.protoNeg) return false
  if (r.inIface !== undefined && (ctx.inIface === r.inIface) === r.inNeg) return false
  if (r.outIface !== undefined && (ctx.outIface === r.outIface) === r.outNeg) return false
  const ms = r.modules
  for (let i = 0; i < ms.length; i++) if (!matchModule(ns, ms[i]!, p, ctx)) return false
  return true
}

function targetName(t: IptTarget): string {
  switch (t.kind) {
    case 'verdict':
      return t.verdict
    case 'jump':
      return `jump:${t.chain}`
    case 'none':
      return 'none'
    default:
      return t.kind
  }
}

/**
 * RuleHits are pure functions of (namespace, table, chain, position, rule), so each is made once
 * and shared by every trace that hits the rule. A rule's hits are kept with its test, which
 * stands for one position of one chain's rules array; that array is shared by every node
 * kube-proxy writes identically, so the test keeps one hit per namespace id (ids carry its
 * name), checked against the chain name and table it is asked for. A chain's policy hit is
 * kept with the built-in chain the same way.
 */
function ruleHit(ns: Netns, test: RuleTest, tableName: IptTableName, chain: string, index: number): RuleHit {
  const hits = test.hits
  const owners = test.hitNs
  // A test stands for one position, so its hits all carry that position's number.
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i]!
    if (owners[i] === ns.id && h.chain === chain && h.table === tableName) return h
  }
  const hit: RuleHit = {
    table: tableName,
    chain,
    rule: index + 1,
    text: textOf(chain, test.rule),
    id: `${ns.id}/iptables/${tableName}/${chain}/${index + 1}`,
    target: targetName(test.rule.target)
  }
  hits.push(hit)
  owners.push(ns.id)
  return hit
}

/** A built-in chain's policy hit, and the namespace (id) it was made for. */
interface PolicySlot {
  ns: string
  hit: RuleHit
}

/** Policy hits by built-in chain, one per namespace, table and hook that chain served. */
const policyHits = new WeakMap<IptChain, PolicySlot[]>()

function policyHit(
  ns: Netns,
  tableName: IptTableName,
  hook: Hook,
  builtin: IptChain,
  policy: 'ACCEPT' | 'DROP'
): RuleHit {
  let slots = policyHits.get(builtin)
  if (!slots) policyHits.set(builtin, (slots = []))
  let at = -1
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!
    if (s.ns === ns.id && s.hit.chain === hook && s.hit.table === tableName) {
      if (s.hit.target === policy) return s.hit
      at = i
      break
    }
  }
  const hit: RuleHit = {
    table: tableName,
    chain: hook,
    rule: 0,
    text: `:${hook} ${policy}`,
    id: `${ns.id}/iptables/${tableName}/${hook}/policy`,
    target: policy
  }
  if (at === -1) slots.push({ ns: ns.id, hit })
  else slots[at]!.hit = hit
  return hit
}

/**
 * The chains a table run has jumped from (their rules, names and where to go on, one array
 * each), and the hits of the run in progress, copied out at its verdict (exactly as long as the
 * hits). One set of arrays serves every run, filled from index 0 as each starts: runs never nest
 * (no match or target walks a packet), and fresh arrays or frame objects per run, or emptying
 * one by its length, were a steady share of a trace.
 */
const stackRules: IptRule[][] = []
const stackTests: RuleTest[][] = []
const stackNames: string[] = []
const stackNext: number[] = []
const hitScratch: RuleHit[] = []

/**
 * Walks one built-in chain of one table the way ipt_do_table does: rules in order, jumps
 * push, RETURN pops, the first terminal target decides, the policy decides at the end.
 * Updates counters; MARK rewrites the packet's mark and continues.
 */
export function runIptables(
  ns: Netns,
  tableName: IptTableName,
  hook: Hook,
  p: Packet,
  ctx: HookContext,
  /** The packet's IP length, for the counters: its view has it already. */
  bytes: number,
  builtin: IptChain | undefined = ns.netfilter[tableName].chains.hookChain(hook)
): TableResult {
  const table = ns.netfilter[tableName]
  let evaluated = 0
  if (!builtin) return { verdict: ACCEPT, evaluated, hits: [] }
  if (builtin.rules.length === 0) {
    return { verdict: builtin.policy === 'DROP' ? DROP : ACCEPT, evaluated, hits: [] }
  }
  const hits = hitScratch
  let hitCount = 0
  let depth = 0
  let rules = builtin.rules
  let tests = testsOf(rules)
  let name: string = hook
  let i = 0
  for (;;) {
    if (i >= rules.length) {
      if (depth === 0) break
      depth--
      rules = stackRules[depth]!
      tests = stackTests[depth]!
      name = stackNames[depth]!
      i = stackNext[depth]!
      continue
    }
    const index = i++
    const rule = rules[index]!
    evaluated++
    const test = testAt(tests, index, rule)
    if (!matches(ns, test, p, ctx)) continue
    const c = ruleCounters(table, name, rule)
    c.packets++
    c.bytes += bytes
    hits[hitCount++] = ruleHit(ns, test, tableName, name, index)
    const t = rule.target
    switch (t.kind) {
      case 'none':
        continue
      case 'MARK':
        setMark(p, ((p.mark & ~t.mask) ^ t.value) >>> 0)
        continue
      case 'NFLOG':
        continue
      case 'verdict':
        if (t.verdict === 'RETURN') {
          // A RETURN in the built-in chain ends it: the policy decides.
          i = rules.length
          continue
        }
        return {
          verdict: t.verdict === 'DROP' ? DROP : ACCEPT,
          evaluated,
          hits: hits.slice(0, hitCount)
        }
      case 'REJECT':
        return {
          verdict: { kind: 'REJECT', rejectWith: t.rejectWith },
          evaluated,
          hits: hits.slice(0, hitCount)
        }
      case 'DNAT':
      case 'SNAT':
      case 'MASQUERADE':
        return { verdict: { kind: 'NAT', target: t }, evaluated, hits: hits.slice(0, hitCount) }
      case 'jump': {
        const chain = table.chains.jumpTarget(t)
        if (!chain) continue
        if (!t.goto) {
          stackRules[depth] = rules
          stackTests[depth] = tests
          stackNames[depth] = name
          stackNext[depth] = i
          depth++
        }
        rules = chain.rules
        tests = testsOf(rules)
        name = t.chain
        i = 0
        continue
      }
    }
  }
  // No policy counting: iptables-nft creates a built-in chain without kernel counters when a
  // rule or `-P` brings it into being, as every component here does (only an iptables-restore
  // line `:CHAIN POLICY [p:b]` asks for them), so iptables-save keeps `[0:0]` however much passed.
  const policy = builtin.policy ?? 'ACCEPT'
  hits[hitCount++] = policyHit(ns, tableName, hook, builtin, policy)
  return { verdict: policy === 'DROP' ? DROP : ACCEPT, evaluated, hits: hits.slice(0, hitCount) }
}
