import { z } from 'zod'
import type { ScenarioLimit } from '../../api/error-reasons.ts'

/**
 * The scenario file: a cluster described the way a learner thinks about it (nodes, pods,
 * Services), from which the builder derives every Linux object the real components would make.
 * Documented for authors in docs/scenario-format.md.
 */

const ipv4 = z
  .string()
  .regex(
    /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/,
    'expected an IPv4 address such as 10.244.1.2'
  )
const cidr = z
  .string()
  .regex(
    /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/,
    'expected an IPv4 prefix such as 10.244.0.0/16'
  )
/** Kubernetes object names: DNS-1123 labels. */
const dnsName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a lowercase DNS-1123 name such as web-1')
  .max(63)
const port = z.number().int().min(1).max(65535)
/** A port's name (IANA_SVC_NAME): at most 15 lowercase letters, digits and single hyphens, one letter at least. */
const portName = z
  .string()
  .max(15)
  .regex(/^(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a port name such as http or metrics')

/** SCENARIO_LIMITS.pods, needed before the object is declared. */
const SCENARIO_LIMITS_PODS = 5000

export const containerAppSchema = z.enum(['http', 'tcp-echo', 'udp-echo', 'sleep'])

export const containerSchema = z.strictObject({
  /** Container name, unique within its pod. */
  name: dnsName,
  /** Image shown by crictl/kubectl; purely cosmetic. */
  image: z.string().min(1).optional(),
  /**
   * What the container runs. `http` answers any request with its pod name, `tcp-echo` and
   * `udp-echo` echo what they receive, `sleep` listens on nothing.
   */
  app: containerAppSchema.default('sleep'),
  /** The port the app listens on (required for every app but `sleep`). */
  port: port.optional(),
  /** The containerPort's name, which a Service's targetPort may name instead of the number. */
  portName: portName.optional(),
  /** A port on the node's own addresses that the portmap CNI plugin DNATs to `port`. */
  hostPort: port.optional()
})

export const podSchema = z.strictObject({
  name: dnsName,
  namespace: dnsName.default('default'),
  /** Node the pod is scheduled on. */
  node: dnsName,
  labels: z.record(z.string(), z.string()).default({}),
  /** A fixed pod IP inside the node's podCIDR; otherwise host-local hands out .2, .3 … in creation order. */
  ip: ipv4.optional(),
  /** Share one PID namespace between the pod's containers (pause becomes PID 1). */
  shareProcessNamespace: z.boolean().default(false),
  /** Run in the node's network namespace (no veth, no pod IP of its own). */
  hostNetwork: z.boolean().default(false),
  containers: z.array(containerSchema).min(1)
})

/**
 * A Deployment: its controller makes a ReplicaSet `<name>-<pod-template-hash>`, which makes
 * `replicas` pods named `<replicaset>-<5 chars>`, scheduled on the node with the fewest pods.
 * Pods get addresses after the scenario's own pods, so adding a Deployment never moves them.
 */
export const deploymentSchema = z.strictObject({
  name: dnsName,
  namespace: dnsName.default('default'),
  replicas: z.number().int().min(0).max(SCENARIO_LIMITS_PODS).default(1),
  /** The pod template's labels, which are also the Deployment's selector. */
  labels: z
    .record(z.string(), z.string())
    .refine((l) => Object.keys(l).length > 0, 'a Deployment needs at least one label to select its pods'),
  containers: z.array(containerSchema).min(1)
})

export const servicePortSchema = z.strictObject({
  name: dnsName.optional(),
  port,
  /**
   * Defaults to `port`, as in Kubernetes. A name is resolved per pod: the port of its container
   * port with that name; pods without one are no endpoint of this port.
   */
  targetPort: z.union([port, portName]).optional(),
  protocol: z.enum(['TCP', 'UDP']).default('TCP'),
  /** NodePort Services only; allocated from 30000-32767 when omitted. */
  nodePort: z.number().int().min(30000).max(32767).optional()
})

export const serviceSchema = z.strictObject({
  name: dnsName,
  namespace: dnsName.default('default'),
  type: z.enum(['ClusterIP', 'NodePort']).default('ClusterIP'),
  /** Allocated from the serviceCIDR when omitted (first free after .1, which is the kubernetes Service). */
  clusterIP: ipv4.optional(),
  selector: z.record(z.string(), z.string()),
  ports: z.array(servicePortSchema).min(1),
  externalTrafficPolicy: z.enum(['Cluster', 'Local']).default('Cluster'),
  /** `ClientIP`: every connection from one client address goes to the same endpoint for 10800 s. */
  sessionAffinity: z.enum(['None', 'ClientIP']).optional()
})

const labelSelectorSchema = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string().min(1),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional()
      })
    )
    .optional()
})

