import { formatCidr, parseCidr, type Cidr } from '../net/cidr.ts'
import { formatIpv4 } from '../net/ipv4.ts'
import { nextRandom } from '../net/rng.ts'
import { hashName16 } from '../net/sha256.ts'
import type { IptChain, IptRule, Netfilter } from '../linux/netfilter.ts'
import type { Netns } from '../linux/netns.ts'
import { newCounters } from '../linux/netfilter.ts'
import type { RuleParser } from './iptables-writer.ts'
import type { Lab } from './lab.ts'
import { policyControllerOf } from './proxy-mode.ts'
import { peerPods as selectPeerPods, SelectablePods, targetPods } from './network-policy.ts'
import type {
  KubeNetworkPolicy,
  KubeNetworkPolicyPeer,
  KubeNetworkPolicyPort,
  KubeNode,
  KubePod
} from './objects.ts'

/**
 * kube-router's network-policy controller (v2.2, the one k3s embeds) in iptables mode: the
 * filter rules and ipsets one full sync leaves on a node, in the order its iptables-restore
 * buffer writes them. Chain and set names are its hashes; the chain names carry the sync's
 * version (its clock in nanoseconds), so they change with every sync, as on a real node.
 */

const FAMILY = 'IPv4'
const SERVICE_NODE_PORT_RANGE = '30000:32767'
const q = (text: string): string => `"${text}"`

export const podFirewallChainName = (pod: KubePod, version: string): string =>
  `KUBE-POD-FW-${hashName16(pod.namespace + pod.name + version)}`
export const networkPolicyChainName = (p: KubeNetworkPolicy, version: string): string =>
  `KUBE-NWPLCY-${hashName16(p.namespace + p.name + version + FAMILY)}`
const targetDestSet = (p: KubeNetworkPolicy): string =>
  `KUBE-DST-${hashName16(p.namespace + p.name + FAMILY)}`
const targetSourceSet = (p: KubeNetworkPolicy): string =>
  `KUBE-SRC-${hashName16(p.namespace + p.name + FAMILY)}`
type SetPrefix = 'KUBE-SRC-' | 'KUBE-DST-'
type Direction = 'ingressrule' | 'egressrule'
const indexedSet = (
  prefix: SetPrefix,
  p: KubeNetworkPolicy,
  dir: Direction,
  i: number,
  kind: string
): string => `${prefix}${hashName16(p.namespace + p.name + dir + String(i) + FAMILY + kind)}`
const namedPortSet = (p: KubeNetworkPolicy, dir: Direction, i: number, j: number): string =>
  `KUBE-DST-${hashName16(p.namespace + p.name + dir + String(i) + String(j) + FAMILY + 'namedport')}`

/** The comment kube-router's ensureTopLevelChains appends: base32(sha256(chain + args joined))[:16]. */
function uuidComment(chain: string, args: readonly string[], comment: string): string {
  return `${comment} - ${hashName16(chain + args.join(''))}`
}

interface NamedPortEndpoints {
  protocol: string
  port: number
  ips: string[]
}

/** grabNamedPortFromPod: a container port's name → its number and the pods that have it. */
function namedPortEndpoints(pods: readonly KubePod[], name: string, protocol: string): NamedPortEndpoints[] {
  const byPort = new Map<number, string[]>()
  for (const pod of pods)
    for (const c of pod.containers)
      if (c.portName === name && c.port !== undefined && protocol === 'TCP') {
        const ips = byPort.get(c.port) ?? []
        ips.push(formatIpv4(pod.ip))
        byPort.set(c.port, ips)
      }
  return [...byPort].map(([port, ips]) => ({ protocol, port, ips }))
}

interface RulePorts {
  /** The rule names no port: it admits every one. */
  allPorts: boolean
  numeric: { protocol: string; port: string; endport: string }[]
  named: NamedPortEndpoints[]
}

function rulePorts(ports: readonly KubeNetworkPolicyPort[], named: readonly KubePod[]): RulePorts {
  const out: RulePorts = { allPorts: ports.length === 0, numeric: [], named: [] }
  for (const p of ports) {
    if (p.port === undefined) out.numeric.push({ protocol: p.protocol, port: '', endport: '' })
    else if (typeof p.port === 'number')
      out.numeric.push({
        protocol: p.protocol,
        port: String(p.port),
        endport: p.endPort !== undefined && p.endPort >= p.port ? String(p.endPort) : ''
      })
    else out.named.push(...namedPortEndpoints(named, p.port, p.protocol))
  }
  return out
}

