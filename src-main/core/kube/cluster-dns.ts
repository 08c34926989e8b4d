import { cidrHost, parseCidr } from '../net/cidr.ts'
import type { Ipv4 } from '../net/ipv4.ts'
import type { Lab } from './lab.ts'
import type { KubeService } from './objects.ts'
import type { KubeDeployment } from './workloads.ts'

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
 * cluster names its CoreDNS pods `coredns-7c65d6cfc9-…`; the lab's abridged template would
 * hash to something else.
 */
const TEMPLATE_HASH = '7c65d6cfc9'
const IMAGE = 'registry.k8s.io/coredns/coredns:v1.11.3'

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

/**
 * kubeadm's `coredns` Deployment: two replicas by default, spread over the nodes by its
 * preferred pod anti-affinity. Its ReplicaSet and pods are the workload controllers' to make,
 * scale and replace, like any Deployment's.
 */
export function coreDnsDeployment(lab: Lab): KubeDeployment {
  return {
    name: DNS_DEPLOYMENT,
    namespace: DNS_NAMESPACE,
    replicas: lab.scenario.cluster.dns.replicas,
    selector: { ...DNS_LABELS },
    template: {
      labels: { ...DNS_LABELS },
      containers: [{ name: 'coredns', image: IMAGE, app: 'coredns' }],
      spreadOverNodes: true
    },
    templateHash: TEMPLATE_HASH,
    createdAt: lab.clock.nowMs,
    generation: 1
  }
}