const networkPolicyPeerSchema = z
  .strictObject({
    podSelector: labelSelectorSchema.optional(),
    namespaceSelector: labelSelectorSchema.optional(),
    ipBlock: z.strictObject({ cidr, except: z.array(cidr).optional() }).optional()
  })
  .refine(
    (p) => (p.ipBlock === undefined) === (p.podSelector !== undefined || p.namespaceSelector !== undefined),
    {
      message: 'a peer is either ipBlock or podSelector/namespaceSelector, as the apiserver requires'
    }
  )

const networkPolicyPortSchema = z.strictObject({
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP'),
  /** A port number or a container port's name. */
  port: z.union([port, portName]).optional(),
  endPort: port.optional()
})

/** networking.k8s.io/v1 NetworkPolicy's spec, with its name and namespace beside it. */
export const networkPolicySchema = z.strictObject({
  name: dnsName,
  namespace: dnsName.default('default'),
  podSelector: labelSelectorSchema,
  /** Defaulted as the apiserver does: Ingress, plus Egress when there are egress rules. */
  policyTypes: z.array(z.enum(['Ingress', 'Egress'])).optional(),
  ingress: z
    .array(
      z.strictObject({
        from: z.array(networkPolicyPeerSchema).optional(),
        ports: z.array(networkPolicyPortSchema).optional()
      })
    )
    .optional(),
  egress: z
    .array(
      z.strictObject({
        to: z.array(networkPolicyPeerSchema).optional(),
        ports: z.array(networkPolicyPortSchema).optional()
      })
    )
    .optional()
})

export const nodeSchema = z.strictObject({
  name: dnsName,
  /** The node's underlay (eth0) address, inside cluster.underlayCIDR. */
  ip: ipv4,
  /** Fixed podCIDR; otherwise the next free /24 (podSubnetLength) of cluster.podCIDR, in node order. */
  podCIDR: cidr.optional(),
  /**
   * Whether the br_netfilter module is loaded: without it `net.bridge.*` does not exist and
   * bridged traffic never meets iptables, whatever cluster.bridgeNfCallIptables says.
   */
  brNetfilter: z.boolean().default(true),
  /**
   * This node's kube-proxy mode, when it differs from cluster.kubeProxy.mode: one kube-proxy
   * DaemonSet per mode, each with its own nodeSelector, as when a cluster migrates node by node.
   */
  kubeProxyMode: z.enum(['iptables', 'ipvs', 'nftables']).optional(),
  /**
   * A server the node runs outside Kubernetes (a package's systemd unit), started before any
   * pod: `http` answers with the node's name. A hostNetwork pod wanting its port cannot bind it,
   * and neither the scheduler nor kubelet knows why.
   */
  app: containerAppSchema.optional(),
  port: port.optional(),
  /**
   * This node's network-policy controller, when it differs from cluster.networkPolicy: the
   * controller runs as a DaemonSet, and a node its pod is missing from (a nodeSelector, a pod in
   * CrashLoopBackOff) enforces nothing for the pods on it.
   */
  networkPolicy: z.enum(['none', 'kube-router']).optional()
})

export const externalHostSchema = z.strictObject({
  /** A machine outside the cluster: on the underlay (a laptop, a load balancer), or on the internet. */
  name: dnsName,
  ip: ipv4,
  /**
   * Beyond the gateway instead of on the underlay: its address is inside cluster.internetCIDR,
   * and the nodes reach it only through their default route, so pod traffic to it leaves
   * through flannel's MASQUERADE.
   */
  internet: z.boolean().optional(),
  /** A server the host runs, as a container's app; `http` answers with the host's name. */
  app: containerAppSchema.optional(),
  port: port.optional()
})

export const setupCommandSchema = z.strictObject({
  /** Where the command runs: a node, a pod, pod/container, or an external host. */
  on: z.string().min(1),
  /** A shell command line, as a learner would type it. */
  run: z.string().min(1)
})

/** Where internet hosts live when cluster.internetCIDR is not set: TEST-NET-3, for documentation. */
export const DEFAULT_INTERNET_CIDR = '203.0.113.0/24'

