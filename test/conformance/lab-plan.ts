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
  cidrBroadcast,
  cidrHost,
  formatCidr,
  formatIpv4,
  ipv4,
  macFromBytes,
  randomBytes,
  randomHex,
  randomInt,
  sha256
} from '../../src-main/core/net/index.ts'
import type { Cidr, RngState } from '../../src-main/core/net/index.ts'

/**
 * Scenario → lab plan, written straight from what the real components do (bridge + host-local
 * CNI, flanneld ≥ 0.9, kubelet and kube-proxy 1.31) on a network with a gateway router,
 * independently of the simulator. It is the ground truth the conformance run builds its real
 * namespaces from and the real-namespace fixtures in test/fixtures/real were captured from
 * (capture-real.ts), so neither depends on the simulator they are compared with. iptables rules
 * are in the form each component writes them and go through the kernel's own normalisation;
 * kube-proxy's nftables table is the transaction it sends.
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
  // The variants name no ports; a named targetPort would need each pod's container ports.
  if (typeof target === 'string') throw new Error(`lab-plan: named targetPort ${target} is not planned`)
  return pods
    .filter(
      (p) =>
        p.namespace === svc.namespace && Object.entries(svc.selector).every(([k, v]) => p.labels[k] === v)
    )
    .map((p) => ({ ip: p.ip, port: target }))
    .sort((a, b) => ipv4(a.ip) - ipv4(b.ip))
}

/**
 * A table as the kernel holds it after every component wrote to it: each chain (built-in or
 * user) with its rules in order, each rule in the form its component wrote it.
 */
type Chains = Map<string, string[]>

const BUILTIN_CHAINS = {
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT']
} as const

function rulesOf(t: Chains, chain: string): string[] {
  let rules = t.get(chain)
  if (!rules) {
    rules = []
    t.set(chain, rules)
  }
  return rules
}

/**
 * iptables-restore input for a table's final state, laid out as iptables-save lays it out:
 * built-in chains first, user chains by name (bytewise, as libiptc keeps them). Undefined for a
 * table nobody wrote to.
 */
