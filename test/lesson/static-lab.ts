import type { LabFacts, LinkFacts, NeighbourFacts, TraceFacts } from '../../src-main/core/lesson/lab-facts.ts'
import type { TraceSpec } from '../../src-main/core/lesson/lesson.schema.ts'

/** Lab state as plain data, for driving machines and predicates in unit tests. */
export interface LabState {
  links?: Record<string, 'up' | 'down'>
  pods?: string[]
  fdb?: Record<string, { mac: string; dst?: string }[]>
  devices?: Record<string, LinkFacts>
  neighbours?: Record<string, NeighbourFacts[]>
  routes?: Record<string, { destination: string; via?: string }[]>
  sysctl?: Record<string, Record<string, string>>
  endpoints?: Record<string, { ip: string; port: number }[]>
}

export function staticFacts(state: LabState): LabFacts {
  return {
    linkState: (id) => state.links?.[id],
    podExists: (pod) => (state.pods ?? []).includes(pod),
    fdbEntries: (device) => state.fdb?.[device],
    link: (id) => state.devices?.[id],
    neighbours: (device) => state.neighbours?.[device],
    routes: (host) => state.routes?.[host],
    sysctl: (host, key) => state.sysctl?.[host]?.[key],
    iptablesRules: () => undefined,
    endpoints: (service) => state.endpoints?.[service]
  }
}

/** The tour lab's relevant state at the start. */
export const TOUR_START: LabState = {
  links: { 'node-1/cni0': 'up', 'node-2/cni0': 'up' },
  pods: ['client', 'web-1', 'web-2']
}

export function traceFacts(
  spec: Partial<TraceSpec> & { from: string; to: string },
  rest: Omit<TraceFacts, 'spec'>
): TraceFacts {
  return { spec: { protocol: 'icmp', ...spec }, ...rest }
}

/** A client → web-2 ping as the engine reports it: routed twice, so it arrives with TTL 62. */
export const CROSS_NODE_PING = traceFacts(
  { from: 'client', to: '10.244.2.2' },
  {
    verdict: 'delivered',
    arrivingTtl: 62,
    hops: [
      { device: 'client/eth0', stage: 'link-xmit' },
      { device: 'node-1/cni0', stage: 'route-lookup' },
      { device: 'node-1/flannel.1', stage: 'vxlan-encap' },
      { device: 'node-1/eth0', stage: 'link-xmit' },
      { device: 'node-2/eth0', stage: 'link-recv' },
      { device: 'node-2/flannel.1', stage: 'vxlan-decap' },
      { device: 'node-2/cni0', stage: 'bridge-forward' },
      { device: 'web-2/eth0', stage: 'local-deliver' }
    ]
  }
)
