import type { DummyLink } from '../linux/link.ts'
import type { IpvsService, IpvsTemplate } from '../linux/ipvs.ts'
import type { IpSet } from '../linux/netfilter.ts'
import { addAddresses, addLink } from '../linux/ops.ts'
import { linkByName, type Netns } from '../linux/netns.ts'
import { formatIpv4 } from '../net/ipv4.ts'
import { macFromBytes } from '../net/mac.ts'
import { randomBytes } from '../net/rng.ts'
import type { EndpointLookup } from './endpoints.ts'
import { appendTo, emptyOwned, installOwned, type RuleParser } from './iptables-writer.ts'
import { prependNatEntryJumps } from './kube-proxy-iptables.ts'
import { addKubeletChains } from './kubelet-iptables.ts'
import type { Lab } from './lab.ts'
import { STICKY_MAX_AGE_SECONDS, type KubeNode, type KubeService } from './objects.ts'

/** Kubernetes minor version as a number (`1.31` → 31). */
export function minorVersion(lab: Lab): number {
  return Number(lab.scenario.cluster.kubeProxy.version.split('.')[1])
}

function set(name: string, type: IpSet['type'], comment: string): IpSet {
  return { name, type, comment, entries: new Set() }
}

/**
 * kube-proxy IPVS mode on one node: every ClusterIP bound to the dummy `kube-ipvs0` (DOWN,
 * NOARP: the kernel then owns the address, so it answers ping), one virtual server per
 * ClusterIP:port (scheduler rr), ipsets the iptables rules match, and from 1.26
 * KUBE-IPVS-FILTER, which rejects NEW traffic to those IPs that is not for a Service port.
 */