function restoreOf(table: keyof typeof BUILTIN_CHAINS, t: Chains): string | undefined {
  const builtins: readonly string[] = BUILTIN_CHAINS[table]
  const user = [...t.keys()].filter((c) => !builtins.includes(c)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  if (user.length === 0 && builtins.every((c) => (t.get(c) ?? []).length === 0)) return undefined
  const lines = [`*${table}`, ...user.map((c) => `:${c} - [0:0]`)]
  for (const c of [...builtins, ...user]) for (const r of t.get(c) ?? []) lines.push(`-A ${c} ${r}`)
  lines.push('COMMIT')
  return lines.join('\n')
}

interface NodeTables {
  mangle: Chains
  nat: Chains
  filter: Chains
}

/**
 * kubelet (1.31), then kube-proxy iptables mode (1.31) as its proxier writes the tables:
 * kubelet's hint, canary and KUBE-FIREWALL chains, kube-proxy's canaries, its jumps inserted at
 * the top of the built-in chains (above kubelet's), its service chains.
 */
function kubeProxyIptables(s: Scenario, pods: PodPlan[], t: NodeTables): void {
  const clusterCidr = s.cluster.podCIDR
  const n = (chain: string, rule: string): void => void rulesOf(t.nat, chain).push(rule)
  const f = (chain: string, rule: string): void => void rulesOf(t.filter, chain).push(rule)
  const declare = (table: Chains, chains: string[]): void => chains.forEach((c) => rulesOf(table, c))
  declare(t.mangle, ['KUBE-IPTABLES-HINT'])
  for (const table of [t.mangle, t.nat, t.filter])
    declare(table, ['KUBE-KUBELET-CANARY', 'KUBE-PROXY-CANARY'])
  // kubelet blocks martian localnet traffic (route_localnet=1 lets NodePorts answer on
  // localhost); kube-proxy writes the identical chain again.
  f(
    'KUBE-FIREWALL',
    '-m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP'
  )
  declare(t.nat, ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'])
  declare(t.filter, [
    'KUBE-SERVICES',
    'KUBE-EXTERNAL-SERVICES',
    'KUBE-FORWARD',
    'KUBE-NODEPORTS',
    'KUBE-PROXY-FIREWALL'
  ])
  n('PREROUTING', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES')
  n('OUTPUT', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES')
  n('POSTROUTING', '-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING')
  f(
    'INPUT',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL'
  )
  f('INPUT', '-m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS')
  f(
    'INPUT',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES'
  )
  f('INPUT', '-j KUBE-FIREWALL')
  f(
    'FORWARD',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL'
  )
  f('FORWARD', '-m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD')
  f(
    'FORWARD',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'
  )
  f(
    'FORWARD',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES'
  )
  f(
    'OUTPUT',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL'
  )
  f('OUTPUT', '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES')
  f('OUTPUT', '-j KUBE-FIREWALL')
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
  for (const svc of withKubernetesService(s)) {
    for (const port of svc.ports) {
      const proto = port.protocol.toLowerCase()
      const spn = `${svc.namespace}/${svc.name}${port.name ? ':' + port.name : ''}`
      const eps = endpointsOf(s, svc, pods, port)
      const ip = svc.clusterIP!
      const clusterMatch = `-m comment --comment "${spn} cluster IP" -m ${proto} -p ${proto} -d ${ip} --dport ${port.port}`
      if (eps.length === 0) {
        f(
          'KUBE-SERVICES',
          `-m comment --comment "${spn} has no endpoints" -m ${proto} -p ${proto} -d ${ip} --dport ${port.port} -j REJECT`
        )
        if (svc.type === 'NodePort' && port.nodePort)
          f(
            'KUBE-EXTERNAL-SERVICES',
            `-m comment --comment "${spn} has no endpoints" -m addrtype --dst-type LOCAL -m ${proto} -p ${proto} --dport ${port.nodePort} -j REJECT`
          )
        continue
      }
      const hash = kubeHash(spn + proto)
      const svcChain = `KUBE-SVC-${hash}`
      n('KUBE-SERVICES', `${clusterMatch} -j ${svcChain}`)
      n(svcChain, `${clusterMatch} ! -s ${clusterCidr} -j KUBE-MARK-MASQ`)
      eps.forEach((ep, i) => {
        const epText = `${ep.ip}:${ep.port}`
        const sep = `KUBE-SEP-${kubeHash(spn + proto + epText)}`
        n(sep, `-m comment --comment ${spn} -s ${ep.ip} -j KUBE-MARK-MASQ`)
        n(sep, `-m comment --comment ${spn} -m ${proto} -p ${proto} -j DNAT --to-destination ${epText}`)
        const left = eps.length - i
        const stat = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(10)}` : ''
        n(svcChain, `-m comment --comment "${spn} -> ${epText}"${stat} -j ${sep}`)
      })
      if (svc.type === 'NodePort' && port.nodePort) {
        const extChain = `KUBE-EXT-${hash}`
        n(
          'KUBE-NODEPORTS',
          `-m comment --comment ${spn} -m ${proto} -p ${proto} --dport ${port.nodePort} -j ${extChain}`
        )
        n(
          extChain,
          `-m comment --comment "masquerade traffic for ${spn} external destinations" -j KUBE-MARK-MASQ`
        )
        n(extChain, `-j ${svcChain}`)
      }
    }
  }
  n(
    'KUBE-SERVICES',
    '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS'
  )
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

/**
 * flanneld (0.26): with --ip-masq nat FLANNEL-POSTRTG, always filter FLANNEL-FWD, each jump
 * appended to its built-in chain (below kube-proxy's).
 */
function flannelRules(s: Scenario, podCidr: string, t: NodeTables): void {
  const net = s.cluster.podCIDR
  if (s.cluster.cni.ipMasq) {
    const c = '-m comment --comment "flanneld masq"'
    rulesOf(t.nat, 'POSTROUTING').push(`${c} -j FLANNEL-POSTRTG`)
    rulesOf(t.nat, 'FLANNEL-POSTRTG').push(
      `-m mark --mark 0x4000/0x4000 ${c} -j RETURN`,
      `-s ${podCidr} -d ${net} ${c} -j RETURN`,
      `-s ${net} -d ${podCidr} ${c} -j RETURN`,
      `! -s ${net} -d ${podCidr} ${c} -j RETURN`,
      `-s ${net} ! -d 224.0.0.0/4 ${c} -j MASQUERADE --random-fully`,
      `! -s ${net} -d ${net} ${c} -j MASQUERADE --random-fully`
    )
  }
  const f = '-m comment --comment "flanneld forward"'
  rulesOf(t.filter, 'FORWARD').push(`${f} -j FLANNEL-FWD`)
  rulesOf(t.filter, 'FLANNEL-FWD').push(`-s ${net} ${f} -j ACCEPT`, `-d ${net} ${f} -j ACCEPT`)
}

/** `ADDR/LEN brd BROADCAST dev DEV`: the broadcast the netlink library (CNI) and DHCP set below /31. */
function addressOn(ip: string, net: Cidr, dev: string): string {
  return `${ip}/${net.prefixLen} brd ${formatIpv4(cidrBroadcast(net))} dev ${dev}`
}

/**
 * Builds the plan. `scenario` must be parsed by scenarioSchema (defaults filled in).
 *
 * Identities a real cluster picks at random (MACs, veth names) come from the lab's one random
 * stream (mulberry32 seeded with `cluster.seed`), drawn in the order the cluster comes up: the
 * gateway (eth0 MAC, IP-ID start), each node (eth0 MAC, IP-ID start, first PID), each node's
 * VTEP MAC, each external host (eth0 MAC, IP-ID start), then each pod in scenario order: its
 * uid (32 hex), and unless it uses the host network its IP-ID start, cni0's MAC at the node's
 * first pod, the host veth name (`veth` + 8 hex, as the bridge plugin names it), eth0's MAC, the
 * host veth's MAC; then its container ids and its sandbox id (64 hex each). The simulator draws
 * the same values in the same order, so one seed gives one set of identities in both labs.
 */
export function labPlanFromScenario(s: Scenario): LabPlan {
  const rng: RngState = { seed: s.cluster.seed }
  const ipIdStart = (): void => void randomInt(rng, 1, 65535)
  const underlay = cidr(s.cluster.underlayCIDR)
  const vxlan = s.cluster.cni.backend === 'vxlan'
  const mtu = vxlan ? s.cluster.mtu - 50 : s.cluster.mtu
  const podCidrs = allocatePodCidrs(s)

  const gatewayMac = s.cluster.gateway ? mac(rng) : undefined
  if (gatewayMac) ipIdStart()
  const nodes: NodePlan[] = s.nodes.map((n, i) => {
    const eth0Mac = mac(rng)
    ipIdStart()
    randomInt(rng, 700, 1200) // the node's first process id
    return { name: n.name, ip: n.ip, podCidr: podCidrs[i]!, eth0Mac, vtepMac: '', cni0Mac: '' }
  })
  if (vxlan) for (const n of nodes) n.vtepMac = mac(rng)
  const externalMacs = s.externalHosts.map(() => {
    const m = mac(rng)
    ipIdStart()
    return m
  })
  const nextHost = new Map<string, number>(nodes.map((n) => [n.name, 2]))
  const pods: PodPlan[] = []
  for (const p of s.pods) {
    randomHex(rng, 32) // the pod's uid
    const node = nodes.find((n) => n.name === p.node)
    if (!node) throw new Error(`pod ${p.name}: no node ${p.node}`)
    if (!p.hostNetwork) {
      let ip = p.ip
      if (!ip) {
        const k = nextHost.get(node.name)!
        nextHost.set(node.name, k + 1)
        ip = formatIpv4(cidrHost(node.podCidr, k))
      }
      if (!cidrContains(node.podCidr, ipv4(ip)))
        throw new Error(`pod ${p.name}: ${ip} is outside ${formatCidr(node.podCidr)}`)
      ipIdStart()
      if (!node.cni0Mac) node.cni0Mac = mac(rng)
      const vethName = `veth${randomHex(rng, 8)}`
      const eth0Mac = mac(rng)
      pods.push({
        name: p.name,
        namespace: p.namespace,
        node: node.name,
        ip,
        labels: p.labels,
        eth0Mac,
        vethName,
        vethMac: mac(rng),
        apps: p.containers
          .filter((c) => c.app !== 'sleep' && c.port)
          .map((c) => ({ kind: c.app as 'http' | 'tcp-echo' | 'udp-echo', port: c.port!, podName: p.name }))
      })
    }
    for (const _ of p.containers) randomHex(rng, 64) // container ids
    randomHex(rng, 64) // the sandbox id
  }

  const hosts: LabHost[] = []
  // The underlay: one segment for all nodes and external hosts; the gateway is a router on it.
  const u = underlaySwitch('underlay')
  addUnderlaySegment(u, 'br0', s.cluster.mtu)
  hosts.push(u)
  const onUnderlay = (name: string, kind: LabHost['kind'], ip: string, hostMac: string): LabHost => {
    const h = emptyLabHost(name, kind)
    cableToUnderlay(u, 'br0', s.cluster.mtu, { host: name, name: 'eth0', mac: hostMac })
    h.addresses.push(addressOn(ip, underlay, 'eth0'))
    h.up.push('eth0')
    if (s.cluster.gateway && s.cluster.gateway !== ip)
      h.routes.push(`default via ${s.cluster.gateway} dev eth0`)
    return h
  }
  if (s.cluster.gateway && gatewayMac)
    hosts.push(onUnderlay('gateway', 'external', s.cluster.gateway, gatewayMac))

  for (const n of nodes) {
    const h = onUnderlay(n.name, 'node', n.ip, n.eth0Mac)
    h.sysctls.push(['net.ipv4.ip_forward', '1'])
    // kube-proxy's iptables mode lets NodePorts answer on 127.0.0.1.
    if (s.cluster.kubeProxy.mode === 'iptables') h.sysctls.push(['net.ipv4.conf.all.route_localnet', '1'])
    h.sysctls.push(['net.bridge.bridge-nf-call-iptables', s.cluster.bridgeNfCallIptables ? '1' : '0'])
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
      h.addresses.push(addressOn(gw, n.podCidr, 'cni0'))
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
    const tables: NodeTables = { mangle: new Map(), nat: new Map(), filter: new Map() }
    if (s.cluster.kubeProxy.mode === 'iptables') kubeProxyIptables(s, pods, tables)
    flannelRules(s, podNet, tables)
    for (const table of ['mangle', 'nat', 'filter'] as const) {
      const restore = restoreOf(table, tables[table])
      if (restore) h.iptables.push({ table, restore })
    }
    if (s.cluster.kubeProxy.mode === 'nftables') h.nft = kubeProxyNft(s, pods, n.ip)
    hosts.push(h)
  }
  s.externalHosts.forEach((e, i) => hosts.push(onUnderlay(e.name, 'external', e.ip, externalMacs[i]!)))
  for (const p of pods) {
    const n = nodes.find((x) => x.name === p.node)!
    const h = emptyLabHost(p.name, 'pod')
    const gw = formatIpv4(cidrHost(n.podCidr, 1))
    // The veth's other end is in the node's root namespace, the pod's first (and only) peer.
    h.nsids.push([n.name, 0])
    h.addresses.push(addressOn(p.ip, n.podCidr, 'eth0'))
    h.up.push('eth0')
    // bridge plugin isDefaultGateway, then host-local's route to the flannel network.
    h.routes.push(`default via ${gw} dev eth0`, `${s.cluster.podCIDR} via ${gw} dev eth0`)
    h.apps = p.apps
    hosts.push(h)
  }
  return { scenarioId: s.id, seed: s.cluster.seed, hosts }
}
