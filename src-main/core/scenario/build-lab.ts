import { CaptureLog } from '../engine/capture-log.ts'
import type { EtherLink } from '../linux/link.ts'
import { addAddress, addLink, addBootRoute } from '../linux/ops.ts'
import { newNetns, type Netns } from '../linux/netns.ts'
import { writeSysctl } from '../linux/sysctl.ts'
import { cidr, cidrContains, cidrCovers, cidrSize, makeCidr, parseCidr, type Cidr } from '../net/cidr.ts'
import { ipv4, type Ipv4 } from '../net/ipv4.ts'
import { macFromBytes } from '../net/mac.ts'
import { randomBytes, randomInt } from '../net/rng.ts'
import { coreDnsDeployment, dnsEnabled, kubeDnsIp, kubeDnsService } from '../kube/cluster-dns.ts'
import { createVtep, programPeers } from '../kube/flannel.ts'
import { networkPolicyFromSpec } from '../kube/network-policy.ts'
import { RuleParser } from '../kube/iptables-writer.ts'
import { syncFlannelRules, syncKubeProxy } from '../kube/kube-proxy.ts'
import { syncPortmap } from '../kube/portmap.ts'
import { componentsRunAsPods, type Lab } from '../kube/lab.ts'
import { FLANNEL_NAMESPACE, FLANNEL_NAMESPACE_LABELS } from '../kube/flannel-pods.ts'
import type { KubeNode, KubeService } from '../kube/objects.ts'
import { APP_COMMANDS, createPod, defaultImage, newLoopback, type PodBatch } from '../kube/pod-sandbox.ts'
import { syncWorkloads } from '../kube/workloads.ts'
import { DEFAULT_INTERNET_CIDR, type Scenario, type ServiceSpec } from './scenario.schema.ts'

/** The namespaces kubeadm's cluster starts with. */
const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system']

/** The wall-clock instant every lab starts at; only dates printed by tools depend on it. */
const LAB_EPOCH_MS = Date.UTC(2026, 0, 5, 9, 0, 0)
export const UNDERLAY_SEGMENT = 'underlay'
export const INTERNET_SEGMENT = 'internet'
/** VirtualBox's NAT network: every VM gets .15 on its own copy, the NAT engine answers on .2. */
const VBOX_NAT_CIDR = '10.0.2.0/24'
const VBOX_NAT_ADDRESS = ipv4('10.0.2.15')
const VBOX_NAT_GATEWAY = ipv4('10.0.2.2')

/** Cables `ns` into a segment: an ether link with `ip` in the segment's prefix. */
function plugInto(lab: Lab, ns: Netns, name: string, segment: string, ip: Ipv4): EtherLink {
  const seg = lab.segments.get(segment)!
  const link = addLink<EtherLink>(ns, {
    kind: 'ether',
    name,
    mtu: lab.scenario.cluster.mtu,
    mac: macFromBytes(randomBytes(lab.rng, 6)),
    up: true,
    segment
  })
  addAddress(ns, link.ifindex, ip, seg.cidr.prefixLen)
  seg.ports.push({ netns: ns.id, ifindex: link.ifindex })
  return link
}

/**
 * A host on the underlay, or on the internet segment: lo, eth0 with its address, the default
 * route via the gateway's address on that segment.
 */
function underlayHost(
  lab: Lab,
  id: string,
  kind: Netns['kind'],
  ip: Ipv4,
  segment: string = UNDERLAY_SEGMENT
): Netns {
  const ns = newNetns(id, kind)
  lab.netns.set(id, ns)
  newLoopback(ns)
  const eth0 = plugInto(lab, ns, 'eth0', segment, ip)
  const via = segment === INTERNET_SEGMENT ? lab.segments.get(segment)!.cidr.network + 1 : lab.gateway?.ip
  if (lab.gateway && via !== undefined && via !== ip) {
    addBootRoute(ns, cidr('0.0.0.0/0'), via >>> 0, eth0.ifindex)
  }
  ns.ipIdNext = randomInt(lab.rng, 1, 65535)
  return ns
}

