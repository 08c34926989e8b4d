import type { NftChain, NftExpr, NftMap, NftRule, NftTable } from '../linux/nftables.ts'
import type { Netns } from '../linux/netns.ts'
import { parseCidr } from '../net/cidr.ts'
import { formatIpv4 } from '../net/ipv4.ts'
import { endpointsOf } from './endpoints.ts'
import type { Lab } from './lab.ts'
import type { KubeNode } from './objects.ts'
import { nftEndpointChainBase, nftServiceChainBase } from './proxy-names.ts'

const rule = (exprs: NftExpr[], comment?: string): NftRule => (comment === undefined ? { exprs } : { exprs, comment })
const chain = (name: string, rules: NftRule[], base?: NftChain['base']): NftChain => (base ? { name, base, rules } : { name, rules })

/**
 * kube-proxy nftables mode (1.31): table `ip kube-proxy` with verdict maps keyed by
 * `daddr . proto . port`, `numgen random` balancing, and `cluster-ips-check` rejecting
 * NEW traffic to a ClusterIP port that is not a Service port.
 */
export function syncNft(lab: Lab, node: KubeNode, ns: Netns): void {
  const podNet = parseCidr(lab.scenario.cluster.podCIDR)!
  const serviceNet = parseCidr(lab.scenario.cluster.serviceCIDR)!
  const serviceIps: NftMap = { name: 'service-ips', key: 'addr-proto-port', comment: 'ClusterIP, ExternalIP and LoadBalancer IP traffic', elements: [] }
  const serviceNodeports: NftMap = { name: 'service-nodeports', key: 'proto-port', comment: 'NodePort traffic', elements: [] }
  const noEndpointServices: NftMap = { name: 'no-endpoint-services', key: 'addr-proto-port', comment: 'vmap to drop or reject packets to services with no endpoints', elements: [] }
  const noEndpointNodeports: NftMap = { name: 'no-endpoint-nodeports', key: 'proto-port', comment: 'vmap to drop or reject packets to service nodeports with no endpoints', elements: [] }
  const firewallIps: NftMap = { name: 'firewall-ips', key: 'addr-proto-port', comment: 'destinations that are subject to LoadBalancerSourceRanges', elements: [] }
  const serviceChains: NftChain[] = []
  const clusterIps: number[] = []
  for (const svc of lab.services) {
    clusterIps.push(svc.clusterIP)
    for (const port of svc.ports) {
      const proto = port.protocol === 'TCP' ? 'tcp' : 'udp'
      const key = `${formatIpv4(svc.clusterIP)} . ${proto} . ${port.port}`
      const eps = endpointsOf(lab, svc, port)
      if (eps.length === 0) {
        noEndpointServices.elements.push({ key, verdict: 'goto', chain: 'reject-chain' })
        if (port.nodePort !== undefined) noEndpointNodeports.elements.push({ key: `${proto} . ${port.nodePort}`, verdict: 'goto', chain: 'reject-chain' })
        continue
      }
      const base = nftServiceChainBase(svc, port)
      const endpointChains = eps.map((ep) => {
        const text = `${formatIpv4(ep.ip)}:${ep.port}`
        const name = `endpoint-${nftEndpointChainBase(svc, port, text)}`
        serviceChains.push(chain(name, [rule([{ op: 'saddr-eq', ip: ep.ip }, { op: 'jump', chain: 'mark-for-masquerade' }]), rule([{ op: 'l4proto-eq', proto }, { op: 'dnat', ip: ep.ip, port: ep.port, proto }])]))
        return name
      })
      serviceChains.push(
        chain(`service-${base}`, [
          rule([{ op: 'daddr-eq', ip: svc.clusterIP }, { op: 'dport-eq', proto, port: port.port }, { op: 'saddr-in', cidrs: [podNet], neg: true }, { op: 'jump', chain: 'mark-for-masquerade' }]),
          rule([{ op: 'numgen-vmap', targets: endpointChains }])
        ])
      )
      serviceIps.elements.push({ key, verdict: 'goto', chain: `service-${base}` })
      if (port.nodePort !== undefined) {
        serviceChains.push(chain(`external-${base}`, [rule([{ op: 'jump', chain: 'mark-for-masquerade' }]), rule([{ op: 'goto', chain: `service-${base}` }])]))
        serviceNodeports.elements.push({ key: `${proto} . ${port.nodePort}`, verdict: 'goto', chain: `external-${base}` })
      }
    }
  }
  const newCt: NftExpr = { op: 'ct-state', states: ['new'] }
  const table: NftTable = {
    family: 'ip',
    name: 'kube-proxy',
    comment: 'rules for kube-proxy',
    sets: [
      { name: 'cluster-ips', comment: 'Active ClusterIPs', elements: clusterIps },
      { name: 'nodeport-ips', comment: 'IPs that accept NodePort traffic', elements: [node.ip] }
    ],
    maps: [noEndpointServices, noEndpointNodeports, firewallIps, serviceIps, serviceNodeports],
    chains: [
      chain('filter-prerouting', [rule([newCt, { op: 'jump', chain: 'firewall-check' }])], { type: 'filter', hook: 'prerouting', priority: -110 }),
      chain('filter-input', [rule([newCt, { op: 'jump', chain: 'nodeport-endpoints-check' }]), rule([newCt, { op: 'jump', chain: 'service-endpoints-check' }])], { type: 'filter', hook: 'input', priority: -110 }),
      chain('filter-forward', [rule([newCt, { op: 'jump', chain: 'service-endpoints-check' }]), rule([newCt, { op: 'jump', chain: 'cluster-ips-check' }])], { type: 'filter', hook: 'forward', priority: -110 }),
      chain('filter-output', [rule([newCt, { op: 'jump', chain: 'service-endpoints-check' }]), rule([newCt, { op: 'jump', chain: 'firewall-check' }])], { type: 'filter', hook: 'output', priority: -110 }),
      chain('filter-output-post-dnat', [rule([newCt, { op: 'jump', chain: 'cluster-ips-check' }])], { type: 'filter', hook: 'output', priority: -90 }),
      chain('nat-prerouting', [rule([{ op: 'jump', chain: 'services' }])], { type: 'nat', hook: 'prerouting', priority: -100 }),
      chain('nat-output', [rule([{ op: 'jump', chain: 'services' }])], { type: 'nat', hook: 'output', priority: -100 }),
      chain('nat-postrouting', [rule([{ op: 'jump', chain: 'masquerading' }])], { type: 'nat', hook: 'postrouting', priority: 100 }),
      chain('nodeport-endpoints-check', [rule([{ op: 'daddr-in-set', set: 'nodeport-ips' }, { op: 'vmap', map: 'no-endpoint-nodeports', key: 'proto-port' }])]),
      chain('service-endpoints-check', [rule([{ op: 'vmap', map: 'no-endpoint-services', key: 'addr-proto-port' }])]),
      chain('firewall-check', [rule([{ op: 'vmap', map: 'firewall-ips', key: 'addr-proto-port' }])]),
      chain('services', [rule([{ op: 'vmap', map: 'service-ips', key: 'addr-proto-port' }]), rule([{ op: 'daddr-in-set', set: 'nodeport-ips' }, { op: 'vmap', map: 'service-nodeports', key: 'proto-port' }])]),
      chain('masquerading', [rule([{ op: 'mark-masq-unset', bits: 0x4000 }, { op: 'return' }]), rule([{ op: 'mark-xor', bits: 0x4000 }]), rule([{ op: 'masquerade' }])]),
      chain('mark-for-masquerade', [rule([{ op: 'mark-or', bits: 0x4000 }])]),
      chain('reject-chain', [rule([{ op: 'reject' }])]),
      chain('cluster-ips-check', [
        rule([{ op: 'daddr-in-set', set: 'cluster-ips' }, { op: 'reject' }], 'Reject traffic to invalid ports of ClusterIPs'),
        rule([{ op: 'daddr-in', cidrs: [serviceNet], neg: false }, { op: 'drop' }], 'Drop traffic to unallocated ClusterIPs')
      ]),
      ...serviceChains
    ]
  }
  ns.nft = table
}
