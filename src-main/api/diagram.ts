import { z } from 'zod'
import type { DiagramModel } from '../core/diagram/model.ts'

/**
 * The cluster as the packet view draws it (`lab:diagram`, `sandbox:diagram`): devices, the wires
 * between them and the groups they sit in, derived by the core's `diagramOf` (see
 * core/diagram/model.ts for the ids and what each field means). Services are badges, not devices.
 */

const groupSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    id: z.string(),
    kind: z.literal('node'),
    label: z.string(),
    ip: z.string(),
    podCIDR: z.string()
  }),
  z.strictObject({
    id: z.string(),
    kind: z.literal('pod'),
    label: z.string(),
    /** The node group the pod sits in. */
    parent: z.string(),
    namespace: z.string(),
    ip: z.string(),
    hostNetwork: z.boolean()
  }),
  z.strictObject({
    id: z.string(),
    kind: z.literal('segment'),
    label: z.string(),
    cidr: z.string(),
    gateway: z.string().optional()
  }),
  z.strictObject({ id: z.string(), kind: z.literal('external'), label: z.string(), ip: z.string() })
])

const deviceSchema = z.strictObject({
  /** A link's path id (`node-1/cni0`), a namespace id for its stack (`node-1`), or `switch:<segment>`. */
  id: z.string(),
  kind: z.enum([
    'pod',
    'pod-nic',
    'veth-host',
    'bridge',
    'vtep',
    'nic',
    'routing',
    'router',
    'host',
    'segment'
  ]),
  label: z.string(),
  group: z.string(),
  up: z.boolean(),
  addresses: z.array(z.string()),
  mac: z.string().optional(),
  mtu: z.number().optional(),
  /** veth ends: the other end's id. */
  peer: z.string().optional(),
  ipForward: z.boolean().optional(),
  bridgeNfCallIptables: z.boolean().optional()
})

const wireBase = { id: z.string(), a: z.string(), b: z.string(), up: z.boolean() }
const tunnelProgramming = z.strictObject({ route: z.boolean(), neigh: z.boolean(), fdb: z.boolean() })

const wireSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...wireBase, kind: z.literal('veth') }),
  z.strictObject({ ...wireBase, kind: z.literal('bridge-port'), hairpin: z.boolean() }),
  /** `routes`: the main-table routes out of the device, as `ip route` prints them. */
  z.strictObject({ ...wireBase, kind: z.literal('route'), routes: z.array(z.string()) }),
  z.strictObject({ ...wireBase, kind: z.literal('underlay') }),
  z.strictObject({
    ...wireBase,
    kind: z.literal('vxlan-tunnel'),
    vni: z.number(),
    port: z.number(),
    /** The underlay wires the tunnel rides on. */
    rides: z.array(z.string()),
    fromA: tunnelProgramming,
    fromB: tunnelProgramming
  }),
  z.strictObject({
    ...wireBase,
    kind: z.literal('direct-route'),
    rides: z.array(z.string()),
    fromA: z.strictObject({ route: z.boolean() }),
    fromB: z.strictObject({ route: z.boolean() })
  })
])

const serviceSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  namespace: z.string(),
  type: z.enum(['ClusterIP', 'NodePort']),
  clusterIP: z.string(),
  ports: z.array(
    z.strictObject({
      name: z.string().optional(),
      port: z.number(),
      targetPort: z.union([z.number(), z.string()]),
      protocol: z.enum(['TCP', 'UDP']),
      nodePort: z.number().optional()
    })
  ),
  endpoints: z.array(z.strictObject({ pod: z.string(), node: z.string(), ip: z.string(), port: z.number() })),
  externalTrafficPolicy: z.enum(['Cluster', 'Local']),
  proxyMode: z.enum(['iptables', 'ipvs', 'nftables']),
  /** Nodes whose kube-proxy rules hold the ClusterIP now: where the UI badges the Service. */
  programmedOn: z.array(z.string())
})

export const diagramSchema = z.strictObject({
  cluster: z.strictObject({
    cni: z.enum(['vxlan', 'host-gw', 'none']),
    directRouting: z.boolean(),
    proxyMode: z.enum(['iptables', 'ipvs', 'nftables']),
    /** Each node's kube-proxy mode: the cluster's unless the scenario gives a node its own. */
    nodeProxyModes: z.record(z.string(), z.enum(['iptables', 'ipvs', 'nftables'])),
    podCIDR: z.string(),
    serviceCIDR: z.string()
  }),
  groups: z.array(groupSchema),
  devices: z.array(deviceSchema),
  wires: z.array(wireSchema),
  services: z.array(serviceSchema)
})
export type Diagram = z.output<typeof diagramSchema>

/** The schema and the core's type describe the same JSON: each is assignable to the other. */
type SchemaMatchesCore = [
  Diagram extends DiagramModel ? true : never,
  DiagramModel extends Diagram ? true : never
]
const _schemaMatchesCore: SchemaMatchesCore = [true, true]