/**
 * A VirtualBox VM's node: eth0 on the VM's own NAT network (a segment of its own, as each VM has
 * its own NAT engine) holding the default route, and eth1 on the host-only underlay. Nothing
 * answers on 10.0.2.2: the lab has no Internet behind it, and the nodes never need it.
 */
function natNode(lab: Lab, id: string, ip: Ipv4): Netns {
  const ns = newNetns(id, 'node')
  lab.netns.set(id, ns)
  newLoopback(ns)
  const segment = `nat-${id}`
  lab.segments.set(segment, { id: segment, cidr: parseCidr(VBOX_NAT_CIDR)!, ports: [] })
  const eth0 = plugInto(lab, ns, 'eth0', segment, VBOX_NAT_ADDRESS)
  plugInto(lab, ns, 'eth1', UNDERLAY_SEGMENT, ip)
  addBootRoute(ns, cidr('0.0.0.0/0'), VBOX_NAT_GATEWAY, eth0.ifindex)
  ns.ipIdNext = randomInt(lab.rng, 1, 65535)
  return ns
}

/**
 * The internet beyond the gateway: a second segment the gateway joins with its first address
 * and forwards to. Only scenarios with internet hosts get it, so the others' gateway still
 * forwards nothing and their MACs stay as they were.
 */
function addInternet(lab: Lab, gateway: Netns): void {
  const net = parseCidr(lab.scenario.cluster.internetCIDR ?? DEFAULT_INTERNET_CIDR)!
  lab.segments.set(INTERNET_SEGMENT, { id: INTERNET_SEGMENT, cidr: net, ports: [] })
  plugInto(lab, gateway, 'eth1', INTERNET_SEGMENT, (net.network + 1) >>> 0)
  writeSysctl(gateway, 'net.ipv4.ip_forward', '1')
}

/** An external host's server, answering as a pod's app does (`http` with the host's name). */
function startHostApp(ns: Netns, host: Scenario['externalHosts'][number]): void {
  if (host.app === undefined || host.app === 'sleep' || host.port === undefined) return
  ns.sockets.push({
    proto: host.app === 'udp-echo' ? 'udp' : 'tcp',
    addr: 0,
    port: host.port,
    pid: 1,
    processName: host.app === 'http' ? 'python3' : 'socat',
    app: host.app,
    reply: host.name
  })
}

/**
 * The node's own server, bound in its root namespace before kubelet starts any pod, so a
 * hostNetwork pod wanting the same port is the one that fails.
 */
function startNodeDaemon(ns: Netns, node: KubeNode, spec: Scenario['nodes'][number]): void {
  if (spec.app === undefined || spec.app === 'sleep' || spec.port === undefined) return
  node.daemon = { hostPid: node.nextPid++, command: APP_COMMANDS[spec.app](spec.port) }
  ns.sockets.push({
    proto: spec.app === 'udp-echo' ? 'udp' : 'tcp',
    addr: 0,
    port: spec.port,
    pid: node.daemon.hostPid,
    processName: spec.app === 'http' ? 'python3' : 'socat',
    app: spec.app,
    reply: spec.name
  })
}

/** kube-controller-manager's nodeipam: the next free subnet of the cluster CIDR, in node order. */
function allocatePodCidrs(s: Scenario): Cidr[] {
  const cluster = parseCidr(s.cluster.podCIDR)!
  const fixed = s.nodes.flatMap((n) => (n.podCIDR ? [parseCidr(n.podCIDR)!] : []))
  const step = cidrSize(makeCidr(0, s.cluster.podSubnetLength))
  let next = cluster.network
  return s.nodes.map((n) => {
    if (n.podCIDR) return parseCidr(n.podCIDR)!
    for (;;) {
      const candidate = makeCidr(next, s.cluster.podSubnetLength)
      next = (next + step) >>> 0
      if (!cidrContains(cluster, candidate.network)) throw new Error('cluster podCIDR exhausted')
      if (!fixed.some((f) => cidrCovers(f, candidate) || cidrCovers(candidate, f))) return candidate
    }
  })
}