export const clusterSchema = z.strictObject({
  /**
   * How the cluster was installed. `kubeadm` (with kube-flannel.yml) runs kube-proxy and flanneld
   * as DaemonSets, one pod per node in kube-system and kube-flannel; `k3s` runs both inside the
   * k3s binary on each node, so neither has a pod, DaemonSet or namespace.
   */
  distribution: z.enum(['kubeadm', 'k3s']).default('kubeadm'),
  /** The cluster-wide pod network (flannel's Network, kubeadm's --pod-network-cidr). */
  podCIDR: cidr.default('10.244.0.0/16'),
  /** Prefix length of each node's podCIDR. */
  podSubnetLength: z.number().int().min(16).max(28).default(24),
  serviceCIDR: cidr.default('10.96.0.0/12'),
  /** The nodes' shared L2 subnet. */
  underlayCIDR: cidr.default('192.168.56.0/24'),
  /** The underlay's default gateway; omitted means nodes have no default route. */
  gateway: ipv4.optional(),
  /**
   * The network beyond the gateway where `internet: true` external hosts live; the gateway takes
   * its first address. 203.0.113.0/24 (TEST-NET-3, RFC 5737) when omitted.
   */
  internetCIDR: cidr.optional(),
  /** The underlay's MTU; flannel subtracts its encapsulation overhead from it. */
  mtu: z.number().int().min(1280).max(9000).default(1500),
  /**
   * The largest packet the network between the hosts carries, when it is less than `mtu`: a VPN,
   * a cloud's own overlay or a switch port set lower than the hosts' interfaces. A switch
   * forwards frames and has no ICMP to send, so it discards bigger ones without a word.
   */
  underlayMtu: z.number().int().min(576).max(9000).optional(),
  /**
   * Every node is a VirtualBox VM with two NICs: eth0 on the VM's own NAT network, 10.0.2.15/24
   * on every VM with the default route via 10.0.2.2, and eth1 on the underlay (the host-only
   * network). The default route leaves by eth0, which is what flanneld picks without `--iface`.
   */
  natInterface: z.boolean().optional(),
  cni: z
    .strictObject({
      /** `none`: bare nodes without flannel, for labs where the learner wires pods by hand. */
      backend: z.enum(['vxlan', 'host-gw', 'none']).default('vxlan'),
      /** vxlan only: route directly to peers on the same L2 subnet, as flannel's DirectRouting. */
      directRouting: z.boolean().default(false),
      vni: z.number().int().min(1).max(16777215).default(1),
      /** The kernel's default VXLAN port, which flannel uses on Linux. */
      port: port.default(8472),
      /** flannel --ip-masq */
      ipMasq: z.boolean().default(true),
      /** flanneld --iface: the interface whose address it publishes; the default route's otherwise. */
      iface: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,15}$/, 'expected an interface name such as eth1')
        .optional()
    })
    .prefault({}),
  kubeProxy: z
    .strictObject({
      mode: z.enum(['iptables', 'ipvs', 'nftables']).default('iptables'),
      /** Kubernetes minor version; behaviour that changed across releases follows it (IPVS ping before/after 1.26). */
      version: z
        .string()
        .regex(/^1\.\d+$/, 'expected a Kubernetes version such as 1.31')
        .default('1.31')
    })
    .prefault({}),
  /**
   * What enforces NetworkPolicy: `none` is flannel alone, which stores policies and ignores them;
   * `kube-router` is the network-policy controller k3s embeds, on the same cni0 datapath.
   */
  networkPolicy: z.enum(['none', 'kube-router']).default('none'),
  /**
   * Cluster DNS as kubeadm installs it: a CoreDNS Deployment in kube-system and the kube-dns
   * Service on the Service range's tenth address. Off, the cluster has neither, and every pod
   * and Service keeps the address it had before the lab knew cluster DNS.
   */
  dns: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** CoreDNS pods; kubeadm runs 2. */
      replicas: z.number().int().min(0).max(10).default(2)
    })
    .prefault({}),
  /** net.bridge.bridge-nf-call-iptables on every node (kubeadm requires 1). */
  bridgeNfCallIptables: z.boolean().default(true),
  /** Seed for MACs, veth names, ephemeral ports and timings: same scenario + seed → same output. */
  seed: z.number().int().min(0).default(1)
})

