import { hex, randomSuffix } from './api-objects.ts'
import { hostNetworkPod } from './host-network-pod.ts'
import { klogLine } from './klog.ts'
import { componentsRunAsPods, type Lab } from './lab.ts'
import type { KubeEnvVar, KubeInitContainer, KubePod, KubeVolume, KubeVolumeMount } from './objects.ts'
import { daemonPodTolerations, systemSpec } from './system-pod-spec.ts'

/** Where kube-flannel.yml puts flanneld: one hostNetwork pod per node of this DaemonSet. */
export const FLANNEL_NAMESPACE = 'kube-flannel'
/** The labels kube-flannel.yml gives its namespace: flanneld's pods need privileged pod security. */
export const FLANNEL_NAMESPACE_LABELS = {
  'k8s-app': 'flannel',
  'pod-security.kubernetes.io/enforce': 'privileged'
}
export const FLANNEL_DS = 'kube-flannel-ds'
export const FLANNEL_IMAGE = 'docker.io/flannel/flannel:v0.25.6'
const CNI_PLUGIN_IMAGE = 'docker.io/flannel/flannel-cni-plugin:v1.5.1-flannel2'
/** kube-flannel.yml's DaemonSet selector; its pod template adds `tier: node`. */
export const FLANNEL_SELECTOR = { app: 'flannel', 'k8s-app': 'flannel' }
/** kube-flannel.yml tolerates NoSchedule taints only, and requests a little CPU and memory. */
export const FLANNEL_TOLERATIONS = [{ effect: 'NoSchedule' as const, operator: 'Exists' as const }]
export const FLANNEL_REQUESTS = { cpu: '100m', memory: '50Mi' }

/** kube-flannel.yml's env for flanneld, until `kubectl set env` changes it. */
const FLANNEL_ENV: readonly KubeEnvVar[] = [
  { name: 'POD_NAME', fieldPath: 'metadata.name' },
  { name: 'POD_NAMESPACE', fieldPath: 'metadata.namespace' },
  { name: 'EVENT_QUEUE_DEPTH', value: '5000' }
]

export function flannelEnv(lab: Lab): KubeEnvVar[] {
  return [...(lab.flannelEnv ?? FLANNEL_ENV)]
}

/** kube-flannel.yml's volumes: flanneld's run directory and config, the CNI directories, the xtables lock. */
const FLANNEL_VOLUMES: KubeVolume[] = [
  { name: 'run', hostPath: { path: '/run/flannel', type: '' } },
  { name: 'cni-plugin', hostPath: { path: '/opt/cni/bin', type: '' } },
  { name: 'cni', hostPath: { path: '/etc/cni/net.d', type: '' } },
  { name: 'flannel-cfg', configMap: 'kube-flannel-cfg' },
  { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } }
]
const FLANNELD_MOUNTS: KubeVolumeMount[] = [
  { name: 'run', mountPath: '/run/flannel' },
  { name: 'flannel-cfg', mountPath: '/etc/kube-flannel/' },
  { name: 'xtables-lock', mountPath: '/run/xtables.lock' }
]

/**
 * kube-flannel.yml's init containers, which copy the flannel CNI plugin onto the node and then
 * the CNI config from its ConfigMap, silently, before flanneld starts.
 */
function installCni(key: string, startedAt: number): KubeInitContainer[] {
  const init = (
    name: string,
    image: string,
    args: string[],
    mounts: KubeVolumeMount[]
  ): KubeInitContainer => ({
    name,
    image,
    id: hex(`${key}/${name}`),
    command: ['cp'],
    args,
    mounts,
    logs: [],
    startedAt
  })
  return [
    init(
      'install-cni-plugin',
      CNI_PLUGIN_IMAGE,
      ['-f', '/flannel', '/opt/cni/bin/flannel'],
      [{ name: 'cni-plugin', mountPath: '/opt/cni/bin' }]
    ),
    init(
      'install-cni',
      FLANNEL_IMAGE,
      ['-f', '/etc/kube-flannel/cni-conf.json', '/etc/cni/net.d/10-flannel.conflist'],
      [
        { name: 'cni', mountPath: '/etc/cni/net.d' },
        { name: 'flannel-cfg', mountPath: '/etc/kube-flannel/' }
      ]
    )
  ]
}

