import { formatIpv4, type Ipv4 } from '../net/ipv4.ts'
import { probabilityToFixed, type IptMatch, type IptRule } from '../linux/netfilter.ts'
import { endpointsOf, type EndpointLookup } from './endpoints.ts'
import { appendRule, appendTo, emptyOwned, type OwnedRules, type RuleParser } from './iptables-writer.ts'
import { addKubeletChains, type OwnedTables } from './kubelet-iptables.ts'
import type { Lab } from './lab.ts'
import { STICKY_MAX_AGE_SECONDS, type KubeNode } from './objects.ts'
import { endpointHash, servicePortHash, servicePortName } from './proxy-names.ts'

export type KubeProxyRules = OwnedTables

/** kube-proxy writes `1/(N-i)` with `%0.10f`; the kernel keeps a fixed-point value of it. */
function probability(i: number, n: number): string {
  return (1 / (n - i)).toFixed(10)
}

const q = (text: string): string => `"${text}"`

/** The jumps into kube-proxy's nat chains, which its iptables and ipvs modes both insert first. */
export function prependNatEntryJumps(nat: OwnedRules, parser: RuleParser): void {
  nat.prepend.push(
    {
      chain: 'PREROUTING',
      rule: parser.rule('-m comment --comment "kubernetes service portals" -j KUBE-SERVICES')
    },
    {
      chain: 'OUTPUT',
      rule: parser.rule('-m comment --comment "kubernetes service portals" -j KUBE-SERVICES')
    },
    {
      chain: 'POSTROUTING',
      rule: parser.rule('-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING')
    }
  )
}

/** What a KUBE-SEP chain's two rules say: the Service port's name and protocol, and the endpoint. */
interface EndpointChain {
  name: string
  chain: string
  proto: string
  sticky: boolean
  ip: Ipv4
  port: number
}

/**
 * The rules of each endpoint's chain, by chain name, for one parser (one sync): the name hashes
 * the Service port, its protocol and the endpoint, so with affinity it stands for the rules'
 * text, and every node gets the same two objects, as it would from parsing that text.
 */
const endpointChains = new WeakMap<RuleParser, Map<string, IptRule[]>>()

/**
 * A KUBE-SEP chain's rules: the masquerade mark for hairpin traffic, then the DNAT. Their text
 * is parsed once per shape with a stand-in endpoint and copied with the real one put in, as
 * parsing thousands of endpoints' lines was most of a large cluster's kube-proxy sync.
 */
function endpointChainRules(parser: RuleParser, ep: EndpointChain): IptRule[] {
  let byChain = endpointChains.get(parser)
  if (!byChain) endpointChains.set(parser, (byChain = new Map()))
  const key = ep.sticky ? `${ep.chain} sticky` : ep.chain
  let rules = byChain.get(key)
  if (rules) return rules
  const comment: IptMatch = { module: 'comment', comment: ep.name }
  const masq = parser.rule(`-m comment --comment ${STAND_IN_NAME} -s ${STAND_IN_IP} -j KUBE-MARK-MASQ`)
  const remember = ep.sticky ? ` -m recent --name ${STAND_IN_CHAIN} --set` : ''
  const dnat = parser.rule(
    `-m comment --comment ${STAND_IN_NAME}${remember} -m ${ep.proto} -p ${ep.proto} -j DNAT --to-destination ${STAND_IN_IP}:1`
  )
  const ip = formatIpv4(ep.ip)
  rules = [
    parser.made(
      {
        ...masq,
        src: { value: { network: ep.ip, prefixLen: 32 }, neg: false },
        matches: [comment],
        target: { ...masq.target }
      },
      () => `-m comment --comment ${ep.name} -s ${ip} -j KUBE-MARK-MASQ`
    ),
    parser.made(
      {
        ...dnat,
        matches: dnat.matches.map((m) =>
          m.module === 'comment' ? comment : m.module === 'recent' ? { ...m, name: ep.chain } : m
        ),
        target: { kind: 'DNAT', toIp: ep.ip, toPort: ep.port }
      },
      () =>
        `-m comment --comment ${ep.name}${ep.sticky ? ` -m recent --name ${ep.chain} --set` : ''} -m ${ep.proto} -p ${ep.proto} -j DNAT --to-destination ${ip}:${ep.port}`
    )
  ]
  byChain.set(key, rules)
  return rules
}

/**
 * A Service chain's jump to one endpoint, `spec` as kube-proxy writes it: copied from the parsed
 * rule of its shape with the comment, probability and chain put in, as parsing each endpoint's
 * line was most of what a large cluster's sync cost after the endpoint chains were templated.
 */
function balancingRule(
  parser: RuleParser,
  spec: string,
  comment: string,
  probability: string | undefined,
  chain: string
): IptRule {
  return parser.ruleMadeAs(spec, () => {
    const shape = parser.rule(
      `-m comment --comment ${STAND_IN_NAME}${probability === undefined ? '' : ' -m statistic --mode random --probability 0.5'} -j ${STAND_IN_CHAIN}`
    )
    return {
      ...shape,
      matches: shape.matches.map((m) =>
        m.module === 'comment'
          ? { module: 'comment', comment }
          : m.module === 'statistic'
            ? { ...m, probability: probabilityToFixed(Number(probability)) }
            : m
      ),
      target: { ...shape.target, chain } as IptRule['target']
    }
  })
}