/**
 * The largest cluster a scenario may describe, so that one file cannot take the host's memory
 * or minutes of its time. The builder makes every Linux object the real components would, and
 * that work grows with these counts: flannel programs a route, a neighbour and an FDB entry
 * per pair of nodes, and kube-proxy programs every Service port and every endpoint on every
 * node. Each limit is refused with its name, the limit and the file's value. The About page
 * and docs/scenario-format.md quote this object.
 */
export const SCENARIO_LIMITS = {
  /** Bytes of scenario text, checked before the YAML parser runs. */
  bytes: 1024 * 1024,
  /** flannel's default Network, a /16, holds 256 nodes with a /24 each. */
  nodes: 256,
  /** The kubelet's default maxPods. */
  podsPerNode: 110,
  /** Pods in the whole cluster, counting every Deployment's replicas. */
  pods: SCENARIO_LIMITS_PODS,
  services: 5000,
  /** Service ports summed over every Service. */
  servicePorts: 5000,
  /** One per Service port and pod its selector picks, as kube-proxy programs them. */
  endpoints: 10_000,
  /** nodes × (Service ports + endpoints): what kube-proxy programs across the cluster. */
  kubeProxyEntries: 400_000,
  /** Machines on the underlay outside the cluster. */
  externalHosts: 256,
  /** Lines under `setup:`. */
  setupCommands: 100,
  networkPolicies: 1000
} as const

/** The message for a list longer than its limit: `at most 256 nodes (why), this file has 4000`. */
function atMost(
  limit: number,
  what: string,
  why?: string
): { error: (issue: { input?: unknown }) => string } {
  return {
    error: (issue) =>
      `at most ${limit} ${what}${why === undefined ? '' : ` (${why})`}, this file has ${Array.isArray(issue.input) ? issue.input.length : 'more'}`
  }
}

/** A limit's name and numbers, carried on its zod issue for the refusal's reason. */
export interface LimitIssueParams {
  scenarioLimit: ScenarioLimit
  max: number
  value: number
  where?: string
}

function limitParams(limit: ScenarioLimit, max: number, value: number, where?: string): LimitIssueParams {
  return { scenarioLimit: limit, max, value, ...(where === undefined ? {} : { where }) }
}

/** kube-apiserver's default --service-node-port-range, 30000-32767. */
const NODE_PORTS = 32767 - 30000 + 1

/**
 * The limits that need more than one list's length: pods per node, Service ports, endpoints,
 * what kube-proxy programs across the nodes, NodePorts (the allocator would search a full range
 * for ever). Counting endpoints indexes pods by label, so it costs a pass over the pods plus
 * the endpoints it counts, never services × pods.
 */
function checkLimits(s: z.output<typeof scenarioObject>, ctx: z.RefinementCtx): void {
  const L = SCENARIO_LIMITS
  const perNode = new Map<string, number>()
  s.pods.forEach((p, i) => {
    const n = (perNode.get(p.node) ?? 0) + 1
    perNode.set(p.node, n)
    if (n === L.podsPerNode + 1) {
      const total = s.pods.filter((q) => q.node === p.node).length
      ctx.addIssue({
        code: 'custom',
        path: ['pods', i, 'node'],
        message: `at most ${L.podsPerNode} pods on one node (the kubelet's default maxPods), this file puts ${total} on ${p.node}`,
        params: limitParams('pods_per_node', L.podsPerNode, total, p.node)
      })
    }
  })
  const pods = s.pods.length + s.deployments.reduce((sum, d) => sum + d.replicas, 0)
  if (s.deployments.length > 0 && pods > L.pods)
    ctx.addIssue({
      code: 'custom',
      path: ['deployments'],
      message: `at most ${L.pods} pods (Deployments' replicas included), this file has ${pods}`
    })
  const servicePorts = s.services.reduce((sum, svc) => sum + svc.ports.length, 0)
  if (servicePorts > L.servicePorts)
    ctx.addIssue({
      code: 'custom',
      path: ['services'],
      message: `at most ${L.servicePorts} Service ports in all, this file has ${servicePorts}`,
      params: limitParams('service_ports', L.servicePorts, servicePorts)
    })
  const nodePorts = s.services.reduce((sum, svc) => sum + (svc.type === 'NodePort' ? svc.ports.length : 0), 0)
  if (nodePorts > NODE_PORTS)
    ctx.addIssue({
      code: 'custom',
      path: ['services'],
      message: `at most ${NODE_PORTS} NodePort ports (the range 30000-32767), this file has ${nodePorts}`,
      params: limitParams('node_ports', NODE_PORTS, nodePorts)
    })
  const endpoints = countEndpoints(s)
  if (endpoints > L.endpoints)
    ctx.addIssue({
      code: 'custom',
      path: ['services'],
      message: `at most ${L.endpoints} endpoints (one per Service port and pod its selector picks), this file has ${endpoints}`,
      params: limitParams('endpoints', L.endpoints, endpoints)
    })
  const entries = s.nodes.length * (servicePorts + endpoints)
  if (entries > L.kubeProxyEntries)
    ctx.addIssue({
      code: 'custom',
      path: ['services'],
      message: `at most ${L.kubeProxyEntries} kube-proxy entries (every node programs every Service port and endpoint), this file has ${s.nodes.length} nodes × (${servicePorts} Service ports + ${endpoints} endpoints) = ${entries}`,
      params: limitParams('kube_proxy_entries', L.kubeProxyEntries, entries)
    })
}