/** The kubelet's crash-loop back-off: 10 s doubling up to five minutes (MaxContainerBackOff). */
const BACKOFF_START_MS = 10_000
const BACKOFF_MAX_MS = 300_000

/**
 * Restarts of a container that exits as soon as it starts, `elapsedMs` after its first start,
 * and when the last one began: the first restart is immediate, each later one waits out the
 * back-off.
 */
function crashLoop(elapsedMs: number): { restarts: number; lastStartMs: number } {
  let restarts = 1
  let at = 0
  let wait = BACKOFF_START_MS
  while (at + wait <= elapsedMs) {
    at += wait
    restarts++
    wait = Math.min(wait * 2, BACKOFF_MAX_MS)
  }
  return { restarts, lastStartMs: at }
}

/**
 * flanneld's last words when no interface matches its `--iface` (main's lookup loop, then its
 * exit): the lookup's error, then the fatal line.
 */
function lookupFailureLogs(lab: Lab, iface: string, error: string, atMs: number): string[] {
  return [
    klogLine(lab, 'I', atMs, 'main.go:213', `Could not find valid interface matching ${iface}: ${error}`),
    klogLine(
      lab,
      'E',
      atMs,
      'main.go:237',
      'Failed to find interface to use that matches the interfaces and/or regexes provided'
    )
  ]
}

/**
 * The flannel DaemonSet's pods as the apiserver lists them, derived from the lab: one per node,
 * named per template generation (a rollout replaces them), crash-looping on the nodes where
 * flanneld found no interface at its start. None when the cluster runs no flannel, or runs it
 * inside k3s.
 */
export function flannelPods(lab: Lab): KubePod[] {
  if (lab.scenario.cluster.cni.backend === 'none' || !componentsRunAsPods(lab)) return []
  const ds = lab.flannelDs ?? { generation: 1, rolledAtMs: 0, crashing: [] }
  const now = lab.clock.nowMs
  return lab.nodes.map((node) => {
    const key = `${FLANNEL_DS}/${ds.generation}/${node.name}`
    const name = `${FLANNEL_DS}-${randomSuffix(`${lab.scenario.cluster.seed}/${key}`)}`
    const crash = ds.crashing.find((c) => c.node === node.name)
    const loop = crashLoop(now - ds.rolledAtMs)
    const iface = lab.scenario.cluster.cni.iface
    const args = ['--ip-masq', '--kube-subnet-mgr', ...(iface === undefined ? [] : [`--iface=${iface}`])]
    const pod = hostNetworkPod(lab, node, {
      name,
      namespace: FLANNEL_NAMESPACE,
      key,
      daemonSet: FLANNEL_DS,
      labels: {
        app: 'flannel',
        'controller-revision-hash': randomSuffix(
          `${lab.scenario.cluster.seed}/${FLANNEL_DS}/${ds.generation}`
        ),
        'k8s-app': 'flannel',
        'pod-template-generation': String(ds.generation),
        tier: 'node'
      },
      container: {
        name: 'kube-flannel',
        image: FLANNEL_IMAGE,
        command: ['/opt/bin/flanneld', ...args].join(' '),
        manifest: { command: ['/opt/bin/flanneld'], args },
        env: flannelEnv(lab),
        logs: crash
          ? lookupFailureLogs(
              lab,
              lab.flannelIface ?? lab.scenario.cluster.cni.iface ?? '',
              crash.error,
              ds.rolledAtMs + loop.lastStartMs
            )
          : [],
        ...(crash ? { state: 'CrashLoopBackOff', restartCount: loop.restarts } : {})
      },
      createdAt: ds.rolledAtMs,
      system: systemSpec({
        serviceAccount: 'flannel',
        tolerations: daemonPodTolerations(FLANNEL_TOLERATIONS),
        requests: { 'kube-flannel': { ...FLANNEL_REQUESTS } },
        volumes: FLANNEL_VOLUMES,
        mounts: { 'kube-flannel': FLANNELD_MOUNTS }
      })
    })
    return { ...pod, initContainers: installCni(key, ds.rolledAtMs) }
  })
}
