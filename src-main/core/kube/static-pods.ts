import { formatIpv4 } from '../net/index.ts'
import { apiTime, hex, kubeletVersion } from './api-objects.ts'
import { hostNetworkPod } from './host-network-pod.ts'
import { controlPlaneCommand, type ControlPlaneSite } from './control-plane-commands.ts'
import { apiserverLogs, controllerManagerLogs, etcdLogs, schedulerLogs } from './control-plane-logs.ts'
import { componentsRunAsPods, type Lab } from './lab.ts'
import type { KubeHostPath, KubePod } from './objects.ts'
import { systemSpec } from './system-pod-spec.ts'

/** The etcd each kubeadm minor deploys at its .0 release (constants.SupportedEtcdVersion). */
const ETCD_BY_MINOR: Readonly<Record<number, string>> = {
  22: '3.5.0-0',
  23: '3.5.1-0',
  24: '3.5.3-0',
  25: '3.5.4-0',
  26: '3.5.6-0',
  27: '3.5.7-0',
  28: '3.5.9-0',
  29: '3.5.10-0',
  30: '3.5.12-0',
  31: '3.5.15-0',
  32: '3.5.16-0'
}

function etcdImage(lab: Lab): string {
  const minor = Number(lab.scenario.cluster.kubeProxy.version.split('.')[1])
  const known = Object.keys(ETCD_BY_MINOR).map(Number)
  const clamped = Math.min(Math.max(minor, Math.min(...known)), Math.max(...known))
  return `registry.k8s.io/etcd:${ETCD_BY_MINOR[clamped] ?? ''}`
}

const dir = (name: string, path: string, readOnly = true): KubeHostPath => ({
  name,
  path,
  type: 'DirectoryOrCreate',
  readOnly
})
const kubeconfig = (path: string): KubeHostPath => ({
  name: 'kubeconfig',
  path,
  type: 'FileOrCreate',
  readOnly: true
})

/** The CA bundles a Debian node has, which kubeadm mounts into the apiserver and controller-manager. */
const CA_DIRS = [
  dir('ca-certs', '/etc/ssl/certs'),
  dir('etc-ca-certificates', '/etc/ca-certificates'),
  dir('k8s-certs', '/etc/kubernetes/pki')
]
const SHARE_CA_DIRS = [
  dir('usr-local-share-ca-certificates', '/usr/local/share/ca-certificates'),
  dir('usr-share-ca-certificates', '/usr/share/ca-certificates')
]

/**
 * The control plane kubeadm writes to /etc/kubernetes/manifests, each with its command, the CPU
 * (and for etcd memory) it requests, the annotation kubeadm records the component's address in,
 * and its first log lines: etcd starts first, the apiserver once etcd serves, the controller
 * manager and the scheduler once the apiserver does.
 */
function components(
  lab: Lab,
  site: ControlPlaneSite
): {
  name: string
  image: string
  command: string[]
  logs: string[]
  requests: Record<string, string>
  annotations: Record<string, string>
  hostPaths: KubeHostPath[]
}[] {
  const version = kubeletVersion(lab)
  const ip = site.ip
  const etcd = controlPlaneCommand('etcd', site)
  return [
    {
      name: 'etcd',
      image: etcdImage(lab),
      command: etcd,
      logs: etcdLogs(lab, etcd, ip, 0),
      requests: { cpu: '100m', memory: '100Mi' },
      annotations: { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': `https://${ip}:2379` },
      hostPaths: [
        dir('etcd-certs', '/etc/kubernetes/pki/etcd', false),
        dir('etcd-data', '/var/lib/etcd', false)
      ]
    },
    {
      name: 'kube-apiserver',
      image: `registry.k8s.io/kube-apiserver:${version}`,
      command: controlPlaneCommand('kube-apiserver', site),
      logs: apiserverLogs(lab, version, ip, 200),
      requests: { cpu: '250m' },
      annotations: { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${ip}:6443` },
      hostPaths: [...CA_DIRS, ...SHARE_CA_DIRS]
    },
    {
      name: 'kube-controller-manager',
      image: `registry.k8s.io/kube-controller-manager:${version}`,
      command: controlPlaneCommand('kube-controller-manager', site),
      logs: controllerManagerLogs(lab, version, 500),
      requests: { cpu: '200m' },
      annotations: {},
      hostPaths: [
        ...CA_DIRS.slice(0, 2),
        dir('flexvolume-dir', '/usr/libexec/kubernetes/kubelet-plugins/volume/exec', false),
        CA_DIRS[2]!,
        kubeconfig('/etc/kubernetes/controller-manager.conf'),
        ...SHARE_CA_DIRS
      ]
    },
    {
      name: 'kube-scheduler',
      image: `registry.k8s.io/kube-scheduler:${version}`,
      command: controlPlaneCommand('kube-scheduler', site),
      logs: schedulerLogs(lab, version, 520),
      requests: { cpu: '100m' },
      annotations: {},
      hostPaths: [kubeconfig('/etc/kubernetes/scheduler.conf')]
    }
  ]
}

/**
 * The mirror pods the kubelet on the control-plane node (the first) posts for kubeadm's static
 * manifests: `<component>-<node>` in kube-system on the node's network, owned by the Node. The
 * kubelet hashes the manifest into the pod's config.hash, which is also its mirror annotation.
 * None on k3s, whose control plane runs inside its binary.
 */
export function staticPods(lab: Lab): KubePod[] {
  const node = lab.nodes[0]
  if (node === undefined || !componentsRunAsPods(lab)) return []
  const seen = apiTime(lab, 0).replace(
    /Z$/,
    `.${hex(`${lab.scenario.cluster.seed}/seen`).replace(/\D/g, '').padEnd(9, '0').slice(0, 9)}Z`
  )
  const site = {
    ip: formatIpv4(node.ip),
    node: node.name,
    serviceCIDR: lab.scenario.cluster.serviceCIDR,
    podCIDR: lab.scenario.cluster.podCIDR
  }
  return components(lab, site).map((c) => {
    const name = `${c.name}-${node.name}`
    const key = `static/${name}`
    const hash = hex(`${lab.scenario.cluster.seed}/${key}/manifest`).slice(0, 32)
    return hostNetworkPod(lab, node, {
      name,
      namespace: 'kube-system',
      key,
      labels: { component: c.name, tier: 'control-plane' },
      container: {
        name: c.name,
        image: c.image,
        command: c.command.join(' '),
        manifest: { command: c.command },
        logs: c.logs
      },
      createdAt: 0,
      system: systemSpec({
        tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
        requests: { [c.name]: c.requests },
        annotations: {
          ...c.annotations,
          'kubernetes.io/config.hash': hash,
          'kubernetes.io/config.mirror': hash,
          'kubernetes.io/config.seen': seen,
          'kubernetes.io/config.source': 'file'
        },
        staticOn: node.name,
        hostPaths: c.hostPaths
      })
    })
  })
}
