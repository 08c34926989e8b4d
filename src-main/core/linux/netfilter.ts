import type { Cidr } from '../net/cidr.ts'
import type { Ipv4 } from '../net/ipv4.ts'

/** The iptables tables the lab models (raw and security are never created). */
export type IptTableName = 'mangle' | 'nat' | 'filter'
/** The five netfilter hooks, in iptables' chain names. */
export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING'
const HOOKS: readonly Hook[] = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']
const isHook = (name: string): name is Hook => (HOOKS as readonly string[]).includes(name)

export const BUILTIN_CHAINS: Readonly<Record<IptTableName, readonly Hook[]>> = {
  mangle: HOOKS,
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT']
}

export type IptProto = 'tcp' | 'udp' | 'icmp' | 'sctp'
export type AddrType = 'LOCAL' | 'UNICAST' | 'BROADCAST' | 'MULTICAST'
export type CtState = 'INVALID' | 'NEW' | 'RELATED' | 'ESTABLISHED' | 'UNTRACKED' | 'SNAT' | 'DNAT'
/** iptables-save prints ctstates in this order whatever order they were given in. */
export const CTSTATE_ORDER: readonly CtState[] = [
  'INVALID',
  'NEW',
  'RELATED',
  'ESTABLISHED',
  'UNTRACKED',
  'SNAT',
  'DNAT'
]

export interface Negatable<T> {
  value: T
  neg: boolean
}

/** xt_tcp/xt_udp's port match: `value` alone, or the range `value`..`last` (`--dport 5000:5010`). */
export interface PortMatch extends Negatable<number> {
  /** Absent for a single port; a range whose ends are equal is kept as that one port. */
  last?: number
}

/** Whether `port` is in the match's port or range, before `!` is applied. */
export function portInMatch(port: number, m: PortMatch): boolean {
  return port >= m.value && port <= (m.last ?? m.value)
}

/** `-m NAME ...` matches, in the order the rule was written (iptables-save keeps it). */
export type IptMatch =
  | { module: 'comment'; comment: string }
  | { module: 'tcp' | 'udp'; sport?: PortMatch; dport?: PortMatch }
  | {
      module: 'statistic'
      mode: 'random'
      /** the kernel's u32 fixed point: round(p · 2^31) */ probability: number
    }
  | { module: 'mark'; neg: boolean; value: number; mask: number }
  | { module: 'addrtype'; srcType?: Negatable<AddrType>; dstType?: Negatable<AddrType> }
  | { module: 'conntrack'; ctstate: Negatable<CtState[]> }
  /** ipset match (IPVS mode): flags such as `dst,dst` pick which packet fields form the key. */
  | { module: 'set'; neg: boolean; setName: string; flags: string[] }
  /**
   * xt_recent: `--set` records the packet's source address in the list `name`, `--rcheck`
   * matches when it is there (seen within `seconds`; `--reap` forgets older entries).
   * kube-proxy's ClientIP session affinity is built on it.
   */
  | {
      module: 'recent'
      command: 'set' | 'rcheck'
      name: string
      seconds?: number
      reap: boolean
      mask: number
      side: 'rsource' | 'rdest'
    }
  /** iptables-save prints the type as a number (`--icmp-type 8`), whatever name it was given as. */
  | { module: 'icmp'; icmpType: Negatable<number> }
  /** A frame crossing a bridge (br_netfilter), not a routed packet. */
  | { module: 'physdev'; isBridged: boolean }
  | { module: 'multiport'; dports: { from: number; to: number }[] }
  /** The token bucket is not modelled: a limit only throttles logging, never a verdict. */
  | { module: 'limit'; avg: string; burst: number }

export type IptTarget =
  | { kind: 'verdict'; verdict: 'ACCEPT' | 'DROP' | 'RETURN' }
  | JumpTarget
  | { kind: 'REJECT'; rejectWith: string }
  | { kind: 'DNAT'; toIp: Ipv4; toPort?: number }
  | { kind: 'SNAT'; toIp: Ipv4; randomFully: boolean }
  | { kind: 'MASQUERADE'; randomFully: boolean }
  | { kind: 'MARK'; value: number; mask: number }
  /** Copies the packet to a netlink log group; never a verdict. */
  | { kind: 'NFLOG'; group: number }
  /** A rule without `-j` only counts. */
  | { kind: 'none' }

