import type { Cidr } from '../net/cidr.ts'
import type { Ipv4 } from '../net/ipv4.ts'
import type { Mac } from '../net/mac.ts'

/** The scenario's apps, and `coredns`, which only the cluster's own DNS Deployment runs. */
export type ContainerApp = 'http' | 'tcp-echo' | 'udp-echo' | 'sleep' | 'coredns'

export interface KubeNode {
  name: string
  /** Underlay (eth0) address. */
  ip: Ipv4
  podCIDR: Cidr
  /** Netns id of the node's root namespace (= node name). */
  netns: string
  /** flannel.1's MAC, published in the node annotation `flannel.alpha.coreos.com/backend-data`. */
  vtepMac?: Mac
  /** The address flanneld published (`flannel.alpha.coreos.com/public-ip`) when it is not `ip`. */
  publicIp?: Ipv4
  /** host-local's next candidate host number in podCIDR (starts at 2; .1 is cni0). */
  nextPodHost: number
  /** PIDs on the node, for crictl/ps: the next one to hand out. */
  nextPid: number
  /** The scenario's server on the node itself, outside Kubernetes, as ps lists it. */
  daemon?: { hostPid: number; command: string }
}

/** A process as `ps` shows it. `pid` is the number seen inside the container's PID namespace. */
export interface KubeProcess {
  pid: number
  /** PID in the node's namespace (what `crictl inspect` and the node's `ps` show). */
  hostPid: number
  user: string
  command: string
  /** The container (or `pause` for the sandbox) that runs it. */
  container: string
}

export interface KubeContainer {
  name: string
  image: string
  app: ContainerApp
  port?: number
  /** The containerPort's name, for Services whose targetPort names it. */
  portName?: string
  /** The node port the portmap plugin forwards to `port` (on the pod's node only). */
  hostPort?: number
  /** 64 hex chars like containerd's ids; crictl prints the first 13. */
  id: string
  state: 'Running' | 'CrashLoopBackOff'
  restartCount: number
  /** What `kubectl logs` prints. */
  logs: string[]
  process: KubeProcess
  /** The manifest's `command` and `args`, for the system containers whose manifests set them. */
  command?: string[]
  args?: string[]
  env?: KubeEnvVar[]
}

/** A container's environment variable: a literal value, or a pod field (`valueFrom.fieldRef`). */
export type KubeEnvVar = { name: string; value: string } | { name: string; fieldPath: string }

/** A volume mounted into a container, as `volumeMounts` lists it. */
export interface KubeVolumeMount {
  name: string
  mountPath: string
  readOnly?: true
}

/**
 * A container that ran to completion before the pod's containers started (kube-flannel.yml's
 * copies of the CNI plugin and config), Terminated with exit code 0 from then on.
 */
export interface KubeInitContainer {
  name: string
  image: string
  id: string
  command: string[]
  args: string[]
  mounts: KubeVolumeMount[]
  logs: string[]
  /** Lab time (ms) it started; it finished within the same second. */
  startedAt: number
}

export interface KubePod {
  name: string
  namespace: string
  node: string
  uid: string
  labels: Record<string, string>
  /** The pod IP; for hostNetwork pods the node IP. */
  ip: Ipv4
  /** Netns id the pod's containers share (= node's id for hostNetwork pods). */
  netns: string
  /** The runtime's name for the pod netns (`cni-<uuid>`, containerd), printed as `link-netns`. */
  netnsName: string
  hostNetwork: boolean
  shareProcessNamespace: boolean
  /** Sandbox (pause) container id. */
  sandboxId: string
  /** PID on the node of the sandbox's containerd-shim-runc-v2, the parent of /pause and the containers. */
  shimPid: number
  pause: KubeProcess
  /** Host end of the pod's veth (`vethXXXXXXXX`), absent for hostNetwork pods. */
  hostVeth?: string
  containers: KubeContainer[]
  initContainers?: KubeInitContainer[]
  /** Lab time (ms) the pod was created, for AGE columns. */
  createdAt: number
  /** Ready = every container Running (feeds endpoints). */
  ready: boolean
  /** The ReplicaSet that owns it (its ownerReference). */
  owner?: string
  /** The DaemonSet that owns it instead, for the per-node system pods. */
  daemonSet?: string
  /** What a system component's manifest sets beyond the defaults a scenario's pod gets. */
  system?: SystemPodSpec
  /**
   * Created through the API with no controller (`kubectl apply -f pod.yaml`): deleting it
   * deletes it. A scenario's own pods stand for pods of a controller the lab does not draw,
   * which brings them back under the same name.
   */
  bare?: true
  /**
   * `spec.hostname` and `spec.subdomain`: with a headless Service named like the subdomain,
   * CoreDNS answers `<hostname>.<subdomain>.<ns>.svc` with the pod's address.
   */
  hostname?: string
  subdomain?: string
}

