import type { Scenario, ServiceSpec } from '../../src-main/core/scenario/scenario.schema.ts'
import type { LabHost, LabPlan } from '../../src-main/core/scenario/export-lab.ts'
import {
  addUnderlaySegment,
  cableToUnderlay,
  emptyLabHost,
  underlaySwitch
} from '../../src-main/core/scenario/lab-host.ts'
import {
  base32,
  cidr,
  makeCidr,
  cidrContains,
  cidrHost,
  formatCidr,
  formatIpv4,
  ipv4,
  macFromBytes,
  randomBytes,
  randomHex,
  sha256
} from '../../src-main/core/net/index.ts'
import type { Cidr, RngState } from '../../src-main/core/net/index.ts'

/**
 * Scenario → lab plan, written straight from what the real components do (bridge + host-local
 * CNI, flanneld ≥ 0.9, kube-proxy 1.31), independently of the simulator. It is the ground truth
 * the real-namespace fixtures in test/fixtures/real were captured from (capture-real.ts), so those
 * fixtures do not depend on the simulator they are compared with.
 */

interface NodePlan {
  name: string
  ip: string
  podCidr: Cidr
  vtepMac: string
  eth0Mac: string
  cni0Mac: string
}

interface PodPlan {
  name: string
  namespace: string
  node: string
  ip: string
  labels: Record<string, string>
  eth0Mac: string
  vethName: string
  vethMac: string
  apps: LabHost['apps']
}

interface Endpoint {
  ip: string
  port: number
}

/** kube-proxy's portProtoHash: base32(sha256(servicePortName + protocol))[:16]. */
function kubeHash(text: string, chars = 16): string {
  return base32(sha256(text)).slice(0, chars)
}

function mac(rng: RngState): string {
  return macFromBytes(randomBytes(rng, 6))
}

/** Next-free podCIDRs (kube-controller-manager's cidr_set), skipping ones fixed in the scenario. */
function allocatePodCidrs(s: Scenario): Cidr[] {
  const cluster = cidr(s.cluster.podCIDR)
  const len = s.cluster.podSubnetLength
  const fixed = s.nodes.filter((n) => n.podCIDR).map((n) => n.podCIDR!)
  let next = 0
  return s.nodes.map((n) => {
    if (n.podCIDR) return cidr(n.podCIDR)
    for (;;) {
      const candidate = formatCidr(makeCidr((cluster.network + next * 2 ** (32 - len)) >>> 0, len))
      next++
      if (!fixed.includes(candidate)) return cidr(candidate)
    }
  })
}

/** Every cluster's `default/kubernetes`: the service range's first address, the apiserver behind it. */
function withKubernetesService(s: Scenario): ServiceSpec[] {
  const first = formatIpv4((cidr(s.cluster.serviceCIDR).network + 1) >>> 0)
  const kubernetes: ServiceSpec = {
    name: 'kubernetes',
    namespace: 'default',
    type: 'ClusterIP',
    clusterIP: first,
    selector: {},
    externalTrafficPolicy: 'Cluster',
    ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }]
  }
  return [kubernetes, ...s.services]
}

function endpointsOf(
  s: Scenario,
  svc: ServiceSpec,
  pods: PodPlan[],
  port: ServiceSpec['ports'][number]
): Endpoint[] {
  // The apiserver listens on the first (control-plane) node's address.
  if (svc.namespace === 'default' && svc.name === 'kubernetes') return [{ ip: s.nodes[0]!.ip, port: 6443 }]
  const target = port.targetPort ?? port.port
  return pods
    .filter(
      (p) =>
        p.namespace === svc.namespace && Object.entries(svc.selector).every(([k, v]) => p.labels[k] === v)
    )
    .map((p) => ({ ip: p.ip, port: target }))
    .sort((a, b) => ipv4(a.ip) - ipv4(b.ip))
}

/**
 * kube-proxy iptables mode (1.31), the restore input as the proxier writes it, after kubelet's
 * chains: the mangle hint, both components' empty canary chains, kubelet's KUBE-FIREWALL jumps.
 */