/**
 * The Service every cluster has: the apiserver gives itself the service range's first address
 * and points it at its own address on the control-plane node (the first node), port 6443.
 */
function kubernetesService(lab: Lab): KubeService {
  const serviceNet = parseCidr(lab.scenario.cluster.serviceCIDR)!
  const controlPlane = lab.nodes[0]!
  return {
    name: 'kubernetes',
    namespace: 'default',
    type: 'ClusterIP',
    clusterIP: (serviceNet.network + 1) >>> 0,
    ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }],
    selector: {},
    externalTrafficPolicy: 'Cluster',
    createdAt: lab.clock.nowMs,
    fixedEndpoints: [{ ip: controlPlane.ip, port: 6443, pod: '', node: controlPlane.name }]
  }
}

/** The apiserver's ClusterIP allocator: first free address after .1 (the kubernetes Service). */
function allocateServices(lab: Lab, specs: readonly ServiceSpec[]): KubeService[] {
  const serviceNet = parseCidr(lab.scenario.cluster.serviceCIDR)!
  const taken = new Set(specs.flatMap((s) => (s.clusterIP ? [ipv4(s.clusterIP)] : [])))
  if (dnsEnabled(lab)) taken.add(kubeDnsIp(lab))
  const takenPorts = new Set(specs.flatMap((s) => s.ports.flatMap((p) => (p.nodePort ? [p.nodePort] : []))))
  let nextHost = 10
  return specs.map((s) => {
    let clusterIP = s.clusterIP ? ipv4(s.clusterIP) : undefined
    while (clusterIP === undefined) {
      const candidate = (serviceNet.network + nextHost++) >>> 0
      if (!taken.has(candidate)) clusterIP = candidate
    }
    taken.add(clusterIP)
    return {
      name: s.name,
      namespace: s.namespace,
      type: s.type,
      clusterIP,
      selector: { ...s.selector },
      externalTrafficPolicy: s.externalTrafficPolicy,
      ...(s.sessionAffinity === 'ClientIP' ? { sessionAffinity: 'ClientIP' as const } : {}),
      createdAt: lab.clock.nowMs,
      ports: s.ports.map((p) => {
        let nodePort = p.nodePort
        if (s.type === 'NodePort' && nodePort === undefined) {
          do nodePort = randomInt(lab.rng, 30000, 32767)
          while (takenPorts.has(nodePort))
          takenPorts.add(nodePort)
        }
        return {
          ...(p.name === undefined ? {} : { name: p.name }),
          port: p.port,
          targetPort: p.targetPort ?? p.port,
          protocol: p.protocol,
          ...(nodePort === undefined ? {} : { nodePort })
        }
      })
    }
  })
}

/**
 * Builds the world a scenario describes, in the order the real components would: nodes and the
 * underlay, flanneld (VTEPs, then peers), pods (CNI ADD in scenario order), Services, then
 * kube-proxy and flanneld's iptables rules. The scenario's `setup:` commands are shell lines;
 * the caller runs them through the shell after this returns.
 */