export interface Counters {
  packets: number
  bytes: number
}

/** `-j CHAIN` (or `-g CHAIN`): one object per parsed rule, shared wherever the rule is. */
export interface JumpTarget {
  kind: 'jump'
  chain: string
  goto: boolean
}

/** One rule, split the way iptables-save prints it: the fixed matches, then modules, then target. */
export interface IptRule {
  src?: Negatable<Cidr>
  dst?: Negatable<Cidr>
  inIface?: Negatable<string>
  outIface?: Negatable<string>
  proto?: Negatable<IptProto>
  matches: IptMatch[]
  target: IptTarget
}

export interface IptChain {
  name: string
  /** Built-in chains have a policy and count the packets it decided; user chains have none. */
  policy?: 'ACCEPT' | 'DROP'
  policyCounters: Counters
  rules: IptRule[]
  /**
   * The same chain object (rules array included) is installed in every node kube-proxy writes
   * identically; whoever changes one node's copy must take its own first (`ownChain`).
   */
  shared?: boolean
}

export interface IptTable {
  name: IptTableName
  /** Insertion order is irrelevant: iptables-save prints built-ins in hook order, user chains by name. */
  chains: ChainMap
  /**
   * Packet/byte counters by chain name, then rule: one rule object can sit in several chains
   * (a parser interns identical specs) and the kernel counts each place apart.
   */
  counters: Map<string, Map<IptRule, Counters>>
}

/**
 * A table's chains by name: the namespace's own chains over an optional layer of chains shared
 * with other namespaces. kube-proxy writes the same thousands of chains on every node; putting
 * that one map under each node's table, instead of copying it into each, is what keeps a large
 * lab's build fast and small. It behaves as one Map in the order a plain Map would have: own
 * chains that existed when the layer was attached, then the layer's, then own chains added
 * later. Changing or deleting a chain of the layer first copies the layer into the own map.
 */
