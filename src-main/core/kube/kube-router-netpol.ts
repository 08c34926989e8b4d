import { formatCidr, parseCidr } from '../net/cidr.ts'
import { formatIpv4 } from '../net/ipv4.ts'
import { nextRandom } from '../net/rng.ts'
import { base32, sha256 } from '../net/sha256.ts'
import type { IpSet, Netfilter } from '../linux/netfilter.ts'
import type { Netns } from '../linux/netns.ts'
import { newCounters } from '../linux/netfilter.ts'
import type { RuleParser } from './iptables-writer.ts'
import type { Lab } from './lab.ts'
import { peerPods as selectPeerPods, targetPods } from './network-policy.ts'
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

function hash16(text: string): string {
  return base32(sha256(text)).slice(0, 16)
}

export const podFirewallChainName = (pod: KubePod, version: string): string =>
  `KUBE-POD-FW-${hash16(pod.namespace + pod.name + version)}`
export const networkPolicyChainName = (p: KubeNetworkPolicy, version: string): string =>
  `KUBE-NWPLCY-${hash16(p.namespace + p.name + version + FAMILY)}`
const targetDestSet = (p: KubeNetworkPolicy): string => `KUBE-DST-${hash16(p.namespace + p.name + FAMILY)}`
const targetSourceSet = (p: KubeNetworkPolicy): string => `KUBE-SRC-${hash16(p.namespace + p.name + FAMILY)}`
const indexedSet = (
  prefix: 'KUBE-SRC-' | 'KUBE-DST-',
  p: KubeNetworkPolicy,
  dir: 'ingressrule' | 'egressrule',
  i: number,
  kind: string
): string => `${prefix}${hash16(p.namespace + p.name + dir + String(i) + FAMILY + kind)}`
const namedPortSet = (
  p: KubeNetworkPolicy,
  dir: 'ingressrule' | 'egressrule',
  i: number,
  j: number
): string => `KUBE-DST-${hash16(p.namespace + p.name + dir + String(i) + String(j) + FAMILY + 'namedport')}`

/** The comment kube-router's ensureTopLevelChains appends: base32(sha256(chain + args joined))[:16]. */
function uuidComment(chain: string, args: readonly string[], comment: string): string {
  return `${comment} - ${hash16(chain + args.join(''))}`
}

/** What one sync writes on a node: rules per chain (chains in creation order), jumps, and ipsets. */
export interface NetpolState {
  chains: Map<string, string[]>
  /** Jumps inserted at position 1 of INPUT/FORWARD/OUTPUT. */
  topJumps: { chain: 'INPUT' | 'FORWARD' | 'OUTPUT'; spec: string }[]
  ipsets: { name: string; type: 'hash:ip' | 'hash:net'; entries: string[]; nomatch: string[] }[]
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
  numeric: { protocol: string; port: string; endport: string }[]
  named: NamedPortEndpoints[]
}

