import { describe, expect, test } from 'vitest'
import { diagramSchema } from '../../src-main/api/diagram.ts'
import { diagramOf, type DiagramModel, type DiagramWire } from '../../src-main/core/diagram/model.ts'
import { labOf, run, scenarioFiles } from './diagram-fixture.ts'

/**
 * The diagram is the cluster as the packet view draws it: derived from the lab, never placed by
 * hand, so it changes when the learner changes the lab and is the same JSON every time otherwise.
 */

const wire = <K extends DiagramWire['kind']>(
  m: DiagramModel,
  id: string,
  kind: K
): DiagramWire & { kind: K } => {
  const w = m.wires.find((x) => x.id === id)
  if (!w || w.kind !== kind) throw new Error(`no ${kind} wire ${id}`)
  return w as DiagramWire & { kind: K }
}
const device = (m: DiagramModel, id: string): DiagramModel['devices'][number] => {
  const d = m.devices.find((x) => x.id === id)
  if (!d) throw new Error(`no device ${id}`)
  return d
}

describe('every course and fixture scenario has a well-formed, deterministic diagram', () => {
  for (const file of scenarioFiles) {
    test(file, () => {
      const model = diagramOf(labOf(file).lab)
      // Deterministic: the same lab read twice, and the scenario built again, give the same JSON.
      const json = JSON.stringify(model)
      expect(JSON.stringify(diagramOf(labOf(file).lab))).toBe(json)
      // What the contract sends, unchanged by its schema.
      expect(diagramSchema.parse(JSON.parse(json))).toEqual(JSON.parse(json))
      const ids = [...model.groups, ...model.devices, ...model.wires].map((x) => x.id)
      expect(new Set(ids).size).toBe(ids.length)
      const groups = new Set(model.groups.map((g) => g.id))
      const devices = new Set(model.devices.map((d) => d.id))
      for (const d of model.devices) expect(groups.has(d.group), d.id).toBe(true)
      for (const g of model.groups) if (g.kind === 'pod') expect(groups.has(g.parent), g.id).toBe(true)
      for (const w of model.wires) {
        expect(devices.has(w.a) && devices.has(w.b), w.id).toBe(true)
        if (w.kind === 'vxlan-tunnel' || w.kind === 'direct-route')
          for (const r of w.rides) expect(model.wires.find((x) => x.id === r)?.kind, r).toBe('underlay')
      }
      // Every pod with its own network namespace has its veth pair, its bridge port and its routes.
      for (const g of model.groups) {
        if (g.kind !== 'pod' || g.hostNetwork) continue
        const nic = device(model, `${g.label}/eth0`)
        expect(nic.kind).toBe('pod-nic')
        const veth = wire(model, `veth:${nic.id}`, 'veth')
        expect(device(model, veth.b).kind).toBe('veth-host')
        expect(wire(model, `bridge-port:${veth.b}`, 'bridge-port').b).toMatch(/\/cni0$/)
        expect(wire(model, `route:${nic.id}`, 'route').a).toBe(g.label)
      }
      // Pairs of nodes are joined by a tunnel (VXLAN) or a direct route (host-gw), never both.
      const nodes = model.groups.filter((g) => g.kind === 'node').length
      expect(model.wires.filter((w) => w.kind === 'vxlan-tunnel' || w.kind === 'direct-route')).toHaveLength(
        (nodes * (nodes - 1)) / 2
      )
    })
  }
})

test('the two-node VXLAN cluster: devices, wires and the tunnel riding the underlay', () => {
  const model = diagramOf(labOf('test/fixtures/scenarios/two-node-vxlan.yaml').lab)
  expect(model.cluster).toEqual({
    cni: 'vxlan',
    directRouting: false,
    proxyMode: 'iptables',
    nodeProxyModes: { 'node-1': 'iptables', 'node-2': 'iptables' },
    podCIDR: '10.244.0.0/16',
    serviceCIDR: '10.96.0.0/12'
  })
  expect(model.groups.map((g) => g.id)).toEqual([
    'node:node-1',
    'pod:client',
    'pod:web-1',
    'pod:web-2',
    'node:node-2',
    'pod:web-3',
    'segment:underlay',
    'external:laptop'
  ])
  expect(model.devices.filter((d) => d.group === 'node:node-1').map((d) => `${d.kind} ${d.id}`))
    .toMatchInlineSnapshot(`
    [
      "routing node-1",
      "nic node-1/eth0",
      "vtep node-1/flannel.1",
      "bridge node-1/cni0",
      "veth-host node-1/vetheb1d87a6",
      "veth-host node-1/vethd3d3c66e",
      "veth-host node-1/veth72fa1515",
    ]
  `)
  expect(device(model, 'node-1')).toMatchObject({
    ipForward: true,
    bridgeNfCallIptables: true,
    addresses: ['192.168.56.11/24', '10.244.1.0/32', '10.244.1.1/24']
  })
  expect(device(model, 'client/eth0')).toMatchObject({ kind: 'pod-nic', peer: 'node-1/vetheb1d87a6' })
  expect(device(model, 'gateway')).toMatchObject({
    kind: 'router',
    group: 'segment:underlay',
    ipForward: false
  })
  expect(device(model, 'switch:underlay')).toMatchObject({ kind: 'segment', group: 'segment:underlay' })
  expect(wire(model, 'route:node-1/flannel.1', 'route').routes).toEqual([
    '10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink'
  ])
  expect(wire(model, 'vxlan-tunnel:node-1/flannel.1~node-2/flannel.1', 'vxlan-tunnel')).toEqual({
    id: 'vxlan-tunnel:node-1/flannel.1~node-2/flannel.1',
    kind: 'vxlan-tunnel',
    a: 'node-1/flannel.1',
    b: 'node-2/flannel.1',
    up: true,
    vni: 1,
    port: 8472,
    rides: ['underlay:node-1/eth0', 'underlay:node-2/eth0'],
    fromA: { route: true, neigh: true, fdb: true },
    fromB: { route: true, neigh: true, fdb: true }
  })
  expect(model.wires.filter((w) => w.kind === 'underlay').map((w) => w.a)).toEqual([
    'gateway/eth0',
    'node-1/eth0',
    'node-2/eth0',
    'laptop/eth0'
  ])
})