/** evalIPBlockPeer: a /0 becomes two /1s (ipset cannot hold a /0), excepts are `nomatch` entries. */
function ipBlockEntries(block: { cidr: string; except?: string[] }): { net: string[]; nomatch: string[] } {
  const split = (c: string): string[] => (c.endsWith('/0') ? ['0.0.0.0/1', '128.0.0.0/1'] : [c])
  return { net: split(block.cidr), nomatch: (block.except ?? []).flatMap(split) }
}

/** The version kube-router names a sync by: `time.Now().UnixNano()` in base 10. */
export function syncVersion(lab: Lab): string {
  return `${lab.clock.epochMs + lab.clock.nowMs}000000`
}

/**
 * What one sync writes on a node, in the order its restore buffer creates the chains: the
 * KUBE-ROUTER-* chains, the default and per-policy chains, then one firewall chain per local pod.
 */
export interface NetpolState {
  /** Same on every node: the jumps inserted at position 1 of INPUT/FORWARD/OUTPUT. */
  topJumps: { chain: 'INPUT' | 'FORWARD' | 'OUTPUT'; spec: string }[]
  /** KUBE-ROUTER-INPUT/FORWARD/OUTPUT: this node's pods' jumps between a common head and tail. */
  topChains: Map<string, string[]>
  /** Same on every node: KUBE-NWPLCY-DEFAULT and one chain per policy. */
  policyChains: Map<string, string[]>
  /** The local pods' KUBE-POD-FW-* chains. */
  podChains: Map<string, string[]>
  /** Same on every node. */
  ipsets: { name: string; type: 'hash:ip' | 'hash:net'; entries: string[]; nomatch: string[] }[]
}

/**
 * The part of a sync that is the same on every node, worked out once per sync: which pods
 * each policy selects, the policy chains and ipsets (with their hashed names), and, once a
 * node has installed them, their parsed rules. Only the pods' own chains differ by node.
 */
interface SyncCommon {
  version: string
  topJumps: NetpolState['topJumps']
  inputHead: string[]
  policyChains: Map<string, string[]>
  ipsets: NetpolState['ipsets']
  /** The policies selecting each pod, in the order the sync walks them. */
  podPolicies: Map<KubePod, { policy: KubeNetworkPolicy; chain: string }[]>
  podsByNode: Map<string, KubePod[]>
  /** The policy chains as objects every node's table holds (see `IptChain.shared`), and the sets' keys. */
  installed?: {
    chains: Map<string, IptChain>
    /** Members as the sets hold them; every node's sets share these (nothing changes them in place). */
    ipsets: { entries: Set<string>; nomatch: Set<string> }[]
    /** Parsed pod rules per set of selecting policies (see `podRuleObjects`). */
    podTemplates: Map<string, PodRules<TemplateRule>>
  }
}

/** The last sync's common part per lab, so that an export can write what the sync wrote. */
const lastSyncs = new WeakMap<Lab, SyncCommon>()

