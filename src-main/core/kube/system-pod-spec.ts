import type { KubePod, KubeToleration, SystemPodSpec } from './objects.ts'

/** The priority class kubeadm's and flannel's pods run at, and the priority admission gives it. */
export const SYSTEM_NODE_CRITICAL = { priorityClassName: 'system-node-critical', priority: 2000001000 }

/**
 * A DaemonSet pod's tolerations: its template's, then those the DaemonSet controller adds so
 * node conditions never evict or keep it off a node (AddOrUpdateDaemonPodTolerations), with
 * network-unavailable for a pod on the node's own network.
 */
export function daemonPodTolerations(template: readonly KubeToleration[]): KubeToleration[] {
  return [
    ...template,
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' }
  ]
}

/** A system pod's spec with nothing but what every such pod shares filled in. */
export function systemSpec(extra: Partial<SystemPodSpec>): SystemPodSpec {
  return {
    ...SYSTEM_NODE_CRITICAL,
    tolerations: [],
    nodeSelector: {},
    requests: {},
    annotations: {},
    hostPaths: [],
    ...extra
  }
}

/** The QoS class: requests without limits make a pod Burstable, none at all BestEffort. */
export const qosClass = (pod: KubePod): 'Burstable' | 'BestEffort' =>
  Object.values(pod.system?.requests ?? {}).some((r) => Object.keys(r).length > 0)
    ? 'Burstable'
    : 'BestEffort'

/** Tolerations as `kubectl describe` prints them (printTolerationsMultiline): sorted by key. */
export function tolerationLines(tolerations: readonly KubeToleration[]): string[] {
  const key = (t: KubeToleration): string => t.key ?? ''
  return [...tolerations]
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .map((t) => {
      const head = `${key(t)}${t.effect === undefined ? '' : `:${t.effect}`}`
      return `${head}${head === '' ? '' : ' '}op=Exists`
    })
}