function rulePorts(ports: readonly KubeNetworkPolicyPort[], named: readonly KubePod[]): RulePorts {
  const out: RulePorts = { numeric: [], named: [] }
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

interface Selection {
  version: string
  policies: KubeNetworkPolicy[]
  targets: Map<KubeNetworkPolicy, KubePod[]>
  peers: Map<KubeNetworkPolicyPeer, KubePod[]>
}

const targetSetCache = new WeakMap<Map<KubeNetworkPolicy, KubePod[]>, Map<KubeNetworkPolicy, Set<KubePod>>>()
function targetSets(targets: Map<KubeNetworkPolicy, KubePod[]>): Map<KubeNetworkPolicy, Set<KubePod>> {
  let sets = targetSetCache.get(targets)
  if (!sets)
    targetSetCache.set(targets, (sets = new Map([...targets].map(([p, pods]) => [p, new Set(pods)]))))
  return sets
}

/** Which pods each policy and peer selects is the same on every node: worked out once per sync. */
const selections = new WeakMap<Lab, Selection>()

function selectionOf(lab: Lab, version: string): Selection {
  const cached = selections.get(lab)
  if (cached?.version === version) return cached
  const policies = [...lab.networkPolicies].sort((a, b) =>
    a.namespace === b.namespace ? a.name.localeCompare(b.name) : a.namespace.localeCompare(b.namespace)
  )
  const selection: Selection = {
    version,
    policies,
    targets: new Map(policies.map((p) => [p, targetPods(lab, p)])),
    peers: new Map()
  }
  selections.set(lab, selection)
  return selection
}

export function kubeRouterNetpolState(lab: Lab, node: KubeNode, version: string): NetpolState {
  const chains = new Map<string, string[]>()
  const chain = (name: string): string[] => {
    let rules = chains.get(name)
    if (!rules) chains.set(name, (rules = []))
    return rules
  }
  const ipsets: NetpolState['ipsets'] = []
  const topJumps: NetpolState['topJumps'] = []

  // ensureTopLevelChains: the jumps, then the Service range and NodePort exceptions in INPUT.
  for (const [builtin, custom] of [
    ['INPUT', 'KUBE-ROUTER-INPUT'],
    ['FORWARD', 'KUBE-ROUTER-FORWARD'],
    ['OUTPUT', 'KUBE-ROUTER-OUTPUT']
  ] as const) {
    chain(custom)
    const args = ['-m', 'comment', '--comment', 'kube-router netpol', '-j', custom]
    topJumps.push({
      chain: builtin,
      spec: `-m comment --comment ${q(uuidComment(builtin, args, 'kube-router netpol'))} -j ${custom}`
    })
  }
  const serviceCIDR = lab.scenario.cluster.serviceCIDR
  const vipComment = 'allow traffic to primary/secondary cluster IP range'
  chain('KUBE-ROUTER-INPUT').push(
    `-d ${serviceCIDR} -m comment --comment ${q(uuidComment('KUBE-ROUTER-INPUT', ['-m', 'comment', '--comment', vipComment, '-d', serviceCIDR, '-j', 'RETURN'], vipComment))} -j RETURN`
  )
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
    chain('KUBE-ROUTER-INPUT').push(
      `-p ${proto} -m comment --comment ${q(uuidComment('KUBE-ROUTER-INPUT', args, comment))} -m addrtype --dst-type LOCAL -m multiport --dports ${SERVICE_NODE_PORT_RANGE} -j RETURN`
    )
  }

  // ensureDefaultNetworkPolicyChain
  const def = chain('KUBE-NWPLCY-DEFAULT')
  for (const [type, comment] of [
    ['echo-request', 'allow icmp echo requests'],
    ['destination-unreachable', 'allow icmp destination unreachable messages'],
    ['time-exceeded', 'allow icmp time exceeded messages']
  ])
    def.push(`-p icmp -m comment --comment ${q(comment!)} -m icmp --icmp-type ${type} -j ACCEPT`)
  def.push(
    '-m comment --comment "rule to mark traffic matching a network policy" -j MARK --set-xmark 0x10000/0x10000'
  )

  const { policies, targets, peers } = selectionOf(lab, version)
  const peerPods = (lab: Lab, policy: KubeNetworkPolicy, peer: KubeNetworkPolicyPeer): KubePod[] => {
    let pods = peers.get(peer)
    if (!pods) peers.set(peer, (pods = selectPeerPods(lab, policy, peer)))
    return pods
  }
  const ips = (pods: readonly KubePod[]): string[] => pods.map((p) => formatIpv4(p.ip))

  // syncNetworkPolicyChains
  for (const policy of policies) {
    const name = networkPolicyChainName(policy, version)
    const rules = chain(name)
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
    const ingress = policy.policyTypes.includes('Ingress')
    const egress = policy.policyTypes.includes('Egress')
    if (ingress) {
      const dstSet = targetDestSet(policy)
      ipsets.push({ name: dstSet, type: 'hash:ip', entries: ips(selected), nomatch: [] })
      policy.ingress?.forEach((rule, i) => {
        const ports = rulePorts(rule.ports ?? [], selected)
        const allPorts = (rule.ports ?? []).length === 0
        const from = rule.from ?? []
        const srcPods = from.flatMap((peer) => peerPods(lab, policy, peer))
        const podsText = `rule to ACCEPT traffic from source pods to dest pods selected by policy name ${policy.name} namespace ${policy.namespace}`
        const allText = `rule to ACCEPT traffic from all sources to dest pods selected by policy name: ${policy.name} namespace ${policy.namespace}`
        const blockText = `rule to ACCEPT traffic from specified ipBlocks to dest pods selected by policy name: ${policy.name} namespace ${policy.namespace}`
        if (srcPods.length > 0) {
          const srcSet = indexedSet('KUBE-SRC-', policy, 'ingressrule', i, 'pod')
          ipsets.push({ name: srcSet, type: 'hash:ip', entries: ips(srcPods), nomatch: [] })
          for (const p of ports.numeric) accept(podsText, srcSet, dstSet, p.protocol, p.port, p.endport)
          ports.named.forEach((ep, j) => {
            const set = namedPortSet(policy, 'ingressrule', i, j)
            ipsets.push({ name: set, type: 'hash:ip', entries: ep.ips, nomatch: [] })
            accept(podsText, srcSet, set, ep.protocol, String(ep.port))
          })
          if (allPorts) accept(podsText, srcSet, dstSet)
        }
        if (from.length === 0 && !allPorts) {
          for (const p of ports.numeric) accept(allText, '', dstSet, p.protocol, p.port, p.endport)
          ports.named.forEach((ep, j) => {
            const set = namedPortSet(policy, 'ingressrule', i, j)
            ipsets.push({ name: set, type: 'hash:ip', entries: ep.ips, nomatch: [] })
            accept(allText, '', set, ep.protocol, String(ep.port))
          })
        }
        if (from.length === 0 && allPorts) accept(allText, '', dstSet)
        const blocks = from.filter((peer) => peer.ipBlock).map((peer) => ipBlockEntries(peer.ipBlock!))
        if (blocks.length > 0) {
          const set = indexedSet('KUBE-SRC-', policy, 'ingressrule', i, 'ipblock')
          ipsets.push({
            name: set,
            type: 'hash:net',
            entries: blocks.flatMap((b) => b.net),
            nomatch: blocks.flatMap((b) => b.nomatch)
          })
          if (!allPorts)
            for (const p of ports.numeric) accept(blockText, set, dstSet, p.protocol, p.port, p.endport)
          else accept(blockText, set, dstSet)
        }
      })
    }
    if (egress) {
      const srcSet = targetSourceSet(policy)
      ipsets.push({ name: srcSet, type: 'hash:ip', entries: ips(selected), nomatch: [] })
      policy.egress?.forEach((rule, i) => {
        const to = rule.to ?? []
        const dstPods = to.flatMap((peer) => peerPods(lab, policy, peer))
        const namedFrom = to.length === 0 ? lab.pods.filter((p) => p.namespace === policy.namespace) : dstPods
        const ports = rulePorts(rule.ports ?? [], namedFrom)
        const allPorts = (rule.ports ?? []).length === 0
        const podsText = `rule to ACCEPT traffic from source pods to dest pods selected by policy name ${policy.name} namespace ${policy.namespace}`
        const allText = `rule to ACCEPT traffic from source pods to all destinations selected by policy name: ${policy.name} namespace ${policy.namespace}`
        const blockText = `rule to ACCEPT traffic from source pods to specified ipBlocks selected by policy name: ${policy.name} namespace ${policy.namespace}`
        if (dstPods.length > 0) {
          const dstSet = indexedSet('KUBE-DST-', policy, 'egressrule', i, 'pod')
          ipsets.push({ name: dstSet, type: 'hash:ip', entries: ips(dstPods), nomatch: [] })
          for (const p of ports.numeric) accept(podsText, srcSet, dstSet, p.protocol, p.port, p.endport)
          ports.named.forEach((ep, j) => {
            const set = namedPortSet(policy, 'egressrule', i, j)
            ipsets.push({ name: set, type: 'hash:ip', entries: ep.ips, nomatch: [] })
            accept(podsText, srcSet, set, ep.protocol, String(ep.port))
          })
          if (allPorts) accept(podsText, srcSet, dstSet)
        }
        if (to.length === 0 && !allPorts) {
          for (const p of ports.numeric) accept(allText, srcSet, '', p.protocol, p.port, p.endport)
          for (const ep of ports.named) accept(allText, srcSet, '', ep.protocol, String(ep.port))
        }
        if (to.length === 0 && allPorts) accept(allText, srcSet, '')
        const blocks = to.filter((peer) => peer.ipBlock).map((peer) => ipBlockEntries(peer.ipBlock!))
        if (blocks.length > 0) {
          const set = indexedSet('KUBE-DST-', policy, 'egressrule', i, 'ipblock')
          ipsets.push({
            name: set,
            type: 'hash:net',
            entries: blocks.flatMap((b) => b.net),
            nomatch: blocks.flatMap((b) => b.nomatch)
          })
          if (!allPorts)
            for (const p of ports.numeric) accept(blockText, srcSet, set, p.protocol, p.port, p.endport)
          else accept(blockText, srcSet, set)
        }
      })
    }
  }

  // syncPodFirewallChains: local pods with their own network namespace.
  for (const pod of lab.pods) {
    if (pod.node !== node.name || pod.hostNetwork) continue
    const fw = podFirewallChainName(pod, version)
    const ip = formatIpv4(pod.ip)
    const inserted: string[] = []
    let hasIngress = false
    let hasEgress = false
    for (const policy of policies) {
      if (!targetSets(targets).get(policy)!.has(pod)) continue
      const jump = `-m comment --comment ${q(`run through nw policy ${policy.name}`)} -j ${networkPolicyChainName(policy, version)}`
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
    const rules = chain(fw)
    rules.push(...inserted)
    const to = `rule to jump traffic destined to POD name:${pod.name} namespace: ${pod.namespace} to chain ${fw}`
    const from = `rule to jump traffic from POD name:${pod.name} namespace: ${pod.namespace} to chain ${fw}`
    chain('KUBE-ROUTER-FORWARD').push(`-d ${ip}/32 -m comment --comment ${q(to)} -j ${fw}`)
    chain('KUBE-ROUTER-OUTPUT').push(`-d ${ip}/32 -m comment --comment ${q(to)} -j ${fw}`)
    chain('KUBE-ROUTER-FORWARD').push(
      `-d ${ip}/32 -m physdev --physdev-is-bridged -m comment --comment ${q(to)} -j ${fw}`
    )
    for (const top of ['KUBE-ROUTER-INPUT', 'KUBE-ROUTER-FORWARD', 'KUBE-ROUTER-OUTPUT'])
      chain(top).push(`-s ${ip}/32 -m comment --comment ${q(from)} -j ${fw}`)
    chain('KUBE-ROUTER-FORWARD').push(
      `-s ${ip}/32 -m physdev --physdev-is-bridged -m comment --comment ${q(from)} -j ${fw}`
    )
    rules.push(
      `-m comment --comment ${q(`rule to log dropped traffic POD name:${pod.name} namespace: ${pod.namespace}`)} -m mark ! --mark 0x10000/0x10000 -m limit --limit 10/minute --limit-burst 10 -j NFLOG --nflog-group 100`,
      `-m comment --comment ${q(`rule to REJECT traffic destined for POD name:${pod.name} namespace: ${pod.namespace}`)} -m mark ! --mark 0x10000/0x10000 -j REJECT`,
      '-j MARK --set-mark 0/0x10000',
      '-m comment --comment "set mark to ACCEPT traffic that comply to network policies" -j MARK --set-mark 0x20000/0x20000'
    )
  }

  // ensureExplicitAccept
  for (const top of ['KUBE-ROUTER-INPUT', 'KUBE-ROUTER-FORWARD', 'KUBE-ROUTER-OUTPUT'])
    chain(top).push(
      '-m comment --comment "rule to explicitly ACCEPT traffic that comply to network policies" -m mark --mark 0x20000/0x20000 -j ACCEPT'
    )
  return { chains, topJumps, ipsets }
}

const OWNED = ['KUBE-ROUTER-', 'KUBE-POD-FW-', 'KUBE-NWPLCY-']
export const isKubeRouterChain = (name: string): boolean => OWNED.some((p) => name.startsWith(p))

/** Replaces what kube-router owns in the node's filter table and ipsets with `state`, as its iptables-restore and ipset restore do. */
export function installNetpolState(lab: Lab, ns: Netns, state: NetpolState, parser: RuleParser): void {
  const nf: Netfilter = ns.netfilter
  const t = nf.filter
  for (const [name, chain] of [...t.chains.entries()]) {
    if (chain.policy !== undefined) {
      chain.rules = chain.rules.filter(
        (r) => !(r.target.kind === 'jump' && isKubeRouterChain(r.target.chain))
      )
    } else if (isKubeRouterChain(name)) {
      for (const r of chain.rules) nf.counters.delete(r)
      t.chains.delete(name)
    }
  }
  for (const [name, specs] of state.chains)
    t.chains.set(name, { name, policyCounters: newCounters(), rules: specs.map((s) => parser.rule(s)) })
  for (const { chain, spec } of state.topJumps) t.chains.get(chain)?.rules.unshift(parser.rule(spec))
  for (const name of [...ns.ipsets.keys()]) if (/^KUBE-(SRC|DST)-/.test(name)) ns.ipsets.delete(name)
  for (const s of state.ipsets) {
    const set: IpSet = {
      name: s.name,
      type: s.type,
      comment: '',
      entries: new Set(s.type === 'hash:net' ? s.entries.map(netKey) : s.entries),
      nomatch: new Set(s.nomatch.map(netKey)),
      timeout: 0,
      initval: Math.floor(nextRandom(lab.rng) * 0x100000000) >>> 0
    }
    ns.ipsets.set(s.name, set)
  }
}

/** hash:net keeps the network address, whatever host bits the CIDR was written with. */
function netKey(text: string): string {
  const c = parseCidr(text)
  return c ? formatCidr(c) : text
}

/** A full kube-router sync on every node, when the scenario runs it. */
export function syncNetworkPolicies(lab: Lab, parser: RuleParser): void {
  if (lab.scenario.cluster.networkPolicy !== 'kube-router') return
  const version = syncVersion(lab)
  for (const node of lab.nodes)
    installNetpolState(lab, lab.netns.get(node.netns)!, kubeRouterNetpolState(lab, node, version), parser)
}