/** Endpoints as kube-proxy counts them: Service ports × pods in the namespace with every selector label. */
function countEndpoints(s: z.output<typeof scenarioObject>): number {
  const byLabel = new Map<string, number[]>()
  const key = (namespace: string, k: string, v: string): string => `${namespace}\0${k}\0${v}`
  s.pods.forEach((p, i) => {
    for (const [k, v] of Object.entries(p.labels)) {
      const list = byLabel.get(key(p.namespace, k, v))
      if (list) list.push(i)
      else byLabel.set(key(p.namespace, k, v), [i])
    }
  })
  let total = 0
  for (const svc of s.services) {
    const selector = Object.entries(svc.selector)
    if (selector.length === 0) continue
    // The rarest label narrows the candidates most; every pod selected carries it.
    let candidates: number[] | undefined
    for (const [k, v] of selector) {
      const list = byLabel.get(key(svc.namespace, k, v)) ?? []
      if (!candidates || list.length < candidates.length) candidates = list
    }
    let selected = 0
    for (const i of candidates ?? []) {
      const labels = s.pods[i]!.labels
      if (selector.every(([k, v]) => labels[k] === v)) selected++
    }
    total += selected * svc.ports.length
  }
  return total
}

const scenarioObject = z.strictObject({
  formatVersion: z.literal(1),
  /** Stable kebab-case id. */
  id: dnsName,
  title: z.strictObject({ en: z.string().min(1), 'zh-CN': z.string().min(1) }).optional(),
  cluster: clusterSchema.prefault({}),
  nodes: z
    .array(nodeSchema)
    .min(1)
    .max(
      SCENARIO_LIMITS.nodes,
      atMost(SCENARIO_LIMITS.nodes, 'nodes', "flannel's default /16 with a /24 per node")
    ),
  pods: z.array(podSchema).max(SCENARIO_LIMITS.pods, atMost(SCENARIO_LIMITS.pods, 'pods')).default([]),
  deployments: z.array(deploymentSchema).default([]),
  services: z
    .array(serviceSchema)
    .max(SCENARIO_LIMITS.services, atMost(SCENARIO_LIMITS.services, 'Services'))
    .default([]),
  networkPolicies: z
    .array(networkPolicySchema)
    .max(SCENARIO_LIMITS.networkPolicies, atMost(SCENARIO_LIMITS.networkPolicies, 'NetworkPolicies'))
    .default([]),
  externalHosts: z
    .array(externalHostSchema)
    .max(SCENARIO_LIMITS.externalHosts, atMost(SCENARIO_LIMITS.externalHosts, 'external hosts'))
    .default([]),
  /** Shell commands applied after the build, in order: labs that start broken. */
  setup: z
    .array(setupCommandSchema)
    .max(SCENARIO_LIMITS.setupCommands, atMost(SCENARIO_LIMITS.setupCommands, 'setup commands'))
    .default([])
})

/** A scenario within SCENARIO_LIMITS; the bench and tests that build scenarios in code pass here too. */
export const scenarioSchema = scenarioObject.superRefine(checkLimits)

export type Scenario = z.output<typeof scenarioSchema>
export type ScenarioInput = z.input<typeof scenarioSchema>
export type PodSpec = z.output<typeof podSchema>
export type ContainerSpec = z.output<typeof containerSchema>
export type ServiceSpec = z.output<typeof serviceSchema>
export type NetworkPolicySpec = z.output<typeof networkPolicySchema>
