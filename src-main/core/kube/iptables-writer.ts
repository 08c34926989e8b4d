import { parseIptRule, splitRuleLine } from '../linux/iptables-rule.ts'
import {
  newCounters,
  type IptChain,
  type IptRule,
  type IptTableName,
  type Netfilter
} from '../linux/netfilter.ts'

/**
 * What a controller (kube-proxy, flanneld) owns in one table: its user chains with their rules,
 * and the jump rules it keeps at the top or bottom of built-in chains.
 */
export interface OwnedRules {
  chains: Map<string, IptRule[]>
  /** Chain objects built from `chains` once, installed shared in every namespace that gets these rules. */
  built?: Map<string, IptChain>
  prepend: { chain: string; rule: IptRule }[]
  append: { chain: string; rule: IptRule }[]
}

/**
 * Parses iptables-restore lines once per build: identical lines on many nodes share one
 * immutable rule object (counters live per namespace).
 */
export class RuleParser {
  readonly #cache = new Map<string, IptRule>()

  rule(spec: string): IptRule {
    let rule = this.#cache.get(spec)
    if (!rule) {
      const parsed = parseIptRule(splitRuleLine(spec))
      if (!parsed.ok) throw new Error(`bad generated rule "${spec}": ${parsed.message}`)
      rule = parsed.rule
      this.#cache.set(spec, rule)
    }
    return rule
  }

  /**
   * The rule `spec` parses to, built by `make` instead when it is not known yet: `make` must
   * build what parsing `spec` gives. One spec still gets one object, as from rule().
   */
  ruleMadeAs(spec: string, make: () => IptRule): IptRule {
    let rule = this.#cache.get(spec)
    if (!rule) {
      rule = this.made(make(), () => spec)
      this.#cache.set(spec, rule)
    }
    return rule
  }

  /**
   * A rule its writer made without parsing, from a copy of a parsed one, and the line it
   * stands for, which only a parser that keeps the lines as written needs to build.
   */
  made(rule: IptRule, _spec: () => string): IptRule {
    return rule
  }
}

export function emptyOwned(): OwnedRules {
  return { chains: new Map(), prepend: [], append: [] }
}

/** Adds an already made rule to an owned chain (none: only creates the chain), as appendTo does. */
export function appendRule(owned: OwnedRules, chain: string, rule: IptRule | undefined): void {
  let rules = owned.chains.get(chain)
  if (!rules) {
    rules = []
    owned.chains.set(chain, rules)
  }
  if (rule) rules.push(rule)
}

/** Adds `-A chain spec` to an owned chain, creating the chain on first use. */
export function appendTo(owned: OwnedRules, parser: RuleParser, chain: string, spec: string): void {
  if (spec === '') appendRule(owned, chain, undefined)
  else appendRule(owned, chain, parser.rule(spec))
}

/**
 * Replaces everything a controller owns (chains whose names start with `prefix`, and jumps to
 * them from built-in chains) with `owned`, as a full iptables-restore sync does. Rewritten chains
 * start with zero counters; built-in chains keep theirs.
 */
export function installOwned(nf: Netfilter, table: IptTableName, prefix: string, owned: OwnedRules): void {
  const t = nf[table]
  const layer = t.chains.layerPrefix
  // Another controller's shared layer holds none of this one's chains (nor built-ins), so only
  // the own chains need looking at; walking kube-proxy's thousands for flanneld's few was slow.
  const mine =
    layer === prefix || (layer !== undefined && (layer.startsWith(prefix) || prefix.startsWith(layer)))
  const gone = [...(mine ? t.chains.entries() : t.chains.ownEntries())].filter(
    ([name, chain]) => chain.policy === undefined && name.startsWith(prefix)
  )
  for (const [name] of gone) t.counters.delete(name)
  if (layer === prefix) t.chains.detachLayer()
  for (const [name] of gone) t.chains.delete(name)
  for (const [, chain] of t.chains.ownEntries()) {
    if (chain.policy === undefined) continue
    chain.rules = chain.rules.filter((r) => !(r.target.kind === 'jump' && r.target.chain.startsWith(prefix)))
  }
  if (!owned.built) {
    const built = new Map<string, IptChain>()
    owned.chains.forEach((rules, name) =>
      built.set(name, { name, policyCounters: newCounters(), rules, shared: true })
    )
    owned.built = built
  }
  // The same chains go into every namespace these rules are installed in: as a layer under the
  // table when it has room for one, since copying thousands of chains into each node's table
  // was most of a large lab's build.
  const built = owned.built
  if (!t.chains.attachLayer(prefix, built)) built.forEach((chain, name) => t.chains.set(name, chain))
  for (const { chain, rule } of [...owned.prepend].reverse()) t.chains.get(chain)?.rules.unshift(rule)
  for (const { chain, rule } of owned.append) t.chains.get(chain)?.rules.push(rule)
}