export function buildLab(scenario: Scenario): Lab {
  const underlay = parseCidr(scenario.cluster.underlayCIDR)!
  const lab: Lab = {
    scenario,
    netns: new Map(),
    netnsNames: new Map(),
    segments: new Map([
      [
        UNDERLAY_SEGMENT,
        {
          id: UNDERLAY_SEGMENT,
          cidr: underlay,
          ...(scenario.cluster.underlayMtu === undefined ? {} : { mtu: scenario.cluster.underlayMtu }),
          ports: []
        }
      ]
    ]),
    nodes: [],
    pods: [],
    services: [],
    endpointSlices: [],
    networkPolicies: [],
    deployments: [],
    replicaSets: [],
    namespaces: [],
    events: [],
    lastApplied: new Map(),
    externalHosts: [],
    rng: { seed: scenario.cluster.seed },
    clock: { nowMs: 0, epochMs: LAB_EPOCH_MS },
    capture: new CaptureLog(5000)
  }
  if (scenario.cluster.gateway !== undefined) {
    const ip = ipv4(scenario.cluster.gateway)
    lab.gateway = { ip, netns: 'gateway' }
    const gateway = underlayHost(lab, 'gateway', 'router', ip)
    if (scenario.externalHosts.some((h) => h.internet)) addInternet(lab, gateway)
  }
  const podCidrs = allocatePodCidrs(scenario)
  scenario.nodes.forEach((spec, i) => {
    const ip = ipv4(spec.ip)
    const ns = scenario.cluster.natInterface
      ? natNode(lab, spec.name, ip)
      : underlayHost(lab, spec.name, 'node', ip)
    writeSysctl(ns, 'net.ipv4.ip_forward', '1')
    if (spec.brNetfilter)
      ns.sysctl['net.bridge.bridge-nf-call-iptables'] = scenario.cluster.bridgeNfCallIptables ? '1' : '0'
    else delete ns.sysctl['net.bridge.bridge-nf-call-iptables']
    if ((spec.kubeProxyMode ?? scenario.cluster.kubeProxy.mode) === 'iptables')
      ns.sysctl['net.ipv4.conf.all.route_localnet'] = '1'
    const node: KubeNode = {
      name: spec.name,
      ip,
      podCIDR: podCidrs[i]!,
      netns: spec.name,
      nextPodHost: 2,
      nextPid: randomInt(lab.rng, 700, 1200)
    }
    startNodeDaemon(ns, node, spec)
    lab.nodes.push(node)
  })
  if (scenario.cluster.cni.backend === 'vxlan')
    for (const node of lab.nodes) createVtep(lab, node, lab.netns.get(node.netns)!)
  const flannel = scenario.cluster.cni.backend !== 'none'
  if (flannel) for (const node of lab.nodes) programPeers(lab, node, lab.netns.get(node.netns)!)
  for (const host of scenario.externalHosts) {
    const ns = underlayHost(
      lab,
      host.name,
      'external',
      ipv4(host.ip),
      host.internet ? INTERNET_SEGMENT : UNDERLAY_SEGMENT
    )
    startHostApp(ns, host)
    lab.externalHosts.push({ name: host.name, ip: ipv4(host.ip), netns: host.name })
  }
  const batch: PodBatch = { ips: new Map(), fdb: new WeakMap() }
  for (const pod of scenario.pods) createPod(lab, pod, batch)
  lab.namespaces = [
    ...new Set([
      ...SYSTEM_NAMESPACES,
      ...(flannel && componentsRunAsPods(lab) ? [FLANNEL_NAMESPACE] : []),
      ...[...scenario.pods, ...scenario.deployments, ...scenario.services].map((o) => o.namespace)
    ])
  ]
    .sort()
    .map((name) => ({
      name,
      createdAt: lab.clock.nowMs,
      ...(name === FLANNEL_NAMESPACE ? { labels: { ...FLANNEL_NAMESPACE_LABELS } } : {})
    }))
  lab.deployments = scenario.deployments.map((d) => ({
    name: d.name,
    namespace: d.namespace,
    replicas: d.replicas,
    selector: { ...d.labels },
    // The apiserver stores the template with its image set; the lab's apps have a default one.
    template: {
      labels: { ...d.labels },
      containers: d.containers.map((c) => ({ ...c, image: c.image ?? defaultImage(c.app) }))
    },
    createdAt: lab.clock.nowMs,
    generation: 1
  }))
  if (dnsEnabled(lab)) lab.deployments.push(coreDnsDeployment(lab))
  syncWorkloads(lab)
  lab.services = [
    kubernetesService(lab),
    ...(dnsEnabled(lab) ? [kubeDnsService(lab)] : []),
    ...allocateServices(lab, scenario.services)
  ]
  lab.networkPolicies = scenario.networkPolicies.map((spec) => networkPolicyFromSpec(spec, 0))
  const parser = new RuleParser()
  syncKubeProxy(lab, parser)
  if (flannel) syncFlannelRules(lab, parser)
  syncPortmap(lab, parser)
  return lab
}