function kubeProxyIptables(s: Scenario, pods: PodPlan[]): { mangle: string; nat: string; filter: string } {
  const clusterCidr = s.cluster.podCIDR
  const natChains = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ']
  const natRules: string[] = []
  const filterRules: string[] = []
  const svcRules: string[] = []
  const nodePortRules: string[] = []
  for (const svc of withKubernetesService(s)) {
    for (const port of svc.ports) {
      const proto = port.protocol.toLowerCase()
      const spn = `${svc.namespace}/${svc.name}${port.name ? ':' + port.name : ''}`
      const eps = endpointsOf(s, svc, pods, port)
      const ip = svc.clusterIP!
      if (eps.length === 0) {
        filterRules.push(
          `-A KUBE-SERVICES -m comment --comment "${spn} has no endpoints" -m ${proto} -p ${proto} -d ${ip} --dport ${port.port} -j REJECT`
        )
        continue
      }
      const hash = kubeHash(spn + proto)
      const svcChain = `KUBE-SVC-${hash}`
      natChains.push(svcChain)
      svcRules.push(
        `-A KUBE-SERVICES -m comment --comment "${spn} cluster IP" -m ${proto} -p ${proto} -d ${ip} --dport ${port.port} -j ${svcChain}`
      )
      if (svc.type === 'NodePort' && port.nodePort) {
        const extChain = `KUBE-EXT-${hash}`
        natChains.push(extChain)
        nodePortRules.push(
          `-A KUBE-NODEPORTS -m comment --comment ${spn} -m ${proto} -p ${proto} --dport ${port.nodePort} -j ${extChain}`
        )
        natRules.push(
          `-A ${extChain} -m comment --comment "masquerade traffic for ${spn} external destinations" -j KUBE-MARK-MASQ`,
          `-A ${extChain} -j ${svcChain}`
        )
      }
      natRules.push(
        `-A ${svcChain} -m comment --comment "${spn} cluster IP" -m ${proto} -p ${proto} -d ${ip} --dport ${port.port} ! -s ${clusterCidr} -j KUBE-MARK-MASQ`
      )
      eps.forEach((ep, i) => {
        const epText = `${ep.ip}:${ep.port}`
        const sep = `KUBE-SEP-${kubeHash(spn + proto + epText)}`
        natChains.push(sep)
        const n = eps.length - i
        const stat = n > 1 ? ` -m statistic --mode random --probability ${(1 / n).toFixed(10)}` : ''
        natRules.push(`-A ${svcChain} -m comment --comment "${spn} -> ${epText}"${stat} -j ${sep}`)
        natRules.push(
          `-A ${sep} -m comment --comment ${spn} -s ${ep.ip} -j KUBE-MARK-MASQ`,
          `-A ${sep} -m comment --comment ${spn} -m ${proto} -p ${proto} -j DNAT --to-destination ${epText}`
        )
      })
    }
  }
  const mangle = [
    '*mangle',
    ':KUBE-IPTABLES-HINT - [0:0]',
    ':KUBE-KUBELET-CANARY - [0:0]',
    ':KUBE-PROXY-CANARY - [0:0]',
    'COMMIT'
  ].join('\n')
  const nat = [
    '*nat',
    ':KUBE-KUBELET-CANARY - [0:0]',
    ':KUBE-PROXY-CANARY - [0:0]',
    ...natChains.map((c) => `:${c} - [0:0]`),
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    ...nodePortRules,
    ...svcRules,
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    ...natRules,
    'COMMIT'
  ].join('\n')
  const filter = [
    '*filter',
    ':KUBE-KUBELET-CANARY - [0:0]',
    ':KUBE-PROXY-CANARY - [0:0]',
    ':KUBE-NODEPORTS - [0:0]',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-EXTERNAL-SERVICES - [0:0]',
    ':KUBE-FORWARD - [0:0]',
    ':KUBE-PROXY-FIREWALL - [0:0]',
    ':KUBE-FIREWALL - [0:0]',
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    // kubelet blocks martian localnet traffic (route_localnet=1 lets NodePorts answer on
    // localhost); kube-proxy writes the identical chain again.
    '-A INPUT -j KUBE-FIREWALL',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -j KUBE-FIREWALL',
    '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    ...filterRules,
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    'COMMIT'
  ].join('\n')
  return { mangle, nat, filter }
}

