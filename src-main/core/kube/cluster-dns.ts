import type { Socket } from '../linux/netns.ts'
import { cidrHost, parseCidr } from '../net/cidr.ts'
import type { Ipv4 } from '../net/ipv4.ts'
import { randomInt } from '../net/rng.ts'
import type { Lab } from './lab.ts'
import type { KubePod, KubeService } from './objects.ts'
import { createPod, type PodIpIndex } from './pod-sandbox.ts'

/**
 * Cluster DNS as kubeadm installs it: the `coredns` Deployment in kube-system and the `kube-dns`
 * Service (its historical name, kept for compatibility) on the Service range's tenth address,
 * which is what kubelet's --cluster-dns points every pod at.
 */
export const DNS_NAMESPACE = 'kube-system'
export const DNS_SERVICE = 'kube-dns'
export const DNS_DEPLOYMENT = 'coredns'
export const CLUSTER_DOMAIN = 'cluster.local'
const DNS_LABELS = { 'k8s-app': 'kube-dns' }
/**
 * A ReplicaSet's pod-template-hash depends only on the pod template, so every kubeadm 1.31
 * cluster names its CoreDNS pods `coredns-7c65d6cfc9-…`.
 */
const TEMPLATE_HASH = '7c65d6cfc9'
const IMAGE = 'registry.k8s.io/coredns/coredns:v1.11.3'
/** The alphabet of generated name suffixes (apimachinery's rand.String: no vowels, no 0/1/3). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

export function dnsEnabled(lab: Lab): boolean {
  return lab.scenario.cluster.dns.enabled
}

export function kubeDnsIp(lab: Lab): Ipv4 {
  return cidrHost(parseCidr(lab.scenario.cluster.serviceCIDR)!, 10)
}

export function kubeDnsService(lab: Lab): KubeService {
  return {
    name: DNS_SERVICE,
    namespace: DNS_NAMESPACE,
    type: 'ClusterIP',
    clusterIP: kubeDnsIp(lab),
    ports: [
      { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9153, targetPort: 9153, protocol: 'TCP' }
    ],
    selector: { ...DNS_LABELS },
    externalTrafficPolicy: 'Cluster',
    createdAt: lab.clock.nowMs
  }
}

export function isCoreDnsPod(pod: KubePod): boolean {
  return pod.namespace === DNS_NAMESPACE && pod.name.startsWith(`${DNS_DEPLOYMENT}-${TEMPLATE_HASH}-`)
}

/** What CoreDNS listens on: DNS over UDP and TCP, metrics, the health and ready probes. */
const LISTENS: readonly (readonly ['udp' | 'tcp', number])[] = [
  ['udp', 53],
  ['tcp', 53],
  ['tcp', 9153],
  ['tcp', 8080],
  ['tcp', 8181]
]

function suffix(lab: Lab): string {
  let s = ''
  for (let i = 0; i < 5; i++) s += SUFFIX_ALPHABET[randomInt(lab.rng, 0, SUFFIX_ALPHABET.length - 1)]
  return s
}

/** One CoreDNS replica on a node: an ordinary pod whose container runs the DNS server. */
export function createCoreDnsPod(lab: Lab, node: string, podIps?: PodIpIndex, name?: string): KubePod {
  const pod = createPod(
    lab,
    {
      name: name ?? `${DNS_DEPLOYMENT}-${TEMPLATE_HASH}-${suffix(lab)}`,
      namespace: DNS_NAMESPACE,
      node,
      labels: { ...DNS_LABELS, 'pod-template-hash': TEMPLATE_HASH },
      shareProcessNamespace: false,
      hostNetwork: false,
      containers: [{ name: 'coredns', image: IMAGE, app: 'sleep' }]
    },
    podIps
  )
  const container = pod.containers[0]!
  container.app = 'coredns'
  container.process.command = '/coredns -conf /etc/coredns/Corefile'
  const ns = lab.netns.get(pod.netns)!
  for (const [proto, port] of LISTENS) {
    const socket: Socket = {
      proto,
      addr: 0,
      port,
      pid: container.process.hostPid,
      processName: 'coredns',
      app: 'coredns',
      reply: pod.name
    }
    ns.sockets.push(socket)
  }
  return pod
}

/**
 * The Deployment's replicas, spread over the nodes as its preferred anti-affinity spreads them:
 * each new one goes to the node running the fewest, ties in node order. Made after the
 * scenario's own pods, so that a pod with a fixed address never finds CoreDNS holding it.
 */
export function startCoreDns(lab: Lab, podIps?: PodIpIndex): void {
  scaleCoreDnsTo(lab, lab.scenario.cluster.dns.replicas, podIps)
}

/** `kubectl -n kube-system scale deployment coredns --replicas=N`; returns the pods made or removed. */
export function scaleCoreDnsTo(
  lab: Lab,
  replicas: number,
  podIps?: PodIpIndex,
  remove?: (pod: KubePod) => void
): string[] {
  const changed: string[] = []
  let members = lab.pods.filter(isCoreDnsPod)
  while (members.length > replicas && remove) {
    // The ReplicaSet deletes the newest pod first.
    const victim = members[members.length - 1]!
    remove(victim)
    members = members.slice(0, -1)
    changed.push(victim.name)
  }
  // Without a CNI the pods would stay Pending, holding no address and answering nothing.
  const usable = lab.scenario.cluster.cni.backend === 'none' ? [] : lab.nodes
  while (members.length < replicas && usable.length > 0) {
    const load = (node: string): number => members.filter((p) => p.node === node).length
    const node = [...usable].sort((a, b) => load(a.name) - load(b.name))[0]!
    const pod = createCoreDnsPod(lab, node.name, podIps)
    members.push(pod)
    changed.push(pod.name)
  }
  return changed
}
