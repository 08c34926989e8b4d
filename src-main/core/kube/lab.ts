import type { Netns } from '../linux/netns.ts'
import type { RngState } from '../net/rng.ts'
import type { Cidr } from '../net/cidr.ts'
import type { Ipv4 } from '../net/ipv4.ts'
import type { Scenario } from '../scenario/scenario.schema.ts'
import type {
  ExternalHost,
  KubeEnvVar,
  KubeNetworkPolicy,
  KubeNode,
  KubePod,
  KubeService
} from './objects.ts'
import type { KubeDeployment, KubeEvent, KubeReplicaSet } from './workloads.ts'
import type { CaptureLog } from '../engine/capture-log.ts'
import type { KubeEndpointSlice } from './endpoint-slices.ts'

/** An L2 broadcast domain outside any namespace: the underlay switch the nodes' eth0s plug into. */
export interface Segment {
  id: string
  cidr: Cidr
  /** The largest IP packet the switch passes; bigger frames vanish on it. */
  mtu?: number
  /** Cables plugged in: (netns id, ifindex). */
  ports: { netns: string; ifindex: number }[]
}

/** The logical clock: lab time in ms since `epochMs` (the wall-clock instant the lab was built at). */
export interface LabClock {
  nowMs: number
  /** Wall-clock start, used only to print dates (iptables-save headers); fixed per scenario. */
  epochMs: number
}

/**
 * The whole simulated world: every network namespace, the Kubernetes objects they were derived
 * from, and the seeded generator and clock that make it deterministic.
 */
export interface Lab {
  scenario: Scenario
  netns: Map<string, Netns>
  /**
   * Each host's /run/netns: names `ip netns add` gave there (oldest first), to netns ids.
   * Keyed by the host's name (node or external host); a name is visible only on its host.
   */
  netnsNames: Map<string, Map<string, string>>
  segments: Map<string, Segment>
  nodes: KubeNode[]
  pods: KubePod[]
  services: KubeService[]
  /** EndpointSlices written through the API; the controllers' own are derived from Services. */
  endpointSlices: KubeEndpointSlice[]
  /** Stored whatever enforces them: on flannel alone nothing reads them. */
  networkPolicies: KubeNetworkPolicy[]
  deployments: KubeDeployment[]
  replicaSets: KubeReplicaSet[]
  /** Namespaces that exist, with the lab time each was created at and the labels set on them. */
  namespaces: { name: string; createdAt: number; labels?: Record<string, string> }[]
  /** What the controllers, scheduler and kubelets reported, for `kubectl get events`. */
  events: KubeEvent[]
  /**
   * kubectl's last-applied-configuration annotation per `Kind/namespace/name`: what `apply`
   * compares with to say `unchanged`, and whose absence it warns about.
   */
  lastApplied: Map<string, string>
  externalHosts: ExternalHost[]
  /** `FLANNELD_IFACE` set on the flannel DaemonSet in the lab; it wins over the scenario's `--iface`. */
  flannelIface?: string
  /** The flannel DaemonSet's container env once `kubectl set env` changed it; kube-flannel.yml's until then. */
  flannelEnv?: KubeEnvVar[]
  /**
   * The flannel DaemonSet's last rollout: its pod template generation, when it started the new
   * pods, and the nodes where their flanneld exits at start, with the lookup error it logs.
   * Absent: the pods the cluster was built with, all running.
   */
  flannelDs?: { generation: number; rolledAtMs: number; crashing: { node: string; error: string }[] }
  /** The underlay's router (netns `gateway`), when the scenario has a gateway. */
  gateway?: { ip: Ipv4; netns: string }
  rng: RngState
  clock: LabClock
  capture: CaptureLog
}

/**
 * The host whose kernel runs a namespace: a pod's node, the host where `ip netns add` made it,
 * or the namespace itself for a node, an external host or the gateway.
 */
export function hostKernelOf(lab: Lab, netnsId: string): string {
  for (const pod of lab.pods) if (pod.netns === netnsId) return pod.node
  for (const [host, names] of lab.netnsNames) for (const id of names.values()) if (id === netnsId) return host
  return netnsId
}

/**
 * Whether kube-proxy and flanneld run as pods of DaemonSets, as kubeadm and kube-flannel.yml
 * install them; k3s runs both inside its own binary, with no pod of theirs to list.
 */
export const componentsRunAsPods = (lab: Lab): boolean => lab.scenario.cluster.distribution === 'kubeadm'
