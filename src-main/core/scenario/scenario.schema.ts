import { z } from 'zod'

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
  port: port.optional()
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

export const servicePortSchema = z.strictObject({
  name: dnsName.optional(),
  port,
  /** Defaults to `port`, as in Kubernetes. */
  targetPort: port.optional(),
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
  externalTrafficPolicy: z.enum(['Cluster', 'Local']).default('Cluster')
})

export const nodeSchema = z.strictObject({
  name: dnsName,
  /** The node's underlay (eth0) address, inside cluster.underlayCIDR. */
  ip: ipv4,
  /** Fixed podCIDR; otherwise the next free /24 (podSubnetLength) of cluster.podCIDR, in node order. */
  podCIDR: cidr.optional()
})

export const externalHostSchema = z.strictObject({
  /** A machine on the underlay outside the cluster (a laptop, a load balancer). */
  name: dnsName,
  ip: ipv4
})

export const setupCommandSchema = z.strictObject({
  /** Where the command runs: a node, a pod, pod/container, or an external host. */
  on: z.string().min(1),
  /** A shell command line, as a learner would type it. */
  run: z.string().min(1)
})

export const clusterSchema = z.strictObject({
  /** The cluster-wide pod network (flannel's Network, kubeadm's --pod-network-cidr). */
  podCIDR: cidr.default('10.244.0.0/16'),
  /** Prefix length of each node's podCIDR. */
  podSubnetLength: z.number().int().min(16).max(28).default(24),
  serviceCIDR: cidr.default('10.96.0.0/12'),
  /** The nodes' shared L2 subnet. */
  underlayCIDR: cidr.default('192.168.56.0/24'),
  /** The underlay's default gateway; omitted means nodes have no default route. */
  gateway: ipv4.optional(),
  /** The underlay's MTU; flannel subtracts its encapsulation overhead from it. */
  mtu: z.number().int().min(1280).max(9000).default(1500),
  cni: z
    .strictObject({
      backend: z.enum(['vxlan', 'host-gw']).default('vxlan'),
      /** vxlan only: route directly to peers on the same L2 subnet, as flannel's DirectRouting. */
      directRouting: z.boolean().default(false),
      vni: z.number().int().min(1).max(16777215).default(1),
      /** The kernel's default VXLAN port, which flannel uses on Linux. */
      port: port.default(8472),
      /** flannel --ip-masq */
      ipMasq: z.boolean().default(true)
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
  /** net.bridge.bridge-nf-call-iptables on every node (kubeadm requires 1). */
  bridgeNfCallIptables: z.boolean().default(true),
  /** Seed for MACs, veth names, ephemeral ports and timings: same scenario + seed → same output. */
  seed: z.number().int().min(0).default(1)
})

export const scenarioSchema = z.strictObject({
  formatVersion: z.literal(1),
  /** Stable kebab-case id. */
  id: dnsName,
  title: z.strictObject({ en: z.string().min(1), 'zh-CN': z.string().min(1) }).optional(),
  cluster: clusterSchema.prefault({}),
  nodes: z.array(nodeSchema).min(1),
  pods: z.array(podSchema).default([]),
  services: z.array(serviceSchema).default([]),
  externalHosts: z.array(externalHostSchema).default([]),
  /** Shell commands applied after the build, in order: labs that start broken. */
  setup: z.array(setupCommandSchema).default([])
})

export type Scenario = z.output<typeof scenarioSchema>
export type ScenarioInput = z.input<typeof scenarioSchema>
export type PodSpec = z.output<typeof podSchema>
export type ServiceSpec = z.output<typeof serviceSchema>
export type NodeSpec = z.output<typeof nodeSchema>
export type ContainerSpec = z.output<typeof containerSchema>