/**
 * A rule matching a Service port's cluster IP, `spec` as kube-proxy writes it: copied from the
 * parsed rule of its shape (`tail` after the match, jumping to `chain` when given) with the
 * Service's comment, address and port put in, as for the jumps to endpoints.
 */
function clusterIpRule(
  parser: RuleParser,
  spec: string,
  to: { comment: string; proto: string; ip: Ipv4; port: number },
  tail: string,
  chain?: string
): IptRule {
  if (to.proto !== 'tcp' && to.proto !== 'udp') return parser.rule(spec)
  return parser.ruleMadeAs(spec, () => {
    const shape = parser.rule(
      `-m comment --comment ${STAND_IN_NAME} -m ${to.proto} -p ${to.proto} -d ${STAND_IN_IP} --dport 1${tail}`
    )
    return {
      ...shape,
      dst: { value: { network: to.ip, prefixLen: 32 }, neg: false },
      matches: shape.matches.map((m) =>
        m.module === 'comment'
          ? { module: 'comment', comment: to.comment }
          : (m.module === 'tcp' || m.module === 'udp') && m.dport
            ? { ...m, dport: { ...m.dport, value: to.port } }
            : m
      ),
      ...(shape.src ? { src: { ...shape.src, value: { ...shape.src.value } } } : {}),
      ...(shape.proto ? { proto: { ...shape.proto } } : {}),
      target: { ...shape.target, ...(chain === undefined ? {} : { chain }) } as IptRule['target']
    }
  })
}

const STAND_IN_NAME = 'PNL_SERVICE_PORT'
const STAND_IN_IP = '192.0.2.1'
const STAND_IN_CHAIN = 'KUBE-SEP-PNL_STAND_IN'

/**
 * The mangle, nat and filter rules kube-proxy (iptables mode, 1.31) writes on `node`, in its
 * order, with kubelet's chains. Only Services with externalTrafficPolicy Local differ between nodes.
 */