function syncCommon(lab: Lab, version: string): SyncCommon {
  const policies = [...lab.networkPolicies].sort((a, b) =>
    a.namespace === b.namespace ? a.name.localeCompare(b.name) : a.namespace.localeCompare(b.namespace)
  )
  const selectable = new SelectablePods(lab.pods)
  const targets = new Map(policies.map((p) => [p, targetPods(selectable, p)]))
  const peers = new Map<KubeNetworkPolicyPeer, KubePod[]>()
  const peerPods = (policy: KubeNetworkPolicy, peer: KubeNetworkPolicyPeer): KubePod[] => {
    let pods = peers.get(peer)
    if (!pods) peers.set(peer, (pods = selectPeerPods(selectable, policy, peer)))
    return pods
  }
  const ips = (pods: readonly KubePod[]): string[] => pods.map((p) => formatIpv4(p.ip))
  const ipsets: NetpolState['ipsets'] = []
  const topJumps: NetpolState['topJumps'] = []

  // ensureTopLevelChains: the jumps, then the Service range and NodePort exceptions in INPUT.
  for (const [builtin, custom] of [
    ['INPUT', 'KUBE-ROUTER-INPUT'],
    ['FORWARD', 'KUBE-ROUTER-FORWARD'],
    ['OUTPUT', 'KUBE-ROUTER-OUTPUT']
  ] as const) {
    const args = ['-m', 'comment', '--comment', 'kube-router netpol', '-j', custom]
    topJumps.push({
      chain: builtin,
      spec: `-m comment --comment ${q(uuidComment(builtin, args, 'kube-router netpol'))} -j ${custom}`
    })
  }
  const serviceCIDR = lab.scenario.cluster.serviceCIDR
  const vipComment = 'allow traffic to primary/secondary cluster IP range'
  const inputHead = [
    `-d ${serviceCIDR} -m comment --comment ${q(uuidComment('KUBE-ROUTER-INPUT', ['-m', 'comment', '--comment', vipComment, '-d', serviceCIDR, '-j', 'RETURN'], vipComment))} -j RETURN`
  ]
  for (const proto of ['tcp', 'udp']) {
    const comment = `allow LOCAL ${proto.toUpperCase()} traffic to node ports`
    const args = [
      '-p',
      proto,
      '-m',
      'comment',
      '--comment',
      comment,
      '-m',
      'addrtype',
      '--dst-type',
      'LOCAL',
      '-m',
      'multiport',
      '--dports',
      SERVICE_NODE_PORT_RANGE,
      '-j',
      'RETURN'
    ]
    inputHead.push(
      `-p ${proto} -m comment --comment ${q(uuidComment('KUBE-ROUTER-INPUT', args, comment))} -m addrtype --dst-type LOCAL -m multiport --dports ${SERVICE_NODE_PORT_RANGE} -j RETURN`
    )
  }

  // ensureDefaultNetworkPolicyChain
  const def: string[] = []
  for (const [type, comment] of [
    ['echo-request', 'allow icmp echo requests'],
    ['destination-unreachable', 'allow icmp destination unreachable messages'],
    ['time-exceeded', 'allow icmp time exceeded messages']
  ])
    def.push(`-p icmp -m comment --comment ${q(comment!)} -m icmp --icmp-type ${type} -j ACCEPT`)
  def.push(
    '-m comment --comment "rule to mark traffic matching a network policy" -j MARK --set-xmark 0x10000/0x10000'
  )
  const policyChains = new Map([['KUBE-NWPLCY-DEFAULT', def]])

  // syncNetworkPolicyChains
  const podPolicies = new Map<KubePod, { policy: KubeNetworkPolicy; chain: string }[]>()
  for (const policy of policies) {
    const name = networkPolicyChainName(policy, version)
    const rules: string[] = []
    policyChains.set(name, rules)
    const accept = (text: string, src: string, dst: string, protocol = '', port = '', endport = ''): void => {
      let spec = `-m comment --comment ${q(text)}`
      if (src) spec += ` -m set --match-set ${src} src`
      if (dst) spec += ` -m set --match-set ${dst} dst`
      if (protocol) spec += ` -p ${protocol.toLowerCase()}`
      if (port) spec += ` --dport ${endport ? `${port}:${endport}` : port}`
      rules.push(`${spec} -j MARK --set-xmark 0x10000/0x10000`)
      rules.push(`${spec} -m mark --mark 0x10000/0x10000 -j RETURN`)
    }
    const selected = targets.get(policy)!
    for (const pod of selected) {
      const list = podPolicies.get(pod)
      if (list) list.push({ policy, chain: name })
      else podPolicies.set(pod, [{ policy, chain: name }])
    }
    const ipSet = (set: string, entries: string[]): string => {
      ipsets.push({ name: set, type: 'hash:ip', entries, nomatch: [] })
      return set
    }
    const podSet = (prefix: SetPrefix, direction: Direction, i: number, pods: readonly KubePod[]): string =>
      ipSet(indexedSet(prefix, policy, direction, i, 'pod'), ips(pods))
    /** A hash:net set of a rule's ipBlock peers, when it has any. */
    const ipBlockSet = (
      prefix: SetPrefix,
      direction: Direction,
      i: number,
      peers: readonly KubeNetworkPolicyPeer[]
    ): string | undefined => {
      const blocks = peers.filter((peer) => peer.ipBlock).map((peer) => ipBlockEntries(peer.ipBlock!))
      if (blocks.length === 0) return undefined
      const set = indexedSet(prefix, policy, direction, i, 'ipblock')
      ipsets.push({
        name: set,
        type: 'hash:net',
        entries: blocks.flatMap((b) => b.net),
        nomatch: blocks.flatMap((b) => b.nomatch)
      })
      return set
    }
    /**
     * A rule's ACCEPTs from `src` to `dst`: one for any port when it names none, else one
     * per numeric port and one per named port to the set `namedDst` gives it (none without one).
     */
    const acceptPorts = (
      text: string,
      src: string,
      dst: string,
      ports: RulePorts,
      namedDst?: (ep: NamedPortEndpoints, j: number) => string
    ): void => {
      if (ports.allPorts) return accept(text, src, dst)
      for (const p of ports.numeric) accept(text, src, dst, p.protocol, p.port, p.endport)
      if (namedDst)
        ports.named.forEach((ep, j) => accept(text, src, namedDst(ep, j), ep.protocol, String(ep.port)))
    }
    /** Each named port's own set of the pods that have it. */
    const namedPortSets = (direction: Direction, i: number) => (ep: NamedPortEndpoints, j: number) =>
      ipSet(namedPortSet(policy, direction, i, j), ep.ips)
    if (policy.policyTypes.includes('Ingress')) {
      const dstSet = ipSet(targetDestSet(policy), ips(selected))
      policy.ingress?.forEach((rule, i) => {
        const ports = rulePorts(rule.ports ?? [], selected)
        const from = rule.from ?? []
        const srcPods = from.flatMap((peer) => peerPods(policy, peer))
        const podsText = `rule to ACCEPT traffic from source pods to dest pods selected by policy name ${policy.name} namespace ${policy.namespace}`
        const allText = `rule to ACCEPT traffic from all sources to dest pods selected by policy name: ${policy.name} namespace ${policy.namespace}`
        const blockText = `rule to ACCEPT traffic from specified ipBlocks to dest pods selected by policy name: ${policy.name} namespace ${policy.namespace}`
        const named = namedPortSets('ingressrule', i)
        if (srcPods.length > 0)
          acceptPorts(podsText, podSet('KUBE-SRC-', 'ingressrule', i, srcPods), dstSet, ports, named)
        if (from.length === 0) acceptPorts(allText, '', dstSet, ports, named)
        const blockSet = ipBlockSet('KUBE-SRC-', 'ingressrule', i, from)
        if (blockSet) acceptPorts(blockText, blockSet, dstSet, ports)
      })
    }
    if (policy.policyTypes.includes('Egress')) {
      const srcSet = ipSet(targetSourceSet(policy), ips(selected))
      policy.egress?.forEach((rule, i) => {
        const to = rule.to ?? []
        const dstPods = to.flatMap((peer) => peerPods(policy, peer))
        const namedFrom = to.length === 0 ? lab.pods.filter((p) => p.namespace === policy.namespace) : dstPods
        const ports = rulePorts(rule.ports ?? [], namedFrom)
        const podsText = `rule to ACCEPT traffic from source pods to dest pods selected by policy name ${policy.name} namespace ${policy.namespace}`
        const allText = `rule to ACCEPT traffic from source pods to all destinations selected by policy name: ${policy.name} namespace ${policy.namespace}`
        const blockText = `rule to ACCEPT traffic from source pods to specified ipBlocks selected by policy name: ${policy.name} namespace ${policy.namespace}`
        if (dstPods.length > 0)
          acceptPorts(
            podsText,
            srcSet,
            podSet('KUBE-DST-', 'egressrule', i, dstPods),
            ports,
            namedPortSets('egressrule', i)
          )
        if (to.length === 0) acceptPorts(allText, srcSet, '', ports, () => '')
        const blockSet = ipBlockSet('KUBE-DST-', 'egressrule', i, to)
        if (blockSet) acceptPorts(blockText, srcSet, blockSet, ports)
      })
    }
  }

  const podsByNode = new Map<string, KubePod[]>()
  for (const pod of lab.pods) {
    if (pod.hostNetwork) continue
    const list = podsByNode.get(pod.node)
    if (list) list.push(pod)
    else podsByNode.set(pod.node, [pod])
  }
  return { version, topJumps, inputHead, policyChains, ipsets, podPolicies, podsByNode }
}