export function syncIpvs(
  lab: Lab,
  node: KubeNode,
  ns: Netns,
  parser: RuleParser,
  endpoints: EndpointLookup
): void {
  let dummy = linkByName(ns, 'kube-ipvs0') as DummyLink | undefined
  if (!dummy)
    dummy = addLink<DummyLink>(ns, {
      kind: 'dummy',
      name: 'kube-ipvs0',
      mtu: 1500,
      mac: macFromBytes(randomBytes(lab.rng, 6)),
      up: false,
      noarp: true
    })
  const dummyIndex = dummy.ifindex
  ns.addresses = ns.addresses.filter((a) => a.ifindex !== dummyIndex)
  ns.routes = ns.routes.filter((r) => r.dev !== dummyIndex)
  const sets = [
    set('KUBE-CLUSTER-IP', 'hash:ip,port', 'Kubernetes service cluster ip + port for masquerade purpose'),
    set(
      'KUBE-LOOP-BACK',
      'hash:ip,port,ip',
      'Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose'
    ),
    set('KUBE-NODE-PORT-TCP', 'bitmap:port', 'Kubernetes nodeport TCP port for masquerade purpose'),
    set('KUBE-NODE-PORT-UDP', 'bitmap:port', 'Kubernetes nodeport UDP port for masquerade purpose'),
    set('KUBE-IPVS-IPS', 'hash:ip', 'IPVS virtual server IP set')
  ]
  const byName = new Map(sets.map((s) => [s.name, s]))
  ns.ipsets = byName
  const previous = ns.ipvs
  ns.ipvs = []
  const persistence = (svc: KubeService, vs: Omit<IpvsService, 'persistent'>): IpvsService =>
    svc.sessionAffinity === 'ClientIP'
      ? {
          ...vs,
          persistent: {
            timeoutSeconds: STICKY_MAX_AGE_SECONDS,
            templates: keptTemplates(previous, vs)
          }
        }
      : vs
  // kube-proxy ignores headless Services: DNS answers with the pods instead.
  const proxied = lab.services.filter((svc) => !svc.headless)
  addAddresses(
    ns,
    dummyIndex,
    proxied.map((svc) => ({ address: svc.clusterIP, prefixLen: 32 }))
  )
  for (const svc of proxied) {
    byName.get('KUBE-IPVS-IPS')!.entries.add(formatIpv4(svc.clusterIP))
    for (const port of svc.ports) {
      const proto = port.protocol.toLowerCase()
      byName.get('KUBE-CLUSTER-IP')!.entries.add(`${formatIpv4(svc.clusterIP)},${proto}:${port.port}`)
      const eps = endpoints(svc, port)
      for (const ep of eps)
        byName
          .get('KUBE-LOOP-BACK')!
          .entries.add(`${formatIpv4(ep.ip)},${proto}:${ep.port},${formatIpv4(ep.ip)}`)
      const realServers = eps.map((ep) => ({
        ip: ep.ip,
        port: ep.port,
        weight: 1,
        activeConn: 0,
        inactConn: 0
      }))
      ns.ipvs.push(
        persistence(svc, {
          proto: port.protocol,
          vip: svc.clusterIP,
          port: port.port,
          scheduler: 'rr',
          realServers,
          rrNext: 0
        })
      )
      if (port.nodePort !== undefined) {
        byName
          .get(port.protocol === 'TCP' ? 'KUBE-NODE-PORT-TCP' : 'KUBE-NODE-PORT-UDP')!
          .entries.add(String(port.nodePort))
        const local =
          svc.externalTrafficPolicy === 'Local'
            ? realServers.filter((_, i) => eps[i]!.node === node.name)
            : realServers
        ns.ipvs.push(
          persistence(svc, {
            proto: port.protocol,
            vip: node.ip,
            port: port.nodePort,
            scheduler: 'rr',
            realServers: local.map((r) => ({ ...r })),
            rrNext: 0
          })
        )
      }
    }
  }
  const mangle = emptyOwned()
  const nat = emptyOwned()
  const filter = emptyOwned()
  addKubeletChains({ mangle, nat, filter }, parser)
  const n = (chain: string, spec: string): void => appendTo(nat, parser, chain, spec)
  prependNatEntryJumps(nat, parser)
  n('KUBE-MARK-MASQ', '-j MARK --set-xmark 0x4000/0x4000')
  n(
    'KUBE-NODE-PORT',
    '-p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ'
  )
  n(
    'KUBE-POSTROUTING',
    '-m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE'
  )
  n('KUBE-POSTROUTING', '-m mark ! --mark 0x4000/0x4000 -j RETURN')
  n('KUBE-POSTROUTING', '-j MARK --set-xmark 0x4000/0x0')
  n(
    'KUBE-POSTROUTING',
    '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully'
  )
  n(
    'KUBE-SERVICES',
    `! -s ${lab.scenario.cluster.podCIDR} -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ`
  )
  n('KUBE-SERVICES', '-m addrtype --dst-type LOCAL -j KUBE-NODE-PORT')
  n('KUBE-SERVICES', '-m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT')
  installOwned(ns.netfilter, 'mangle', 'KUBE-', mangle)
  installOwned(ns.netfilter, 'nat', 'KUBE-', nat)

  const f = (chain: string, spec: string): void => appendTo(filter, parser, chain, spec)
  if (minorVersion(lab) >= 26) {
    filter.prepend.push({
      chain: 'INPUT',
      rule: parser.rule('-m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER')
    })
    f('KUBE-IPVS-FILTER', '-m set --match-set KUBE-CLUSTER-IP dst,dst -j RETURN')
    f(
      'KUBE-IPVS-FILTER',
      '-m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT --reject-with icmp-port-unreachable'
    )
  }
  filter.prepend.push({
    chain: 'FORWARD',
    rule: parser.rule('-m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD')
  })
  f('KUBE-FORWARD', '-m conntrack --ctstate INVALID -j DROP')
  f(
    'KUBE-FORWARD',
    '-m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT'
  )
  f(
    'KUBE-FORWARD',
    '-m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'
  )
  installOwned(ns.netfilter, 'filter', 'KUBE-', filter)
}

/**
 * A resync edits the kernel's virtual servers in place, so persistence templates outlive it:
 * the ones whose real server is still there carry over to the rebuilt service.
 */
function keptTemplates(
  previous: readonly IpvsService[],
  vs: Omit<IpvsService, 'persistent'>
): Map<number, IpvsTemplate> {
  const kept = new Map<number, IpvsTemplate>()
  const old = previous.find((o) => o.proto === vs.proto && o.vip === vs.vip && o.port === vs.port)
  for (const [client, t] of old?.persistent?.templates ?? []) {
    const server = vs.realServers.find((r) => r.ip === t.server.ip && r.port === t.server.port)
    if (server) kept.set(client, { server, expiresAtMs: t.expiresAtMs })
  }
  return kept
}
