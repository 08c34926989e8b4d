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
 * Ready backends of one Service port, sorted by `ip:port` text as kube-proxy's endpoint cache
 * sorts them (so 10.244.1.10 comes before 10.244.1.2).
 */
export function endpointsOf(lab: Lab, svc: KubeService, port: KubeServicePort): KubeEndpoint[] {
  const out: { ep: KubeEndpoint; key: string }[] = []
  for (const pod of lab.pods) {
    if (!pod.ready || !selects(svc, pod)) continue
    const ep = { ip: pod.ip, port: port.targetPort, pod: pod.name, node: pod.node }
    out.push({ ep, key: `${formatIpv4(ep.ip)}:${ep.port}` })
  }
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return out.map((o) => o.ep)
}

export type EndpointLookup = (svc: KubeService, port: KubeServicePort) => KubeEndpoint[]

/** endpointsOf memoised for one sync: every node's proxy asks for the same Service ports. */
export function endpointCache(lab: Lab): EndpointLookup {
  const cache = new Map<KubeServicePort, KubeEndpoint[]>()
  return (svc, port) => {
    let eps = cache.get(port)
    if (!eps) {
      eps = endpointsOf(lab, svc, port)
      cache.set(port, eps)
    }
    return eps
  }
}