/** One pod's part of syncPodFirewallChains: its firewall chain and its jumps in the top chains. */
interface PodRules<R> {
  fw: R[]
  input: R[]
  forward: R[]
  output: R[]
}

type PodName = Pick<KubePod, 'name' | 'namespace'>
type Selecting = readonly { policy: KubeNetworkPolicy; chain: string }[]

function podRules(pod: PodName, ip: string, fw: string, selecting: Selecting): PodRules<string> {
  const inserted: string[] = []
  let hasIngress = false
  let hasEgress = false
  for (const { policy, chain } of selecting) {
    const jump = `-m comment --comment ${q(`run through nw policy ${policy.name}`)} -j ${chain}`
    const ingress = policy.policyTypes.includes('Ingress')
    const egress = policy.policyTypes.includes('Egress')
    hasIngress ||= ingress
    hasEgress ||= egress
    inserted.unshift(ingress && egress ? jump : `${ingress ? '-d' : '-s'} ${ip}/32 ${jump}`)
  }
  if (!hasIngress)
    inserted.unshift(
      `-d ${ip}/32 -m comment --comment "run through default ingress network policy chain" -j KUBE-NWPLCY-DEFAULT`
    )
  if (!hasEgress)
    inserted.unshift(
      `-s ${ip}/32 -m comment --comment "run through default egress network policy chain" -j KUBE-NWPLCY-DEFAULT`
    )
  inserted.unshift(
    `-d ${ip}/32 -m comment --comment "rule to permit the traffic traffic to pods when source is the pod's local node" -m addrtype --src-type LOCAL -j ACCEPT`
  )
  inserted.unshift(
    '-m comment --comment "rule to drop invalid state for pod" -m conntrack --ctstate INVALID -j DROP'
  )
  inserted.unshift(
    '-m comment --comment "rule for stateful firewall for pod" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'
  )
  inserted.push(
    `-m comment --comment ${q(`rule to log dropped traffic POD name:${pod.name} namespace: ${pod.namespace}`)} -m mark ! --mark 0x10000/0x10000 -m limit --limit 10/minute --limit-burst 10 -j NFLOG --nflog-group 100`,
    `-m comment --comment ${q(`rule to REJECT traffic destined for POD name:${pod.name} namespace: ${pod.namespace}`)} -m mark ! --mark 0x10000/0x10000 -j REJECT`,
    '-j MARK --set-mark 0/0x10000',
    '-m comment --comment "set mark to ACCEPT traffic that comply to network policies" -j MARK --set-mark 0x20000/0x20000'
  )
  const to = `rule to jump traffic destined to POD name:${pod.name} namespace: ${pod.namespace} to chain ${fw}`
  const from = `rule to jump traffic from POD name:${pod.name} namespace: ${pod.namespace} to chain ${fw}`
  const toJump = `-d ${ip}/32 -m comment --comment ${q(to)} -j ${fw}`
  const fromJump = `-s ${ip}/32 -m comment --comment ${q(from)} -j ${fw}`
  return {
    fw: inserted,
    input: [fromJump],
    forward: [
      toJump,
      `-d ${ip}/32 -m physdev --physdev-is-bridged -m comment --comment ${q(to)} -j ${fw}`,
      fromJump,
      `-s ${ip}/32 -m physdev --physdev-is-bridged -m comment --comment ${q(from)} -j ${fw}`
    ],
    output: [toJump, fromJump]
  }
}

