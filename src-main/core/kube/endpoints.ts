import { formatIpv4 } from '../net/ipv4.ts'
import type { Lab } from './lab.ts'
import type { KubeEndpoint, KubePod, KubeService, KubeServicePort } from './objects.ts'

export function selects(svc: KubeService, pod: KubePod): boolean {
  if (pod.namespace !== svc.namespace) return false
  let any = false
  for (const k in svc.selector) {
    if (pod.labels[k] !== svc.selector[k]) return false
    any = true
  }
  return any
}

/**
 * The port a pod serves a Service port on: the number, or the pod's container port carrying the
 * name. The EndpointSlice controller leaves out a pod that has no port of that name.
 */
export function targetPortOf(port: KubeServicePort, pod: KubePod): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort
  for (const c of pod.containers) if (c.portName === port.targetPort) return c.port
  return undefined
}

/**
 * Ready backends of one Service port, sorted by `ip:port` text as kube-proxy's endpoint cache
 * sorts them (so 10.244.1.10 comes before 10.244.1.2).
 */
export function endpointsOf(lab: Lab, svc: KubeService, port: KubeServicePort): KubeEndpoint[] {
  return svc.fixedEndpoints ?? sortedEndpoints(svc, port, lab.pods)
}

function sortedEndpoints(svc: KubeService, port: KubeServicePort, pods: readonly KubePod[]): KubeEndpoint[] {
  const out: { ep: KubeEndpoint; key: string }[] = []
  for (const pod of pods) {
    if (!pod.ready || !selects(svc, pod)) continue
    const target = targetPortOf(port, pod)
    if (target === undefined) continue
    const ep = { ip: pod.ip, port: target, pod: pod.name, node: pod.node }
    out.push({ ep, key: `${formatIpv4(ep.ip)}:${ep.port}` })
  }
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return out.map((o) => o.ep)
}

export type EndpointLookup = (svc: KubeService, port: KubeServicePort) => KubeEndpoint[]

/**
 * endpointsOf memoised for one sync: every node's proxy asks for the same Service ports. Pods are
 * indexed by each of their labels so that a Service only looks at the pods carrying its first
 * selector label instead of at every pod; the candidates keep lab.pods' order, so the result is
 * endpointsOf's exactly.
 */
export function endpointCache(lab: Lab): EndpointLookup {
  const cache = new Map<KubeServicePort, KubeEndpoint[]>()
  let byLabel: Map<string, KubePod[]> | undefined
  const labelKey = (namespace: string, k: string, v: string): string => `${namespace}\0${k}\0${v}`
  return (svc, port) => {
    if (svc.fixedEndpoints) return svc.fixedEndpoints
    let eps = cache.get(port)
    if (!eps) {
      if (!byLabel) {
        byLabel = new Map()
        for (const pod of lab.pods) {
          for (const k in pod.labels) {
            const key = labelKey(pod.namespace, k, pod.labels[k]!)
            const list = byLabel.get(key)
            if (list) list.push(pod)
            else byLabel.set(key, [pod])
          }
        }
      }
      let first: string | undefined
      for (const k in svc.selector) {
        first = k
        break
      }
      eps =
        first === undefined
          ? []
          : sortedEndpoints(
              svc,
              port,
              byLabel.get(labelKey(svc.namespace, first, svc.selector[first]!)) ?? []
            )
      cache.set(port, eps)
    }
    return eps
  }
}
