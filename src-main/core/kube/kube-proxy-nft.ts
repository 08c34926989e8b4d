import type { NftChain, NftExpr, NftMap, NftRule, NftSet, NftTable } from '../linux/nftables.ts'
import type { Netns } from '../linux/netns.ts'
import { parseCidr, type Cidr } from '../net/cidr.ts'
import { formatIpv4 } from '../net/ipv4.ts'
import type { EndpointLookup } from './endpoints.ts'
import type { Lab } from './lab.ts'
import { STICKY_MAX_AGE_SECONDS, type KubeNode } from './objects.ts'
import { nftEndpointChainBase, nftServiceChainBase, servicePortName } from './proxy-names.ts'

const rule = (exprs: NftExpr[], comment?: string): NftRule =>
  comment === undefined ? { exprs } : { exprs, comment }
const chain = (name: string, rules: NftRule[], base?: NftChain['base']): NftChain =>
  base ? { name, base, rules } : { name, rules }

/**
 * kube-proxy nftables mode (1.31): table `ip kube-proxy` with verdict maps keyed by
 * `daddr . proto . port`, `numgen random` balancing, and `cluster-ips-check` rejecting
 * NEW traffic to a ClusterIP port that is not a Service port.
 */
export function syncNft(lab: Lab, node: KubeNode, ns: Netns, endpoints: EndpointLookup): void {
  const podNet = parseCidr(lab.scenario.cluster.podCIDR)!
  const serviceNet = parseCidr(lab.scenario.cluster.serviceCIDR)!
  const serviceIps: NftMap = {
    name: 'service-ips',
    key: 'addr-proto-port',
    comment: 'ClusterIP, ExternalIP and LoadBalancer IP traffic',
    elements: []
  }
  const serviceNodeports: NftMap = {
    name: 'service-nodeports',
    key: 'proto-port',
    comment: 'NodePort traffic',
    elements: []
  }
  const noEndpointServices: NftMap = {
    name: 'no-endpoint-services',
    key: 'addr-proto-port',
    comment: 'vmap to drop or reject packets to services with no endpoints',
    elements: []
  }
  const noEndpointNodeports: NftMap = {
    name: 'no-endpoint-nodeports',
    key: 'proto-port',
    comment: 'vmap to drop or reject packets to service nodeports with no endpoints',
    elements: []
  }
  const firewallIps: NftMap = {
    name: 'firewall-ips',
    key: 'addr-proto-port',
    comment: 'destinations that are subject to LoadBalancerSourceRanges',
    elements: []
  }
  const serviceChains: NftChain[] = []
  const affinitySets: NftSet[] = []
  // A sync re-adds the affinity sets without flushing them, so the clients they remember stay.
  const remembered = new Map((ns.nft?.sets ?? []).filter((x) => x.timeout).map((x) => [x.name, x]))
  const clusterIps: number[] = []
  const apiserverElements: NftMap['elements'] = []
  for (const svc of lab.services) {
    // kube-proxy ignores headless Services: DNS answers with the pods instead.
    if (svc.headless) continue
    clusterIps.push(svc.clusterIP)
    for (const port of svc.ports) {
      const proto = port.protocol === 'TCP' ? 'tcp' : 'udp'
      const key = `${formatIpv4(svc.clusterIP)} . ${proto} . ${port.port}`
      const eps = endpoints(svc, port)
      if (eps.length === 0) {
        noEndpointServices.elements.push({
          key,
          verdict: 'goto',
          chain: 'reject-chain',
          comment: servicePortName(svc, port)
        })
        if (port.nodePort !== undefined)
          noEndpointNodeports.elements.push({
            key: `${proto} . ${port.nodePort}`,
            verdict: 'goto',
            chain: 'reject-chain',
            comment: servicePortName(svc, port)
          })
        continue
      }
      const base = nftServiceChainBase(svc, port)
      const svcChain: NftChain = chain(`service-${base}`, [
        rule([
          { op: 'daddr-eq', ip: svc.clusterIP },
          { op: 'dport-eq', proto, port: port.port },
          { op: 'saddr-in', cidrs: [podNet], neg: true },
          { op: 'jump', chain: 'mark-for-masquerade' }
        ])
      ])
      serviceChains.push(svcChain)
      const localChains: string[] = []
      const sticky = svc.sessionAffinity === 'ClientIP'
      const endpointChains = eps.map((ep) => {
        const text = `${formatIpv4(ep.ip)}:${ep.port}`
        const chainBase = nftEndpointChainBase(svc, port, text)
        const name = `endpoint-${chainBase}`
        const affinity = `affinity-${chainBase}`
        if (sticky) {
          const old = remembered.get(affinity)
          affinitySets.push({
            name: affinity,
            elements: [...(old?.elements ?? [])],
            timeout: { seconds: STICKY_MAX_AGE_SECONDS, expiresAt: [...(old?.timeout?.expiresAt ?? [])] }
          })
        }
        serviceChains.push(
          chain(name, [
            rule([
              { op: 'saddr-eq', ip: ep.ip },
              { op: 'jump', chain: 'mark-for-masquerade' }
            ]),
            ...(sticky ? [rule([{ op: 'update-saddr', set: affinity }])] : []),
            rule([
              { op: 'l4proto-eq', proto },
              { op: 'dnat', ip: ep.ip, port: ep.port, proto }
            ])
          ])
        )
        if (ep.node === node.name) localChains.push(name)
        return name
      })
      // A client the set remembers goes back to its endpoint before numgen picks one.
      if (sticky)
        for (const target of endpointChains)
          svcChain.rules.push(
            rule([
              { op: 'saddr-in-set', set: target.replace(/^endpoint-/, 'affinity-') },
              { op: 'goto', chain: target }
            ])
          )
      svcChain.rules.push(rule([{ op: 'numgen-vmap', targets: endpointChains }]))
      // nft lists a map's elements in its hash table's order, which the lab does not model;
      // the kernel lists the apiserver's 10.96.0.1:443 after the lab's Services.
      const element = { key, verdict: 'goto', chain: `service-${base}` } as const
      if (svc.fixedEndpoints) apiserverElements.push(element)
      else serviceIps.elements.push(element)
      if (port.nodePort !== undefined) {
        if (svc.externalTrafficPolicy === 'Cluster')
          serviceChains.push(
            chain(`external-${base}`, [
              rule([{ op: 'jump', chain: 'mark-for-masquerade' }]),
              rule([{ op: 'goto', chain: `service-${base}` }])
            ])
          )
        else serviceChains.push(...localPolicyChains(base, podNet, localChains))
        if (svc.externalTrafficPolicy === 'Local' && localChains.length === 0)
          noEndpointNodeports.elements.push({
            key: `${proto} . ${port.nodePort}`,
            verdict: 'drop',
            comment: servicePortName(svc, port)
          })
        serviceNodeports.elements.push({
          key: `${proto} . ${port.nodePort}`,
          verdict: 'goto',
          chain: `external-${base}`
        })
      }
    }
  }
  const newCt: NftExpr = { op: 'ct-state', states: ['new'] }
  const base = (
    name: string,
    rules: NftRule[],
    type: 'filter' | 'nat',
    hook: NonNullable<NftChain['base']>['hook'],
    priority: number
  ): NftChain => chain(name, rules, { type, hook, priority })
  serviceIps.elements.push(...apiserverElements)
  // Chains, sets and maps in the order kube-proxy's transaction creates them (nft lists them so).
  const table: NftTable = {
    family: 'ip',
    name: 'kube-proxy',
    comment: 'rules for kube-proxy',
    sets: [
      { name: 'cluster-ips', comment: 'Active ClusterIPs', elements: clusterIps },
      { name: 'nodeport-ips', comment: 'IPs that accept NodePort traffic', elements: [node.ip] },
      ...affinitySets
    ],
    maps: [firewallIps, noEndpointServices, noEndpointNodeports, serviceIps, serviceNodeports],
    chains: [
      chain('mark-for-masquerade', [rule([{ op: 'mark-or', bits: 0x4000 }])]),
      chain('masquerading', [
        rule([{ op: 'mark-masq-unset', bits: 0x4000 }, { op: 'return' }]),
        rule([{ op: 'mark-xor', bits: 0x4000 }]),
        rule([{ op: 'masquerade' }])
      ]),
      chain('services', [
        rule([{ op: 'vmap', map: 'service-ips', key: 'addr-proto-port' }]),
        rule([
          { op: 'fib-daddr-local' },
          { op: 'daddr-in-set', set: 'nodeport-ips' },
          { op: 'vmap', map: 'service-nodeports', key: 'proto-port' }
        ])
      ]),
      chain('service-endpoints-check', [
        rule([{ op: 'vmap', map: 'no-endpoint-services', key: 'addr-proto-port' }])
      ]),
      chain('firewall-check', [rule([{ op: 'vmap', map: 'firewall-ips', key: 'addr-proto-port' }])]),
      chain('nodeport-endpoints-check', [
        rule([
          { op: 'daddr-in-set', set: 'nodeport-ips' },
          { op: 'vmap', map: 'no-endpoint-nodeports', key: 'proto-port' }
        ])
      ]),
      chain('cluster-ips-check', [
        rule(
          [{ op: 'daddr-in-set', set: 'cluster-ips' }, { op: 'reject' }],
          'Reject traffic to invalid ports of ClusterIPs'
        ),
        rule(
          [{ op: 'daddr-in', cidrs: [serviceNet], neg: false }, { op: 'drop' }],
          'Drop traffic to unallocated ClusterIPs'
        )
      ]),
      {
        ...chain('reject-chain', [rule([{ op: 'reject' }])]),
        comment: 'helper for @no-endpoint-services / @no-endpoint-nodeports'
      },
      base(
        'filter-prerouting',
        [rule([newCt, { op: 'jump', chain: 'firewall-check' }])],
        'filter',
        'prerouting',
        -110
      ),
      base(
        'filter-forward',
        [
          rule([newCt, { op: 'jump', chain: 'service-endpoints-check' }]),
          rule([newCt, { op: 'jump', chain: 'cluster-ips-check' }])
        ],
        'filter',
        'forward',
        -110
      ),
      base(
        'filter-input',
        [
          rule([newCt, { op: 'jump', chain: 'nodeport-endpoints-check' }]),
          rule([newCt, { op: 'jump', chain: 'service-endpoints-check' }])
        ],
        'filter',
        'input',
        -110
      ),
      base(
        'filter-output',
        [
          rule([newCt, { op: 'jump', chain: 'service-endpoints-check' }]),
          rule([newCt, { op: 'jump', chain: 'firewall-check' }])
        ],
        'filter',
        'output',
        -110
      ),
      // After DNAT: the node's own connections to real Service ports no longer carry a ClusterIP here.
      base(
        'filter-output-post-dnat',
        [rule([newCt, { op: 'jump', chain: 'cluster-ips-check' }])],
        'filter',
        'output',
        -90
      ),
      base('nat-output', [rule([{ op: 'jump', chain: 'services' }])], 'nat', 'output', -100),
      base('nat-postrouting', [rule([{ op: 'jump', chain: 'masquerading' }])], 'nat', 'postrouting', 100),
      base('nat-prerouting', [rule([{ op: 'jump', chain: 'services' }])], 'nat', 'prerouting', -100),
      ...serviceChains
    ]
  }
  ns.nft = table
}

/**
 * externalTrafficPolicy Local: pods and the node itself still reach every endpoint (through the
 * service chain, the node masqueraded); outside clients keep their source address and reach
 * only this node's endpoints. Without one the external chain ends there, and the
 * no-endpoint-nodeports drop in filter-input catches what falls through.
 */
function localPolicyChains(base: string, podNet: Cidr, localChains: string[]): NftChain[] {
  const svcChain = `service-${base}`
  const external = chain(`external-${base}`, [
    rule(
      [
        { op: 'saddr-in', cidrs: [podNet], neg: false },
        { op: 'goto', chain: svcChain }
      ],
      'short-circuit pod traffic'
    ),
    rule(
      [{ op: 'fib-saddr-local' }, { op: 'jump', chain: 'mark-for-masquerade' }],
      'masquerade local traffic'
    ),
    rule([{ op: 'fib-saddr-local' }, { op: 'goto', chain: svcChain }], 'short-circuit local traffic')
  ])
  if (localChains.length === 0) return [external]
  external.rules.push(rule([{ op: 'goto', chain: `local-${base}` }]))
  return [chain(`local-${base}`, [rule([{ op: 'numgen-vmap', targets: localChains }])]), external]
}