const EXPLICIT_ACCEPT =
  '-m comment --comment "rule to explicitly ACCEPT traffic that comply to network policies" -m mark --mark 0x20000/0x20000 -j ACCEPT'

function nodeState(common: SyncCommon, node: KubeNode): NetpolState {
  const input = [...common.inputHead]
  const forward: string[] = []
  const output: string[] = []
  const podChains = new Map<string, string[]>()
  for (const pod of common.podsByNode.get(node.name) ?? []) {
    const fw = podFirewallChainName(pod, common.version)
    const rules = podRules(pod, formatIpv4(pod.ip), fw, common.podPolicies.get(pod) ?? [])
    podChains.set(fw, rules.fw)
    input.push(...rules.input)
    forward.push(...rules.forward)
    output.push(...rules.output)
  }
  // ensureExplicitAccept
  for (const top of [input, forward, output]) top.push(EXPLICIT_ACCEPT)
  return {
    topJumps: common.topJumps,
    topChains: new Map([
      ['KUBE-ROUTER-INPUT', input],
      ['KUBE-ROUTER-FORWARD', forward],
      ['KUBE-ROUTER-OUTPUT', output]
    ]),
    policyChains: common.policyChains,
    podChains,
    ipsets: common.ipsets
  }
}

/**
 * Parsing every pod's rules was most of a large sync. Pods that the same policies select get
 * the same rules up to their name, address and chain, so those rules are parsed once, for a
 * stand-in pod whose name (upper case, which no Kubernetes name has), address and chain are
 * then replaced in copies.
 */