test('Services are badges, not devices: rules on every node, with their endpoints', () => {
  const { lab, shell } = labOf('test/fixtures/scenarios/two-node-vxlan.yaml')
  const before = diagramOf(lab)
  expect(before.devices.some((d) => d.id.startsWith('svc/'))).toBe(false)
  expect(before.services.find((s) => s.name === 'web')).toEqual({
    id: 'svc/default/web',
    name: 'web',
    namespace: 'default',
    type: 'ClusterIP',
    clusterIP: '10.96.0.100',
    ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    endpoints: [
      { pod: 'web-1', node: 'node-1', ip: '10.244.1.3', port: 8080 },
      { pod: 'web-2', node: 'node-1', ip: '10.244.1.4', port: 8080 },
      { pod: 'web-3', node: 'node-2', ip: '10.244.2.2', port: 8080 }
    ],
    externalTrafficPolicy: 'Cluster',
    proxyMode: 'iptables',
    programmedOn: ['node-1', 'node-2']
  })
  // A Service without endpoints is still programmed: a REJECT rule in filter KUBE-SERVICES.
  expect(before.services.find((s) => s.name === 'empty-svc')?.programmedOn).toEqual(['node-1', 'node-2'])
  run(shell, 'node-1', 'iptables -t nat -F KUBE-SERVICES')
  expect(diagramOf(lab).services.find((s) => s.name === 'web')?.programmedOn).toEqual(['node-2'])
})

test.each([
  ['test/fixtures/scenarios/two-node-ipvs.yaml', 'ipvs'],
  ['test/fixtures/scenarios/two-node-nftables.yaml', 'nftables']
] as const)('%s: the ClusterIP is programmed on every node in %s mode', (file, mode) => {
  const model = diagramOf(labOf(file).lab)
  expect(model.cluster.proxyMode).toBe(mode)
  for (const svc of model.services) expect(svc.programmedOn, svc.name).toEqual(['node-1', 'node-2'])
  // kube-ipvs0 holds every ClusterIP in IPVS mode; it is not drawn and its addresses are not the stack's.
  expect(model.devices.some((d) => d.id.endsWith('/kube-ipvs0'))).toBe(false)
  expect(model.devices.find((d) => d.id === 'node-1')?.addresses.some((a) => a.startsWith('10.96.'))).toBe(
    false
  )
})

test('host-gw joins the nodes with direct routes over the underlay, and has no VTEP', () => {
  const model = diagramOf(labOf('test/fixtures/scenarios/two-node-host-gw.yaml').lab)
  expect(model.devices.some((d) => d.kind === 'vtep')).toBe(false)
  expect(model.wires.find((w) => w.kind === 'direct-route')).toEqual({
    id: 'direct-route:node-1/eth0~node-2/eth0',
    kind: 'direct-route',
    a: 'node-1/eth0',
    b: 'node-2/eth0',
    up: true,
    rides: ['underlay:node-1/eth0', 'underlay:node-2/eth0'],
    fromA: { route: true },
    fromB: { route: true }
  })
  expect(wire(model, 'route:node-1/eth0', 'route').routes).toContain(
    '10.244.2.0/24 via 192.168.56.12 dev eth0'
  )
})

test('what a learner breaks shows on the drawing: a bridge down, a lost FDB entry, a deleted route, bridge-nf off', () => {
  const tour = labOf('lessons/00-tour/scenario.yaml')
  run(tour.shell, 'node-1', 'ip link set cni0 down')
  const down = diagramOf(tour.lab)
  expect(device(down, 'node-1/cni0').up).toBe(false)
  expect(
    down.wires.filter((w) => w.kind === 'bridge-port' && w.b === 'node-1/cni0').map((w) => w.up)
  ).toEqual([false, false])
  expect(wire(down, 'route:node-1/cni0', 'route').up).toBe(false)

  // Lesson 06 starts with node-2's FDB entry for node-1's VTEP deleted: one direction of the tunnel.
  const oneWay = diagramOf(labOf('lessons/06-lab-one-way/scenario.yaml').lab)
  const tunnel = oneWay.wires.find((w) => w.kind === 'vxlan-tunnel')
  expect(tunnel).toMatchObject({
    a: 'node-1/flannel.1',
    b: 'node-2/flannel.1',
    fromA: { route: true, neigh: true, fdb: true },
    fromB: { route: true, neigh: true, fdb: false }
  })

  // The final exam starts with node-1's route to node-2's pods deleted.
  const exam = diagramOf(labOf('lessons/99-final-exam/scenario.yaml').lab)
  const examTunnel = exam.wires.find((w) => w.kind === 'vxlan-tunnel' && w.a === 'node-1/flannel.1')
  expect(examTunnel).toMatchObject({ fromA: { route: false, neigh: true, fdb: true } })

  const bridgeNf = diagramOf(labOf('lessons/07-lab-bridge-nf/scenario.yaml').lab)
  expect(device(bridgeNf, 'node-1').bridgeNfCallIptables).toBe(false)
  expect(device(bridgeNf, 'node-2').bridgeNfCallIptables).toBe(true)
})