/** kube-proxy nftables mode (1.31): `nft -f` input as the proxier's transaction writes it. */
function kubeProxyNft(s: Scenario, pods: PodPlan[], nodeIp: string): string {
  const t = 'ip kube-proxy'
  const out: string[] = [
    `add table ${t} { comment "rules for kube-proxy" ; }`,
    `add chain ${t} mark-for-masquerade`,
    `add rule ${t} mark-for-masquerade mark set mark or 0x4000`,
    `add chain ${t} masquerading`,
    `add rule ${t} masquerading mark and 0x4000 == 0 return`,
    `add rule ${t} masquerading mark set mark xor 0x4000`,
    `add rule ${t} masquerading masquerade fully-random`,
    `add chain ${t} services`,
    `add chain ${t} service-endpoints-check`,
    `add chain ${t} firewall-check`,
    `add chain ${t} nodeport-endpoints-check`,
    `add chain ${t} cluster-ips-check`,
    `add chain ${t} reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }`,
    `add rule ${t} reject-chain reject`,
    `add set ${t} cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }`,
    `add set ${t} nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }`,
    `add map ${t} firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }`,
    `add map ${t} no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }`,
    `add map ${t} no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }`,
    `add map ${t} service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }`,
    `add map ${t} service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }`,
    `add rule ${t} service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services`,
    `add rule ${t} firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips`,
    `add rule ${t} nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports`,
    `add rule ${t} cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"`,
    `add rule ${t} cluster-ips-check ip daddr { ${s.cluster.serviceCIDR} } drop comment "Drop traffic to unallocated ClusterIPs"`,
    `add chain ${t} filter-prerouting { type filter hook prerouting priority -110 ; }`,
    `add rule ${t} filter-prerouting ct state new jump firewall-check`,
    `add chain ${t} filter-forward { type filter hook forward priority -110 ; }`,
    `add rule ${t} filter-forward ct state new jump service-endpoints-check`,
    `add rule ${t} filter-forward ct state new jump cluster-ips-check`,
    `add chain ${t} filter-input { type filter hook input priority -110 ; }`,
    `add rule ${t} filter-input ct state new jump nodeport-endpoints-check`,
    `add rule ${t} filter-input ct state new jump service-endpoints-check`,
    `add chain ${t} filter-output { type filter hook output priority -110 ; }`,
    `add rule ${t} filter-output ct state new jump service-endpoints-check`,
    `add rule ${t} filter-output ct state new jump firewall-check`,
    // After DNAT: a node's own connection to a real Service port is DNATed by then, so only
    // invalid ports of ClusterIPs still carry a ClusterIP here.
    `add chain ${t} filter-output-post-dnat { type filter hook output priority -90 ; }`,
    `add rule ${t} filter-output-post-dnat ct state new jump cluster-ips-check`,
    `add chain ${t} nat-output { type nat hook output priority -100 ; }`,
    `add rule ${t} nat-output jump services`,
    `add chain ${t} nat-postrouting { type nat hook postrouting priority 100 ; }`,
    `add rule ${t} nat-postrouting jump masquerading`,
    `add chain ${t} nat-prerouting { type nat hook prerouting priority -100 ; }`,
    `add rule ${t} nat-prerouting jump services`,
    `add rule ${t} services ip daddr . meta l4proto . th dport vmap @service-ips`,
    `add rule ${t} services fib daddr type local ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports`,
    // --nodeport-addresses defaults to the node's primary IP in nftables mode.
    `add element ${t} nodeport-ips { ${nodeIp} }`
  ]
  for (const svc of withKubernetesService(s)) {
    for (const port of svc.ports) {
      const proto = port.protocol.toLowerCase()
      const spn = `${svc.namespace}/${svc.name}${port.name ? ':' + port.name : ''}`
      const base = `${svc.namespace}/${svc.name}/${proto}/${port.name ?? ''}`
      const ip = svc.clusterIP!
      out.push(`add element ${t} cluster-ips { ${ip} }`)
      const eps = endpointsOf(s, svc, pods, port)
      if (eps.length === 0) {
        out.push(
          `add element ${t} no-endpoint-services { ${ip} . ${proto} . ${port.port} comment "${spn}" : goto reject-chain }`
        )
        continue
      }
      const svcChain = `service-${kubeHash(base, 8)}-${base}`
      out.push(`add chain ${t} ${svcChain}`)
      out.push(
        `add rule ${t} ${svcChain} ip daddr ${ip} ${proto} dport ${port.port} ip saddr != ${s.cluster.podCIDR} jump mark-for-masquerade`
      )
      const epChains = eps.map((ep) => {
        const name = `${base}__${ep.ip}/${ep.port}`
        return `endpoint-${kubeHash(name, 8)}-${name}`
      })
      // kube-proxy declares every chain of the transaction before the rules that jump to them.
      eps.forEach((ep, i) => {
        const c = epChains[i]!
        out.push(`add chain ${t} ${c}`)
        out.push(`add rule ${t} ${c} ip saddr ${ep.ip} jump mark-for-masquerade`)
        out.push(`add rule ${t} ${c} meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`)
      })
      out.push(
        `add rule ${t} ${svcChain} numgen random mod ${eps.length} vmap { ${epChains.map((c, i) => `${i} : goto ${c}`).join(' , ')} }`
      )
      out.push(`add element ${t} service-ips { ${ip} . ${proto} . ${port.port} : goto ${svcChain} }`)
      if (svc.type === 'NodePort' && port.nodePort) {
        // Traffic from outside the cluster is masqueraded (externalTrafficPolicy: Cluster), so
        // replies come back through the node that DNATed it.
        const extChain = `external-${kubeHash(base, 8)}-${base}`
        out.push(`add chain ${t} ${extChain}`)
        out.push(`add rule ${t} ${extChain} jump mark-for-masquerade`)
        out.push(`add rule ${t} ${extChain} goto ${svcChain}`)
        out.push(`add element ${t} service-nodeports { ${proto} . ${port.nodePort} : goto ${extChain} }`)
      }
    }
  }
  return out.join('\n')
}