const STAND_IN: PodName = { name: 'PNL_POD_NAME', namespace: 'PNL_POD_NAMESPACE' }
const STAND_IN_IP = '192.0.2.255'
const STAND_IN_FW = 'KUBE-POD-FW-PNL_STAND_IN'

/**
 * A stand-in pod's rule with where its comment names the pod: the comment cut at each stand-in,
 * so that a pod's comment is joined from the pieces instead of searched three times over.
 */
interface TemplateRule {
  rule: IptRule
  /** Index of the comment match naming the stand-in, or -1. */
  commentAt: number
  /** Literal text at even indices; between, which stand-in stood there ('0' fw chain, '1' namespace, '2' name). */
  pieces: readonly string[]
}

const STAND_INS = [STAND_IN_FW, STAND_IN.namespace, STAND_IN.name] as const

/**
 * The comment cut at each stand-in, as the three were replaced one after the other: the fw
 * chain's, then the namespace's, then the name's (which the namespace's starts with). Pod names
 * and namespaces are lower case, so no replacement can contain a stand-in.
 */
function cutAtStandIns(comment: string, from = 0): string[] {
  if (from === STAND_INS.length) return [comment]
  const out: string[] = []
  const parts = comment.split(STAND_INS[from]!)
  parts.forEach((part, i) => {
    if (i > 0) out.push(String(from))
    out.push(...cutAtStandIns(part, from + 1))
  })
  return out
}

function templateRule(rule: IptRule): TemplateRule {
  const at = rule.matches.findIndex((m) => m.module === 'comment' && m.comment.includes('PNL_'))
  const comment = at >= 0 ? (rule.matches[at] as { comment: string }).comment : ''
  return { rule, commentAt: at, pieces: at >= 0 ? cutAtStandIns(comment) : [] }
}

function podRuleObjects(
  templates: Map<string, PodRules<TemplateRule>>,
  parser: RuleParser,
  pod: KubePod,
  fw: string,
  selecting: Selecting
): PodRules<IptRule> {
  const key = selecting.map((s) => s.chain).join(' ')
  let template = templates.get(key)
  if (!template) {
    const text = podRules(STAND_IN, STAND_IN_IP, STAND_IN_FW, selecting)
    const parse = (specs: string[]): TemplateRule[] => specs.map((spec) => templateRule(parser.rule(spec)))
    template = {
      fw: parse(text.fw),
      input: parse(text.input),
      forward: parse(text.forward),
      output: parse(text.output)
    }
    templates.set(key, template)
  }
  const address: Cidr = { network: pod.ip, prefixLen: 32 }
  // Every rule is a copy, even one without anything of the pod's: the namespace counts packets
  // per rule object, and each pod's chain has rules of its own in the kernel.
  const names = [fw, pod.namespace, pod.name]
  const fill = ({ rule, commentAt, pieces }: TemplateRule): IptRule => {
    const copy: IptRule = { ...rule }
    if (rule.src) copy.src = { value: address, neg: rule.src.neg }
    if (rule.dst) copy.dst = { value: address, neg: rule.dst.neg }
    if (commentAt >= 0) {
      let comment = ''
      for (let i = 0; i < pieces.length; i++) comment += i % 2 === 0 ? pieces[i] : names[Number(pieces[i])]
      copy.matches = rule.matches.slice()
      copy.matches[commentAt] = { module: 'comment', comment }
    }
    if (rule.target.kind === 'jump' && rule.target.chain === STAND_IN_FW)
      copy.target = { ...rule.target, chain: fw }
    return copy
  }
  return {
    fw: template.fw.map(fill),
    input: template.input.map(fill),
    forward: template.forward.map(fill),
    output: template.output.map(fill)
  }
}

const OWNED = ['KUBE-ROUTER-', 'KUBE-POD-FW-', 'KUBE-NWPLCY-']
export const isKubeRouterChain = (name: string): boolean => OWNED.some((p) => name.startsWith(p))

