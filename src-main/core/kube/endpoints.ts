import { formatIpv4 } from '../net/ipv4.ts'
import { sliceEndpoints } from './endpoint-slices.ts'
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
  return svc.fixedEndpoints ?? sortedEndpoints(lab, svc, port, lab.pods)
}

/** The selector's ready pods and the endpoints of slices written for the Service, together. */
function sortedEndpoints(
  lab: Lab,
  svc: KubeService,
  port: KubeServicePort,
  pods: readonly KubePod[]
): KubeEndpoint[] {
  const out: { ep: KubeEndpoint; key: string }[] = []
  for (const pod of pods) {
    if (!pod.ready || !selects(svc, pod)) continue
    const target = targetPortOf(port, pod)
    if (target === undefined) continue
    const ep = { ip: pod.ip, port: target, pod: pod.name, node: pod.node }
    out.push({ ep, key: `${formatIpv4(ep.ip)}:${ep.port}` })
  }
  if (lab.endpointSlices.length > 0)
    for (const ep of sliceEndpoints(lab, svc, port)) out.push({ ep, key: `${formatIpv4(ep.ip)}:${ep.port}` })
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
      eps = sortedEndpoints(
        lab,
        svc,
        port,
        first === undefined ? [] : (byLabel.get(labelKey(svc.namespace, first, svc.selector[first]!)) ?? [])
      )
      cache.set(port, eps)
    }
    return eps
  }
}

/** One address of a headless Service as CoreDNS reads it from the EndpointSlice. */
export interface HeadlessAddress {
  ip: string
  /** The endpoint's hostname: the pod's own when its subdomain names the Service, else the dashed IP. */
  hostname: string
}

/**
 * The ready pods behind a headless Service, each once whatever its ports: CoreDNS answers the
 * Service name with all of them. A Service without ports still gets its pods listed, since the
 * EndpointSlice controller writes a slice with no ports for it.
 */
export function headlessAddresses(lab: Lab, svc: KubeService): HeadlessAddress[] {
  const dashed = (ip: string): string => ip.replaceAll('.', '-')
  if (svc.fixedEndpoints) {
    const ips = [...new Set(svc.fixedEndpoints.map((e) => formatIpv4(e.ip)))]
    return ips.map((ip) => ({ ip, hostname: dashed(ip) }))
  }
  const out: HeadlessAddress[] = []
  for (const pod of lab.pods) {
    if (!pod.ready || !selects(svc, pod)) continue
    if (svc.ports.length > 0 && svc.ports.every((p) => targetPortOf(p, pod) === undefined)) continue
    const ip = formatIpv4(pod.ip)
    const own = pod.hostname !== undefined && pod.subdomain === svc.name
    out.push({ ip, hostname: own ? pod.hostname! : dashed(ip) })
  }
  for (const port of svc.ports)
    for (const e of sliceEndpoints(lab, svc, port)) {
      const ip = formatIpv4(e.ip)
      if (!out.some((a) => a.ip === ip)) out.push({ ip, hostname: dashed(ip) })
    }
  return out
}