/** flanneld --ip-masq (0.26): nat FLANNEL-POSTRTG and filter FLANNEL-FWD. */
function flannelRules(s: Scenario, podCidr: string): { nat: string; filter: string } {
  const net = s.cluster.podCIDR
  const c = '-m comment --comment "flanneld masq"'
  const nat = [
    '*nat',
    ':FLANNEL-POSTRTG - [0:0]',
    '-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG',
    `-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 ${c} -j RETURN`,
    `-A FLANNEL-POSTRTG -s ${podCidr} -d ${net} ${c} -j RETURN`,
    `-A FLANNEL-POSTRTG -s ${net} -d ${podCidr} ${c} -j RETURN`,
    `-A FLANNEL-POSTRTG ! -s ${net} -d ${podCidr} ${c} -j RETURN`,
    `-A FLANNEL-POSTRTG -s ${net} ! -d 224.0.0.0/4 ${c} -j MASQUERADE --random-fully`,
    `-A FLANNEL-POSTRTG ! -s ${net} -d ${net} ${c} -j MASQUERADE --random-fully`,
    'COMMIT'
  ].join('\n')
  const f = '-m comment --comment "flanneld forward"'
  const filter = [
    '*filter',
    ':FLANNEL-FWD - [0:0]',
    `-A FORWARD ${f} -j FLANNEL-FWD`,
    `-A FLANNEL-FWD -s ${net} ${f} -j ACCEPT`,
    `-A FLANNEL-FWD -d ${net} ${f} -j ACCEPT`,
    'COMMIT'
  ].join('\n')
  return { nat, filter }
}