export function kubeProxyIptablesRules(
  lab: Lab,
  node: KubeNode,
  parser: RuleParser,
  endpoints: EndpointLookup = (svc, port) => endpointsOf(lab, svc, port)
): KubeProxyRules {
  const mangle = emptyOwned()
  const nat = emptyOwned()
  const filter = emptyOwned()
  addKubeletChains({ mangle, nat, filter }, parser)
  // The empty chain kube-proxy's iptables monitor watches: gone means someone flushed the table.
  for (const owned of [mangle, nat, filter]) appendTo(owned, parser, 'KUBE-PROXY-CANARY', '')
  const clusterCIDR = lab.scenario.cluster.podCIDR
  const n = (chain: string, spec: string): void => appendTo(nat, parser, chain, spec)
  const f = (chain: string, spec: string): void => appendTo(filter, parser, chain, spec)

  for (const chain of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ']) n(chain, '')
  for (const chain of [
    'KUBE-SERVICES',
    'KUBE-EXTERNAL-SERVICES',
    'KUBE-FORWARD',
    'KUBE-NODEPORTS',
    'KUBE-PROXY-FIREWALL'
  ])
    f(chain, '')

  // Jumps from built-in chains, in the order kube-proxy's successive `-I` leave them.
  const fjump = (chain: string, spec: string): void =>
    void filter.prepend.push({ chain, rule: parser.rule(spec) })
  fjump(
    'INPUT',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL'
  )
  fjump('INPUT', '-m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS')
  fjump(
    'INPUT',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES'
  )
  fjump(
    'FORWARD',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL'
  )
  fjump('FORWARD', '-m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD')
  fjump(
    'FORWARD',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'
  )
  fjump(
    'FORWARD',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES'
  )
  fjump(
    'OUTPUT',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL'
  )
  fjump(
    'OUTPUT',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'
  )
  prependNatEntryJumps(nat, parser)

  // kube-proxy writes KUBE-FIREWALL too, the same rule as kubelet's, which is already in place.
  f('KUBE-FORWARD', '-m conntrack --ctstate INVALID -j DROP')
  f(
    'KUBE-FORWARD',
    '-m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT'
  )
  f(
    'KUBE-FORWARD',
    '-m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'
  )
  n('KUBE-MARK-MASQ', '-j MARK --or-mark 0x4000')
  n('KUBE-POSTROUTING', '-m mark ! --mark 0x4000/0x4000 -j RETURN')
  n('KUBE-POSTROUTING', '-j MARK --xor-mark 0x4000')
  n(
    'KUBE-POSTROUTING',
    '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully'
  )

  for (const svc of lab.services) {
    // kube-proxy ignores headless Services: DNS answers with the pods instead.
    if (svc.headless) continue
    const cip = formatIpv4(svc.clusterIP)
    for (const port of svc.ports) {
      const name = servicePortName(svc, port)
      const proto = port.protocol.toLowerCase()
      const hash = servicePortHash(svc, port)
      const svcChain = `KUBE-SVC-${hash}`
      const eps = endpoints(svc, port)
      const clusterMatch = `-m comment --comment ${q(`${name} cluster IP`)} -m ${proto} -p ${proto} -d ${cip} --dport ${port.port}`
      if (eps.length === 0) {
        f(
          'KUBE-SERVICES',
          `-m comment --comment ${q(`${name} has no endpoints`)} -m ${proto} -p ${proto} -d ${cip} --dport ${port.port} -j REJECT`
        )
        if (port.nodePort !== undefined) {
          f(
            'KUBE-EXTERNAL-SERVICES',
            `-m comment --comment ${q(`${name} has no endpoints`)} -m addrtype --dst-type LOCAL -m ${proto} -p ${proto} --dport ${port.nodePort} -j REJECT`
          )
        }
        continue
      }
      const toClusterIp = { comment: `${name} cluster IP`, proto, ip: svc.clusterIP, port: port.port }
      appendRule(
        nat,
        'KUBE-SERVICES',
        clusterIpRule(
          parser,
          `${clusterMatch} -j ${svcChain}`,
          toClusterIp,
          ` -j ${STAND_IN_CHAIN}`,
          svcChain
        )
      )
      appendRule(
        nat,
        svcChain,
        clusterIpRule(
          parser,
          `${clusterMatch} ! -s ${clusterCIDR} -j KUBE-MARK-MASQ`,
          toClusterIp,
          ` ! -s ${clusterCIDR} -j KUBE-MARK-MASQ`
        )
      )
      const sticky = svc.sessionAffinity === 'ClientIP'
      const epChains = eps.map((ep) => {
        const text = `${formatIpv4(ep.ip)}:${ep.port}`
        const chain = `KUBE-SEP-${endpointHash(svc, port, text)}`
        const rules = nat.chains.get(chain) ?? []
        rules.push(...endpointChainRules(parser, { name, chain, proto, sticky, ip: ep.ip, port: ep.port }))
        nat.chains.set(chain, rules)
        return { chain, text, ep }
      })
      const writeBalancing = (chain: string, list: typeof epChains): void => {
        // A client seen within the timeout goes back to the endpoint that recorded it.
        if (sticky)
          for (const e of list)
            n(
              chain,
              `-m comment --comment ${q(`${name} -> ${e.text}`)} -m recent --name ${e.chain} --rcheck --seconds ${STICKY_MAX_AGE_SECONDS} --reap -j ${e.chain}`
            )
        list.forEach((e, i) => {
          const p = i < list.length - 1 ? probability(i, list.length) : undefined
          const stat = p === undefined ? '' : ` -m statistic --mode random --probability ${p}`
          const comment = `${name} -> ${e.text}`
          appendRule(
            nat,
            chain,
            balancingRule(
              parser,
              `-m comment --comment ${q(comment)}${stat} -j ${e.chain}`,
              comment,
              p,
              e.chain
            )
          )
        })
      }
      writeBalancing(svcChain, epChains)
      if (port.nodePort === undefined) continue
      const extChain = `KUBE-EXT-${hash}`
      n(
        'KUBE-NODEPORTS',
        `-m comment --comment ${name} -m ${proto} -p ${proto} --dport ${port.nodePort} -j ${extChain}`
      )
      if (svc.externalTrafficPolicy === 'Cluster') {
        n(
          extChain,
          `-m comment --comment ${q(`masquerade traffic for ${name} external destinations`)} -j KUBE-MARK-MASQ`
        )
        n(extChain, `-j ${svcChain}`)
        continue
      }
      const svlChain = `KUBE-SVL-${hash}`
      n(
        extChain,
        `-m comment --comment ${q(`pod traffic for ${name} external destinations`)} -s ${clusterCIDR} -j ${svcChain}`
      )
      n(
        extChain,
        `-m comment --comment ${q(`masquerade LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`
      )
      n(
        extChain,
        `-m comment --comment ${q(`route LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j ${svcChain}`
      )
      const local = epChains.filter((e) => e.ep.node === node.name)
      // Without a local endpoint kube-proxy writes neither the fall-through jump nor the SVL
      // chain: outside traffic misses every nat rule and this filter DROP catches it.
      if (local.length === 0) {
        f(
          'KUBE-EXTERNAL-SERVICES',
          `-m comment --comment ${q(`${name} has no local endpoints`)} -m addrtype --dst-type LOCAL -m ${proto} -p ${proto} --dport ${port.nodePort} -j DROP`
        )
        continue
      }
      n(extChain, `-j ${svlChain}`)
      n(svlChain, '')
      writeBalancing(svlChain, local)
    }
  }
  n(
    'KUBE-SERVICES',
    '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS'
  )
  return { mangle, nat, filter }
}

/** Whether every node gets the same rules (no externalTrafficPolicy Local NodePorts). */
export function kubeProxyRulesAreNodeIndependent(lab: Lab): boolean {
  return !lab.services.some(
    (s) => s.externalTrafficPolicy === 'Local' && s.ports.some((p) => p.nodePort !== undefined)
  )
}