export class ChainMap extends Map<string, IptChain> {
  // The own chains live in this field, not in the Map the class extends (which stays empty):
  // get() runs for every chain a packet enters, and a plain Map field is much faster to reach
  // than the base class's storage through super.
  readonly #own = new Map<string, IptChain>()
  #layer: ReadonlyMap<string, IptChain> | undefined
  #layerPrefix = ''
  /** Own chains added after the layer was attached: they iterate after it. Made on first use, as most tables never get a layer. */
  #late: Set<string> | undefined
  /**
   * The own built-in chains, kept in step with every change to the own map: each hook asks for
   * its table's built-in chain, and a string-keyed lookup per table per hook was a steady share
   * of a walk.
   */
  readonly #hooks: Record<Hook, IptChain | undefined> = {
    PREROUTING: undefined,
    INPUT: undefined,
    FORWARD: undefined,
    OUTPUT: undefined,
    POSTROUTING: undefined
  }
  /**
   * The chain each jump target names, as get() found it since the last change to the table:
   * every jump of every packet asked by name, and looking a name up in two maps cost more
   * than the jump's rule. Keyed by the target object, which the rules of a shared layer share
   * between namespaces, so each table keeps its own; dropped at every change (the layer itself
   * is never changed while attached, only replaced or detached).
   */
  #jumps: WeakMap<JumpTarget, IptChain | null> | undefined

  // Map's constructor would call the overridden set before the private fields exist.
  constructor(entries?: Iterable<readonly [string, IptChain]>) {
    super()
    if (entries) for (const [name, chain] of entries) this.#own.set(name, chain)
    this.#syncHooks()
  }

  /** The chain named after `hook`, as get(hook) finds it. */
  hookChain(hook: Hook): IptChain | undefined {
    // Named reads, not this.#hooks[hook]: one site reading five different keys goes megamorphic
    // in V8 and took twice as long per call.
    const h = this.#hooks
    const own =
      hook === 'PREROUTING'
        ? h.PREROUTING
        : hook === 'INPUT'
          ? h.INPUT
          : hook === 'FORWARD'
            ? h.FORWARD
            : hook === 'OUTPUT'
              ? h.OUTPUT
              : h.POSTROUTING
    return own ?? this.#layer?.get(hook)
  }

  /** Keeps the built-in chain named `name`, if it is one, as the own map holds it. */
  #syncHook(name: string): void {
    if (isHook(name)) this.#hooks[name] = this.#own.get(name)
  }

  #syncHooks(): void {
    for (const hook of HOOKS) this.#hooks[hook] = this.#own.get(hook)
  }

  /** The prefix of the names in the shared layer, when there is one. */
  get layerPrefix(): string | undefined {
    return this.#layer ? this.#layerPrefix : undefined
  }

  /**
   * Puts `layer` (every name starting with `prefix`) under the own chains; false, changing
   * nothing, when there already is a layer or one of its names is an own chain.
   */
  attachLayer(prefix: string, layer: ReadonlyMap<string, IptChain>): boolean {
    if (this.#layer) return false
    for (const name of this.#own.keys()) if (layer.has(name)) return false
    this.#layer = layer
    this.#layerPrefix = prefix
    this.#jumps = undefined
    return true
  }

  /** The namespace's own chains, without the shared layer's. */
  ownEntries(): MapIterator<[string, IptChain]> {
    return this.#own.entries()
  }

  /** Drops the shared layer (its chains leave the table). */
  detachLayer(): void {
    this.#layer = undefined
    this.#late = undefined
    this.#jumps = undefined
  }

  #materialise(): void {
    const entries = [...this.entries()]
    this.detachLayer()
    this.#own.clear()
    for (const [name, chain] of entries) this.#own.set(name, chain)
    this.#syncHooks()
  }

  /** The chain a jump goes to, as get(target.chain) finds it. */
  jumpTarget(target: JumpTarget): IptChain | undefined {
    const jumps = (this.#jumps ??= new WeakMap())
    let chain = jumps.get(target)
    if (chain === undefined) {
      chain = this.get(target.chain) ?? null
      jumps.set(target, chain)
    }
    return chain ?? undefined
  }

  override get(name: string): IptChain | undefined {
    // The two hold no name in common, so the order they are asked in changes nothing; a miss in
    // the small own map costs less than comparing every name with the layer's prefix, which
    // every jump and every hook's built-in chain paid.
    return this.#own.get(name) ?? this.#layer?.get(name)
  }

  override has(name: string): boolean {
    return this.#own.has(name) || this.#layer?.has(name) === true
  }

  override set(name: string, chain: IptChain): this {
    if (this.#layer) {
      if (this.#layer.has(name)) this.#materialise()
      else if (!this.#own.has(name)) (this.#late ??= new Set()).add(name)
    }
    this.#own.set(name, chain)
    this.#syncHook(name)
    this.#jumps = undefined
    return this
  }

  override delete(name: string): boolean {
    if (this.#layer?.has(name)) this.#materialise()
    this.#late?.delete(name)
    const deleted = this.#own.delete(name)
    this.#syncHook(name)
    this.#jumps = undefined
    return deleted
  }

  override clear(): void {
    this.detachLayer()
    this.#own.clear()
    this.#syncHooks()
  }

  override get size(): number {
    return this.#own.size + (this.#layer?.size ?? 0)
  }

  override entries(): MapIterator<[string, IptChain]> {
    return this.#layer ? this.#layered(this.#layer) : this.#own.entries()
  }

  *#layered(layer: ReadonlyMap<string, IptChain>): MapIterator<[string, IptChain]> {
    const late: [string, IptChain][] = []
    for (const entry of this.#own.entries()) {
      if (this.#late?.has(entry[0])) late.push(entry)
      else yield entry
    }
    yield* layer.entries()
    yield* late
  }

  override keys(): MapIterator<string> {
    return this.#layer ? this.#layeredKeys() : this.#own.keys()
  }

  *#layeredKeys(): MapIterator<string> {
    for (const [name] of this.entries()) yield name
  }

  override values(): MapIterator<IptChain> {
    return this.#layer ? this.#layeredValues() : this.#own.values()
  }

  *#layeredValues(): MapIterator<IptChain> {
    for (const [, chain] of this.entries()) yield chain
  }

  override [Symbol.iterator](): MapIterator<[string, IptChain]> {
    return this.entries()
  }

  override forEach(
    fn: (chain: IptChain, name: string, map: Map<string, IptChain>) => void,
    thisArg?: unknown
  ): void {
    for (const [name, chain] of this.entries()) fn.call(thisArg, chain, name, this)
  }
}

/**
 * Rule objects are immutable and shared between nodes (kube-proxy writes the same rules on
 * every node) and between chains, so each namespace's tables keep the packet/byte counters
 * beside them, keyed by chain and rule.
 */
export interface Netfilter {
  mangle: IptTable
  nat: IptTable
  filter: IptTable
}

export function newCounters(): Counters {
  return { packets: 0, bytes: 0 }
}

/** A table with its built-in chains, empty and accepting. */
function newTable(name: IptTableName): IptTable {
  // Every namespace makes three of these: one constructor call costs less than a set() per chain.
  const chains = new ChainMap(
    BUILTIN_CHAINS[name].map((hook): [string, IptChain] => [
      hook,
      { name: hook, policy: 'ACCEPT', policyCounters: newCounters(), rules: [] }
    ])
  )
  return { name, chains, counters: new Map() }
}

export function newNetfilter(): Netfilter {
  return { mangle: newTable('mangle'), nat: newTable('nat'), filter: newTable('filter') }
}

/** The namespace's own, changeable copy of a chain (see `IptChain.shared`). */
export function ownChain(table: IptTable, name: string): IptChain | undefined {
  const chain = table.chains.get(name)
  if (!chain?.shared) return chain
  const copy: IptChain = { name: chain.name, policyCounters: newCounters(), rules: [...chain.rules] }
  table.chains.set(name, copy)
  return copy
}

/** The counters of `rule` where it sits in `chain`, made on its first packet. */
export function ruleCounters(table: IptTable, chain: string, rule: IptRule): Counters {
  let byRule = table.counters.get(chain)
  if (!byRule) {
    byRule = new Map()
    table.counters.set(chain, byRule)
  }
  let c = byRule.get(rule)
  if (!c) {
    c = newCounters()
    byRule.set(rule, c)
  }
  return c
}

/** What `rule` in `chain` has counted so far, without keeping anything for it. */
export function countedBy(table: IptTable, chain: string, rule: IptRule): Counters {
  return table.counters.get(chain)?.get(rule) ?? newCounters()
}

/** Drops the counters of a rule taken out of `chain`, unless the chain still holds it elsewhere. */
export function forgetRuleCounters(table: IptTable, chain: IptChain, rule: IptRule): void {
  if (!chain.rules.includes(rule)) table.counters.get(chain.name)?.delete(rule)
}

/** Chains in the order iptables-save (nf_tables) lists them: built-ins by hook, then user chains by name. */
export function chainsInSaveOrder(table: IptTable): IptChain[] {
  const builtins = BUILTIN_CHAINS[table.name]
  const chains = [...table.chains.values()]
  const user = chains
    .filter((c) => c.policy === undefined)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return [...builtins.map((b) => table.chains.get(b)!), ...user]
}

/** `--probability P` as the kernel keeps it. */
export function probabilityToFixed(p: number): number {
  return Math.round(p * 0x80000000)
}

/** The kernel's fixed point back as iptables-save prints it (`%.11f`). */
export function formatProbability(fixed: number): string {
  return (fixed / 0x80000000).toFixed(11)
}

/**
 * An ipset: `hash:ip` keys are `ip`, `hash:ip,port` keys are `ip,proto:port`, `hash:net` keys
 * are `net/len`.
 */
export interface IpSet {
  name: string
  type: 'hash:ip' | 'hash:ip,port' | 'hash:ip,port,ip' | 'bitmap:port' | 'hash:net'
  comment: string
  entries: Set<string>
  /** hash:net entries added with `nomatch`: a packet whose most specific entry is one of these does not match. */
  nomatch?: Set<string>
  /** Created with `timeout N`: every entry then carries its own timeout (kube-router's are `timeout 0`, permanent). */
  timeout?: number
  /** The hash's seed (`initval`), random per set in the kernel; the lab draws it from its seeded generator. */
  initval?: number
}