/** A toleration as the pod spec carries it: no key with `Exists` tolerates every taint. */
export interface KubeToleration {
  key?: string
  operator: 'Exists'
  effect?: 'NoSchedule' | 'NoExecute'
}

/**
 * The spec fields of kubeadm's and kube-flannel.yml's pods: their service account (none for a
 * static pod), priority class, tolerations, node selector and each container's resource
 * requests. A static pod, the kubelet's mirror of a manifest on its node, which owns it, has
 * no token volume and mounts host paths instead.
 */
export interface SystemPodSpec {
  serviceAccount?: string
  priorityClassName: string
  priority: number
  tolerations: KubeToleration[]
  nodeSelector: Record<string, string>
  requests: Record<string, Record<string, string>>
  annotations: Record<string, string>
  staticOn?: string
  /** A static pod's host directories and files, each mounted at its own path. */
  hostPaths: KubeHostPath[]
  /** A DaemonSet pod's volumes besides its service account token, listed before it. */
  volumes?: KubeVolume[]
  /** What each of its containers mounts of them, besides the token. */
  mounts?: Record<string, KubeVolumeMount[]>
}

/** A host path (type left empty unless set) or a ConfigMap, as a DaemonSet's template declares it. */
export type KubeVolume =
  | { name: string; hostPath: { path: string; type: '' | 'FileOrCreate' } }
  | { name: string; configMap: string }

export interface KubeHostPath {
  name: string
  path: string
  type: 'DirectoryOrCreate' | 'FileOrCreate'
  readOnly: boolean
}

export interface KubeServicePort {
  name?: string
  port: number
  /** A number, or a container port's name that each endpoint pod resolves to its own number. */
  targetPort: number | string
  protocol: 'TCP' | 'UDP'
  nodePort?: number
}

/** The apiserver's default sessionAffinityConfig.clientIP.timeoutSeconds: three hours. */
export const STICKY_MAX_AGE_SECONDS = 10800

export interface KubeService {
  name: string
  namespace: string
  type: 'ClusterIP' | 'NodePort'
  /** Meaningless when `headless`. */
  clusterIP: Ipv4
  /** `clusterIP: None`: no virtual IP, so kube-proxy programs nothing for it. */
  headless?: true
  ports: KubeServicePort[]
  selector: Record<string, string>
  externalTrafficPolicy: 'Cluster' | 'Local'
  /** Absent means `None`. */
  sessionAffinity?: 'ClientIP'
  createdAt: number
  /**
   * Backends its controller sets directly instead of a selector: the apiserver keeps the
   * `default/kubernetes` Service pointing at itself.
   */
  fixedEndpoints?: KubeEndpoint[]
}

/** One backend of a Service port, as EndpointSlices carry it. */
export interface KubeEndpoint {
  ip: Ipv4
  port: number
  /** Empty for an endpoint that is no pod (the apiserver on its node's address). */
  pod: string
  node: string
}

export interface ExternalHost {
  name: string
  ip: Ipv4
  netns: string
}

/** metav1.LabelSelector as a NetworkPolicy carries it: `{}` selects everything. */
export interface KubeLabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: {
    key: string
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
    values?: string[]
  }[]
}

export interface KubeNetworkPolicyPeer {
  podSelector?: KubeLabelSelector
  namespaceSelector?: KubeLabelSelector
  ipBlock?: { cidr: string; except?: string[] }
}

export interface KubeNetworkPolicyPort {
  protocol: 'TCP' | 'UDP' | 'SCTP'
  /** A number, or the name of a container port on the pods at the other end. */
  port?: number | string
  endPort?: number
}

/** networking.k8s.io/v1 NetworkPolicy as the apiserver stores it (policyTypes defaulted). */
export interface KubeNetworkPolicy {
  name: string
  namespace: string
  podSelector: KubeLabelSelector
  policyTypes: ('Ingress' | 'Egress')[]
  /** Absent: no ingress rule at all (every ingress denied when Ingress is a policy type). */
  ingress?: { from?: KubeNetworkPolicyPeer[]; ports?: KubeNetworkPolicyPort[] }[]
  egress?: { to?: KubeNetworkPolicyPeer[]; ports?: KubeNetworkPolicyPort[] }[]
  createdAt: number
}