/** The policy chains and set keys of a sync, built on the first node that installs them. */
function installedCommon(common: SyncCommon, parser: RuleParser): NonNullable<SyncCommon['installed']> {
  if (common.installed) return common.installed
  const chains = new Map<string, IptChain>()
  for (const [name, specs] of common.policyChains)
    chains.set(name, {
      name,
      policyCounters: newCounters(),
      rules: specs.map((s) => parser.rule(s)),
      shared: true
    })
  const ipsets = common.ipsets.map((s) => ({
    entries: new Set(s.type === 'hash:net' ? s.entries.map(netKey) : s.entries),
    nomatch: new Set(s.nomatch.map(netKey))
  }))
  return (common.installed = { chains, ipsets, podTemplates: new Map() })
}

/**
 * Replaces what kube-router owns in the node's filter table and ipsets with this sync's, as its
 * iptables-restore and ipset restore do. The policy chains are the same objects on every node.
 */
function installNetpolState(
  lab: Lab,
  ns: Netns,
  common: SyncCommon,
  node: KubeNode,
  parser: RuleParser
): void {
  const nf: Netfilter = ns.netfilter
  const t = nf.filter
  for (const [name, chain] of [...t.chains.entries()]) {
    if (chain.policy !== undefined) {
      chain.rules = chain.rules.filter(
        (r) => !(r.target.kind === 'jump' && isKubeRouterChain(r.target.chain))
      )
    } else if (isKubeRouterChain(name)) {
      t.counters.delete(name)
      t.chains.delete(name)
    }
  }
  const installed = installedCommon(common, parser)
  const input = common.inputHead.map((s) => parser.rule(s))
  const forward: IptRule[] = []
  const output: IptRule[] = []
  const podChains: IptChain[] = []
  for (const pod of common.podsByNode.get(node.name) ?? []) {
    const fw = podFirewallChainName(pod, common.version)
    const rules = podRuleObjects(installed.podTemplates, parser, pod, fw, common.podPolicies.get(pod) ?? [])
    podChains.push({ name: fw, policyCounters: newCounters(), rules: rules.fw })
    input.push(...rules.input)
    forward.push(...rules.forward)
    output.push(...rules.output)
  }
  for (const [name, rules] of [
    ['KUBE-ROUTER-INPUT', input],
    ['KUBE-ROUTER-FORWARD', forward],
    ['KUBE-ROUTER-OUTPUT', output]
  ] as const) {
    rules.push(parser.rule(EXPLICIT_ACCEPT))
    t.chains.set(name, { name, policyCounters: newCounters(), rules })
  }
  installed.chains.forEach((chain, name) => t.chains.set(name, chain))
  for (const chain of podChains) t.chains.set(chain.name, chain)
  for (const { chain, spec } of common.topJumps) t.chains.get(chain)?.rules.unshift(parser.rule(spec))
  for (const name of [...ns.ipsets.keys()]) if (/^KUBE-(SRC|DST)-/.test(name)) ns.ipsets.delete(name)
  common.ipsets.forEach((s, i) => {
    const { entries, nomatch } = installed.ipsets[i]!
    ns.ipsets.set(s.name, {
      name: s.name,
      type: s.type,
      comment: '',
      entries,
      nomatch,
      timeout: 0,
      initval: Math.floor(nextRandom(lab.rng) * 0x100000000) >>> 0
    })
  })
}

/** hash:net keeps the network address, whatever host bits the CIDR was written with. */
function netKey(text: string): string {
  const c = parseCidr(text)
  return c ? formatCidr(c) : text
}

/** A full kube-router sync on every node that runs it. */
export function syncNetworkPolicies(lab: Lab, parser: RuleParser): void {
  const enforcing = lab.nodes.filter((n) => policyControllerOf(lab, n) === 'kube-router')
  if (enforcing.length === 0) return
  const common = syncCommon(lab, syncVersion(lab))
  lastSyncs.set(lab, common)
  for (const node of enforcing) installNetpolState(lab, lab.netns.get(node.netns)!, common, node, parser)
}

/** The rules and sets the last sync wrote on `node`, as kube-router's restore buffers hold them. */
export function lastNetpolState(lab: Lab, node: KubeNode): NetpolState | undefined {
  const common = lastSyncs.get(lab)
  return common && policyControllerOf(lab, node) === 'kube-router' ? nodeState(common, node) : undefined
}