/** Builds the plan. `scenario` must be parsed by scenarioSchema (defaults filled in). */
export function labPlanFromScenario(s: Scenario): LabPlan {
  const rng: RngState = { seed: s.cluster.seed >>> 0 }
  const underlay = cidr(s.cluster.underlayCIDR)
  const ulen = underlay.prefixLen
  const vxlan = s.cluster.cni.backend === 'vxlan'
  const mtu = vxlan ? s.cluster.mtu - 50 : s.cluster.mtu
  const podCidrs = allocatePodCidrs(s)
  const nodes: NodePlan[] = s.nodes.map((n, i) => ({
    name: n.name,
    ip: n.ip,
    podCidr: podCidrs[i]!,
    eth0Mac: mac(rng),
    vtepMac: mac(rng),
    cni0Mac: mac(rng)
  }))
  const nextHost = new Map<string, number>(nodes.map((n) => [n.name, 2]))
  const pods: PodPlan[] = s.pods
    .filter((p) => !p.hostNetwork)
    .map((p) => {
      const node = nodes.find((n) => n.name === p.node)
      if (!node) throw new Error(`pod ${p.name}: no node ${p.node}`)
      let ip = p.ip
      if (!ip) {
        const k = nextHost.get(node.name)!
        nextHost.set(node.name, k + 1)
        ip = formatIpv4(cidrHost(node.podCidr, k))
      }
      if (!cidrContains(node.podCidr, ipv4(ip)))
        throw new Error(`pod ${p.name}: ${ip} is outside ${formatCidr(node.podCidr)}`)
      return {
        name: p.name,
        namespace: p.namespace,
        node: node.name,
        ip,
        labels: p.labels,
        eth0Mac: mac(rng),
        vethName: `veth${randomHex(rng, 8)}`,
        vethMac: mac(rng),
        apps: p.containers
          .filter((c) => c.app !== 'sleep' && c.port)
          .map((c) => ({ kind: c.app as 'http' | 'tcp-echo' | 'udp-echo', port: c.port!, podName: p.name }))
      }
    })

  // Addresses get a broadcast (`brd +`) as the CNI plugins' netlink library sets one for any
  // prefix shorter than /31 (and as DHCP does on nodes); flannel.1's /32 has none.
  const hosts: LabHost[] = []
  // The underlay: one segment for all nodes and external hosts, the switch holding the gateway.
  const u = underlaySwitch('underlay')
  addUnderlaySegment(u, 'br0', s.cluster.mtu)
  if (s.cluster.gateway) u.addresses.push(`${s.cluster.gateway}/${ulen} brd + dev br0`)
  hosts.push(u)
  const underlayPort = (host: string, hostMac: string): void =>
    cableToUnderlay(u, 'br0', s.cluster.mtu, { host, name: 'eth0', mac: hostMac })

  const masq = s.cluster.cni.ipMasq
  for (const n of nodes) {
    const h = emptyLabHost(n.name, 'node')
    h.sysctls.push(
      ['net.ipv4.ip_forward', '1'],
      ['net.bridge.bridge-nf-call-iptables', s.cluster.bridgeNfCallIptables ? '1' : '0']
    )
    // kube-proxy in iptables mode lets NodePorts answer on 127.0.0.1.
    if (s.cluster.kubeProxy.mode === 'iptables') h.sysctls.push(['net.ipv4.conf.all.route_localnet', '1'])
    underlayPort(n.name, n.eth0Mac)
    h.addresses.push(`${n.ip}/${ulen} brd + dev eth0`)
    h.up.push('eth0')
    const podNet = formatCidr(n.podCidr)
    const gw = formatIpv4(cidrHost(n.podCidr, 1))
    // flanneld creates flannel.1 at start; the bridge plugin creates cni0 at the first pod ADD.
    if (vxlan) {
      h.links.push({
        kind: 'vxlan',
        name: `flannel.${s.cluster.cni.vni}`,
        vni: s.cluster.cni.vni,
        local: n.ip,
        dev: 'eth0',
        dstport: s.cluster.cni.port,
        learning: false,
        mac: n.vtepMac,
        mtu
      })
      h.addresses.push(`${formatIpv4(n.podCidr.network)}/32 dev flannel.${s.cluster.cni.vni}`)
      h.up.push(`flannel.${s.cluster.cni.vni}`)
    }
    const myPods = pods.filter((p) => p.node === n.name)
    myPods.forEach((p, i) => h.nsids.push([p.name, i]))
    if (myPods.length > 0) {
      h.links.push({ kind: 'bridge', name: 'cni0', mac: n.cni0Mac, mtu })
      h.addresses.push(`${gw}/${n.podCidr.prefixLen} brd + dev cni0`)
      h.up.push('cni0')
    }
    for (const p of myPods) {
      h.links.push({
        kind: 'veth',
        name: p.vethName,
        mac: p.vethMac,
        mtu,
        peer: { host: p.name, name: 'eth0', mac: p.eth0Mac, mtu }
      })
      h.masters.push([p.vethName, 'cni0'])
      h.hairpin.push(p.vethName)
      h.up.push(p.vethName)
    }
    if (s.cluster.gateway) h.routes.push(`default via ${s.cluster.gateway} dev eth0`)
    for (const r of nodes) {
      if (r === n) continue
      const rNet = formatCidr(r.podCidr)
      const direct = s.cluster.cni.directRouting && cidrContains(underlay, ipv4(r.ip))
      if (!vxlan || direct) {
        h.routes.push(`${rNet} via ${r.ip} dev eth0`)
      } else {
        const dev = `flannel.${s.cluster.cni.vni}`
        const vtepIp = formatIpv4(r.podCidr.network)
        h.routes.push(`${rNet} via ${vtepIp} dev ${dev} onlink`)
        h.neighbours.push(`${vtepIp} lladdr ${r.vtepMac} dev ${dev} nud permanent`)
        h.fdb.push(`${r.vtepMac} dev ${dev} dst ${r.ip} self permanent`)
      }
    }
    const flannel = flannelRules(s, podNet)
    const kp = s.cluster.kubeProxy.mode === 'iptables' ? kubeProxyIptables(s, pods) : undefined
    // kube-proxy prepends its jumps; flanneld appends its own afterwards.
    if (kp)
      h.iptables.push(
        { table: 'mangle', restore: kp.mangle },
        { table: 'nat', restore: kp.nat },
        { table: 'filter', restore: kp.filter }
      )
    if (masq) h.iptables.push({ table: 'nat', restore: flannel.nat })
    h.iptables.push({ table: 'filter', restore: flannel.filter })
    if (s.cluster.kubeProxy.mode === 'nftables') h.nft = kubeProxyNft(s, pods, n.ip)
    hosts.push(h)
  }
  for (const p of pods) {
    const n = nodes.find((x) => x.name === p.node)!
    const h = emptyLabHost(p.name, 'pod')
    const gw = formatIpv4(cidrHost(n.podCidr, 1))
    h.addresses.push(`${p.ip}/${n.podCidr.prefixLen} brd + dev eth0`)
    h.up.push('eth0')
    // bridge plugin isDefaultGateway, then host-local's route to the flannel network.
    h.routes.push(`default via ${gw} dev eth0`, `${s.cluster.podCIDR} via ${gw} dev eth0`)
    h.apps = p.apps
    hosts.push(h)
  }
  for (const e of s.externalHosts) {
    const h = emptyLabHost(e.name, 'external')
    underlayPort(e.name, mac(rng))
    h.addresses.push(`${e.ip}/${ulen} brd + dev eth0`)
    h.up.push('eth0')
    if (s.cluster.gateway) h.routes.push(`default via ${s.cluster.gateway} dev eth0`)
    hosts.push(h)
  }
  return { scenarioId: s.id, seed: s.cluster.seed, hosts }
}
