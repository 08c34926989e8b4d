import type { Diagram } from '../state/lab-workspace.ts'

/**
 * Where every device, wire and box of the cluster drawing goes. The structure is fixed — inside a
 * node a packet goes pod → veth → cni0 → routing → flannel.1 or eth0 → underlay — so the layout is
 * a few tiers per node region, regions side by side, the underlay bus under them with the VXLAN
 * tunnels riding just above it. Deterministic (same model, same options, same numbers), cheap
 * (linear in the devices), and sized from the text it has to hold, in units of the font size, so
 * a larger text size makes a larger drawing rather than smaller letters.
 */

type Group = Diagram['groups'][number]
type Device = Diagram['devices'][number]
type Wire = Diagram['wires'][number]
type Service = Diagram['services'][number]

export interface Point {
  x: number
  y: number
}

export interface Box {
  x: number
  y: number
  w: number
  h: number
}

export interface LaidDevice extends Box {
  id: string
  kind: Device['kind']
  label: string
  /** A second line: the address, or what a stack does. */
  sub?: string
  up: boolean
  /** Opens the object's live state; the underlay's switch and gateway have none to show. */
  interactive: boolean
  /** One line (ports, the bridge) or two (boxes). */
  lines: 1 | 2
}

export interface LaidGroup extends Box {
  id: string
  kind: Group['kind']
  label: string
  sub?: string
}

export interface LaidWire {
  id: string
  kind: Wire['kind']
  a: string
  b: string
  up: boolean
  points: Point[]
}

/** kube-proxy's rules on one node: a badge beside its routing box, never a box traffic passes. */
export interface LaidRules extends Box {
  node: string
  services: Service[]
}

/** Pods a node region does not draw, as a "+N" box the learner can open. */
export interface LaidCollapsed extends Box {
  node: string
  count: number
}

export interface DiagramLayout {
  width: number
  height: number
  /** Font size of the drawing, in its own units. */
  font: number
  devices: LaidDevice[]
  groups: LaidGroup[]
  wires: LaidWire[]
  rules: LaidRules[]
  collapsed: LaidCollapsed[]
  /** The underlay's line and its label. */
  bus: { y: number; x1: number; x2: number; label: string } | null
  /** The underlay's gateway, drawn small on the bus's right end. */
  gateway: (Box & { label: string }) | null
  byId: Map<string, LaidDevice>
  wireById: Map<string, LaidWire>
}

export interface LayoutOptions {
  /** Font size in drawing units (the app's text size is folded in by the caller). */
  font: number
  /** Pods drawn per node before the rest fold into a "+N" box. */
  podsPerNode: number
  /** Pods always drawn (those the packet visits), whatever the cap. */
  keepPods: ReadonlySet<string>
  /** Nodes whose pods are all drawn (the learner opened their "+N" box). */
  openNodes: ReadonlySet<string>
  /** Localised words the drawing shows. */
  words: { routing: string; rules: (count: number) => string; underlay: (cidr: string) => string }
}

/** Rough advance of a string in the drawing's monospace font: CJK glyphs are square, the rest 0.62 em. */
export function textWidth(text: string, font: number): number {
  let width = 0
  for (const ch of text) width += /[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]/.test(ch) ? font : font * 0.62
  return width
}

/** The default cap on pods per node, so five nodes of six pods still fit a pane. */
export function podsPerNode(nodes: number): number {
  return nodes <= 2 ? 5 : nodes === 3 ? 4 : nodes === 4 ? 3 : 2
}

/** The user-timing entry every layout leaves: DevTools shows it on its Timings track, the bench reads it. */
const layoutMeasureName = 'podnet:diagram-layout'

export function layoutDiagram(model: Diagram, options: LayoutOptions): DiagramLayout {
  const start = performance.now()
  const layout = computeLayout(model, options)
  performance.measure(layoutMeasureName, {
    start,
    detail: { groups: model.groups.length, devices: model.devices.length }
  })
  return layout
}

function computeLayout(model: Diagram, options: LayoutOptions): DiagramLayout {
  const F = options.font
  const pad = 0.6 * F
  const lineH = 1.3 * F
  const iconW = 1.4 * F
  /** Room at a box's right edge for the packet marker, so it never covers the label. */
  const markerRoom = 0.9 * F
  const pillH = lineH + 0.3 * F
  const boxH = 2 * lineH + 0.5 * F
  const tierGap = 0.8 * F
  /** Between a pod's eth0 and its veth peer on the bridge: long enough to see the pair's wire. */
  const vethGap = 1.1 * F
  /** Between the bridge and the stack: rewrites (DNAT, un-DNAT) show there as badges. */
  const badgeGap = 2.1 * F
  const regionGap = 1.6 * F
  const margin = 0.8 * F
  /** Above and below the drawing: its height is what a shell beside it gives up. */
  const marginY = 0.4 * F

  const devices: LaidDevice[] = []
  const groups: LaidGroup[] = []
  const rules: LaidRules[] = []
  const collapsed: LaidCollapsed[] = []
  const byId = new Map<string, LaidDevice>()
  const devicesOf = new Map<string, Device[]>()
  for (const d of model.devices) devicesOf.set(d.group, [...(devicesOf.get(d.group) ?? []), d])
  const deviceById = new Map(model.devices.map((d) => [d.id, d]))

  const first = (addresses: string[]): string | undefined => addresses[0]
  const boxWidth = (label: string, sub?: string): number =>
    Math.max(textWidth(label, F) + iconW, sub ? textWidth(sub, F * 0.85) : 0) + 2 * pad + markerRoom
  /** Ports are short labels in a pill; the margin keeps the marker (on the corner) off the text. */
  const pillWidth = (label: string): number => textWidth(label, F * 0.9) + 1.8 * F

  function place(device: Device, box: Box, lines: 1 | 2, sub?: string, interactive = true): LaidDevice {
    const laid: LaidDevice = {
      ...box,
      id: device.id,
      kind: device.kind,
      label: device.label,
      up: device.up,
      interactive,
      lines
    }
    if (sub !== undefined) laid.sub = sub
    devices.push(laid)
    byId.set(device.id, laid)
    return laid
  }

  const nodes = model.groups.filter((g): g is Extract<Group, { kind: 'node' }> => g.kind === 'node')
  const pods = model.groups.filter((g): g is Extract<Group, { kind: 'pod' }> => g.kind === 'pod')
  const regionTop = marginY
  let x = margin
  let regionsBottom = regionTop

  for (const node of nodes) {
    const own = devicesOf.get(node.id) ?? []
    const stack = own.find((d) => d.kind === 'routing')
    const bridge = own.find((d) => d.kind === 'bridge')
    const vtep = own.find((d) => d.kind === 'vtep')
    const nic = own.find((d) => d.kind === 'nic')
    const hostVeths = own.filter((d) => d.kind === 'veth-host')
    const nodePods = pods.filter((p) => p.parent === node.id)
    const cap = options.openNodes.has(node.label) ? Infinity : options.podsPerNode
    const shown = nodePods.filter((p, i) => i < cap || options.keepPods.has(p.label))
    const hidden = nodePods.length - shown.length

    // One slot per drawn pod, wide enough for the pod box and the veth under it.
    interface Slot {
      pod: (typeof pods)[number]
      stack?: Device
      nic?: Device
      veth?: Device
      w: number
      podW: number
    }
    const slots: Slot[] = shown.map((pod) => {
      const inPod = devicesOf.get(pod.id) ?? []
      const podStack = inPod.find((d) => d.kind === 'pod')
      const podNic = inPod.find((d) => d.kind === 'pod-nic')
      const veth = podNic?.peer ? deviceById.get(podNic.peer) : undefined
      const podW = boxWidth(pod.label, pod.ip)
      const w = Math.max(podW, veth ? pillWidth(veth.label) : 0, podNic ? pillWidth(podNic.label) : 0)
      const slot: Slot = { pod, w, podW }
      if (podStack) slot.stack = podStack
      if (podNic) slot.nic = podNic
      if (veth) slot.veth = veth
      return slot
    })
    const claimed = new Set(slots.map((s) => s.veth?.id))
    // veths no drawn pod claims: a hidden pod's are left out, a learner's own are drawn alone.
    const hiddenPodNics = new Set(
      nodePods
        .filter((p) => !shown.includes(p))
        .flatMap((p) => (devicesOf.get(p.id) ?? []).map((d) => d.peer))
    )
    const looseVeths = hostVeths.filter((v) => !claimed.has(v.id) && !hiddenPodNics.has(v.id))
    const collapsedW = hidden > 0 ? textWidth(`+${hidden}`, F) + 2 * pad + iconW : 0
    const podsRowW =
      slots.reduce((sum, s) => sum + s.w, 0) +
      looseVeths.reduce((sum, v) => sum + pillWidth(v.label), 0) +
      collapsedW +
      Math.max(0, slots.length + looseVeths.length + (hidden > 0 ? 1 : 0) - 1) * F

    const routingSub = options.words.routing
    const stackW = stack
      ? textWidth(stack.label, F) + F + textWidth(routingSub, F * 0.85) + iconW + 2 * pad + markerRoom
      : 0
    const svc = model.services.filter((s) => s.programmedOn.includes(node.label))
    const rulesText = svc.length > 0 ? options.words.rules(svc.length) : ''
    const rulesW = svc.length > 0 ? textWidth(rulesText, F * 0.85) + 2.2 * F : 0
    const vtepSub = vtep ? first(vtep.addresses) : undefined
    const nicSub = nic ? first(nic.addresses) : undefined
    const vtepW = vtep ? boxWidth(vtep.label, vtepSub) : 0
    const nicW = nic ? boxWidth(nic.label, nicSub) : 0
    const bridgeLabel = bridge
      ? `${bridge.label}${bridge.addresses[0] ? `  ${bridge.addresses[0]}` : ''}`
      : ''
    const bridgeMin = bridge ? textWidth(bridgeLabel, F) + iconW + 2 * pad + markerRoom : 0
    const headerSub = `${node.ip} · ${node.podCIDR}`
    const headerW =
      textWidth(node.label, F) + F + textWidth(headerSub, F * 0.85) + (rulesW > 0 ? rulesW + F : 0)
    const innerW = Math.max(
      podsRowW,
      stackW,
      vtepW + nicW + (vtep && nic ? 2 * F : 0),
      bridgeMin,
      headerW,
      8 * F
    )
    const regionW = innerW + 2 * pad
    const left = x + pad
    const centre = x + regionW / 2

    // Tier 1: pods (their eth0 sits on the box's lower edge); their veth peers stand on the bridge,
    // being its ports, clear of its name.
    const headerH = lineH + 0.5 * F
    const podsY = regionTop + headerH + 0.3 * F
    // A pod box keeps its address clear of the eth0 port sitting on its lower edge.
    const podH = boxH + 0.6 * F
    const podsBottom = podsY + podH
    const vethY = podsBottom + pillH / 2 + vethGap
    const bridgeY = vethY + pillH
    let px = left + (innerW - podsRowW) / 2
    /** Each port's centre and half width: the bridge spans them all. */
    const ports: { centre: number; half: number }[] = []
    for (const slot of slots) {
      const cx = px + slot.w / 2
      ports.push({ centre: cx, half: slot.veth ? pillWidth(slot.veth.label) / 2 : 0 })
      groups.push({
        id: slot.pod.id,
        kind: 'pod',
        label: slot.pod.label,
        sub: slot.pod.ip,
        x: cx - slot.podW / 2,
        y: podsY,
        w: slot.podW,
        h: podH
      })
      if (slot.stack)
        place(slot.stack, { x: cx - slot.podW / 2, y: podsY, w: slot.podW, h: podH }, 2, slot.pod.ip)
      if (slot.nic) {
        const w = pillWidth(slot.nic.label)
        place(slot.nic, { x: cx - w / 2, y: podsBottom - pillH / 2, w, h: pillH }, 1)
      }
      if (slot.veth) {
        const w = pillWidth(slot.veth.label)
        place(slot.veth, { x: cx - w / 2, y: vethY, w, h: pillH }, 1)
      }
      px += slot.w + F
    }
    for (const veth of looseVeths) {
      const w = pillWidth(veth.label)
      place(veth, { x: px, y: vethY, w, h: pillH }, 1)
      ports.push({ centre: px + w / 2, half: w / 2 })
      px += w + F
    }
    if (hidden > 0) {
      collapsed.push({ node: node.label, count: hidden, x: px, y: podsY, w: collapsedW, h: podH })
    }

    // Tier 2: the bridge, spanning every port.
    const bridgeH = lineH + 0.6 * F
    if (bridge) {
      const spanLeft = Math.min(
        ...ports.map((p) => p.centre - Math.max(p.half, F) - 0.5 * F),
        centre - bridgeMin / 2
      )
      const spanRight = Math.max(
        ...ports.map((p) => p.centre + Math.max(p.half, F) + 0.5 * F),
        centre + bridgeMin / 2
      )
      const bx = Math.max(left, spanLeft)
      const bw = Math.min(left + innerW, spanRight) - bx
      place(bridge, { x: bx, y: bridgeY, w: Math.max(bw, bridgeMin), h: bridgeH }, 1, bridge.addresses[0])
    }

    // Tier 3: the node's stack (routing, netfilter, conntrack), with kube-proxy's rules beside it.
    const stackY = bridgeY + bridgeH + badgeGap
    if (stack) place(stack, { x: centre - stackW / 2, y: stackY, w: stackW, h: bridgeH }, 1, routingSub)
    if (svc.length > 0)
      rules.push({
        node: node.label,
        services: svc,
        x: x + regionW - pad - rulesW,
        y: regionTop + (headerH - pillH) / 2 + 0.1 * F,
        w: rulesW,
        h: pillH
      })

    // Tier 4: the VTEP and the NIC, side by side under the stack.
    const lowY = stackY + bridgeH + tierGap
    if (vtep && nic) {
      const pairW = vtepW + nicW + 2 * F
      place(vtep, { x: centre - pairW / 2, y: lowY, w: vtepW, h: boxH }, 2, vtepSub)
      place(nic, { x: centre + pairW / 2 - nicW, y: lowY, w: nicW, h: boxH }, 2, nicSub)
    } else if (nic) {
      place(nic, { x: centre - nicW / 2, y: lowY, w: nicW, h: boxH }, 2, nicSub)
    } else if (vtep) {
      place(vtep, { x: centre - vtepW / 2, y: lowY, w: vtepW, h: boxH }, 2, vtepSub)
    }
    const regionH = lowY + boxH + pad - regionTop
    groups.push({
      id: node.id,
      kind: 'node',
      label: node.label,
      sub: headerSub,
      x,
      y: regionTop,
      w: regionW,
      h: regionH
    })
    regionsBottom = Math.max(regionsBottom, regionTop + regionH)
    x += regionW + regionGap
  }

  // The underlay: tunnel lanes just under the regions, then the bus, then what hangs below it.
  const overlay = model.wires.filter((w) => w.kind === 'vxlan-tunnel' || w.kind === 'direct-route')
  const laneStep = 0.55 * F
  const laneTop = regionsBottom + 0.7 * F
  const busY = laneTop + overlay.length * laneStep + 0.7 * F
  const segment = model.groups.find((g): g is Extract<Group, { kind: 'segment' }> => g.kind === 'segment')
  // Below the bus, after its label: external hosts, one line each, their eth0 on the upper edge.
  const busLabel = segment ? options.words.underlay(segment.cidr) : ''
  const hangY = busY + 1.5 * F
  const hostH = lineH + 0.6 * F
  let hx = margin + textWidth(busLabel, F * 0.85) + 1.5 * F
  let hangBottom = busY + 2 * F
  for (const ext of model.groups.filter((g) => g.kind === 'external')) {
    const own = devicesOf.get(ext.id) ?? []
    const host = own.find((d) => d.kind === 'host')
    const port = own.find((d) => d.kind === 'nic')
    if (!host || ext.kind !== 'external') continue
    const pw = port ? pillWidth(port.label) : 0
    const w = textWidth(`${ext.label}  ${ext.ip}`, F) + iconW + 2 * pad + pw + F
    place(host, { x: hx, y: hangY, w, h: hostH }, 1, ext.ip)
    if (port) place(port, { x: hx + w - pw - 0.5 * F, y: hangY - pillH / 2, w: pw, h: pillH }, 1)
    hx += w + regionGap
    hangBottom = Math.max(hangBottom, hangY + hostH)
  }
  const regionsRight = x - regionGap
  let busRight = Math.max(regionsRight, hx - regionGap)
  let gateway: DiagramLayout['gateway'] = null
  if (segment) {
    const gwDevices = devicesOf.get(segment.id) ?? []
    const router = gwDevices.find((d) => d.kind === 'router')
    const gwPort = gwDevices.find((d) => d.kind === 'nic')
    if (router) {
      // The gateway is a router glyph on the bus's left end, under the first node's VTEP, where
      // no NIC drops to the bus: on most paths it is only the default route.
      const label = `${router.label} ${segment.gateway ?? ''}`.trim()
      const w = textWidth(label, F * 0.85) + 2.4 * F
      const gx = margin
      place(router, { x: gx, y: busY - 0.8 * F, w, h: 1.6 * F }, 1, segment.gateway, false)
      if (gwPort) place(gwPort, { x: gx, y: busY - 0.8 * F, w: 1.6 * F, h: 1.6 * F }, 1, undefined, false)
      gateway = { x: gx, y: busY - 0.8 * F, w, h: 1.6 * F, label }
    }
    const sw = gwDevices.find((d) => d.kind === 'segment')
    if (sw) place(sw, { x: margin, y: busY - 0.3 * F, w: busRight - margin, h: 0.6 * F }, 1, undefined, false)
  }
  busRight = Math.max(busRight, margin + 10 * F)
  const width = busRight + margin
  const bus = segment
    ? {
        y: busY,
        x1: margin,
        x2: busRight,
        label: busLabel
      }
    : null

  // Wires, as orthogonal polylines between the devices' edges.
  const wires: LaidWire[] = []
  const centreX = (b: Box): number => b.x + b.w / 2
  const bottom = (b: Box): number => b.y + b.h
  let lane = 0
  for (const wire of model.wires) {
    const a = byId.get(wire.a)
    const b = byId.get(wire.b)
    const points = routeWire(wire, a, b)
    if (points) wires.push({ id: wire.id, kind: wire.kind, a: wire.a, b: wire.b, up: wire.up, points })
  }

  function routeWire(wire: Wire, a: LaidDevice | undefined, b: LaidDevice | undefined): Point[] | null {
    switch (wire.kind) {
      case 'veth': {
        // Pod eth0 (on the pod's edge) down to the host veth.
        if (!a || !b) return null
        const [upper, lower] = a.y < b.y ? [a, b] : [b, a]
        return [
          { x: centreX(upper), y: bottom(upper) },
          { x: centreX(lower), y: lower.y }
        ]
      }
      case 'bridge-port': {
        if (!a || !b) return null
        return [
          { x: centreX(a), y: bottom(a) },
          { x: centreX(a), y: b.y }
        ]
      }
      case 'route': {
        if (!a || !b) return null
        if (a.kind === 'pod' || a.kind === 'router' || a.kind === 'host') {
          // A stack's own NIC sits on its box's edge: the wire is the short way between them.
          const y1 = b.y < a.y ? bottom(b) : b.y
          const y2 = b.y < a.y ? a.y : bottom(a)
          if (Math.abs(y2 - y1) < 1)
            return [
              { x: centreX(b), y: b.y + b.h / 2 },
              { x: centreX(b), y: b.y + b.h / 2 }
            ]
          return [
            { x: centreX(b), y: y1 },
            { x: centreX(b), y: y2 }
          ]
        }
        if (b.y < a.y) {
          // Up to the bridge, straight above the stack.
          const wx = Math.min(Math.max(centreX(a), b.x + F), b.x + b.w - F)
          return [
            { x: wx, y: a.y },
            { x: wx, y: bottom(b) }
          ]
        }
        // Down to the VTEP or the NIC: out of the stack's lower edge, across, down.
        const tx = centreX(b)
        const sx = Math.min(Math.max(tx, a.x + F), a.x + a.w - F)
        const midY = (bottom(a) + b.y) / 2
        return sx === tx
          ? [
              { x: sx, y: bottom(a) },
              { x: tx, y: b.y }
            ]
          : [
              { x: sx, y: bottom(a) },
              { x: sx, y: midY },
              { x: tx, y: midY },
              { x: tx, y: b.y }
            ]
      }
      case 'underlay': {
        if (!a) return null
        if (a.y > busY)
          return [
            { x: centreX(a), y: a.y },
            { x: centreX(a), y: busY }
          ]
        return [
          { x: centreX(a), y: bottom(a) },
          { x: centreX(a), y: busY }
        ]
      }
      case 'vxlan-tunnel':
      case 'direct-route': {
        // A pipe from one end down to its lane above the bus, along it, and up to the other end.
        if (!a || !b) return null
        const y = laneTop + lane * laneStep
        lane += 1
        return [
          { x: centreX(a), y: bottom(a) },
          { x: centreX(a), y },
          { x: centreX(b), y },
          { x: centreX(b), y: bottom(b) }
        ]
      }
    }
  }

  const height = hangBottom + marginY
  return {
    width,
    height,
    font: F,
    devices,
    groups,
    wires,
    rules,
    collapsed,
    bus,
    gateway,
    byId,
    wireById: new Map(wires.map((w) => [w.id, w]))
  }
}

/** A polyline's length and the point halfway along it, where a packet on that wire is drawn. */
export function midpoint(points: Point[]): Point {
  const lengths = points.slice(1).map((p, i) => Math.hypot(p.x - points[i]!.x, p.y - points[i]!.y))
  let half = lengths.reduce((s, l) => s + l, 0) / 2
  for (let i = 0; i < lengths.length; i++) {
    const l = lengths[i]!
    if (half <= l && l > 0) {
      const p = points[i]!
      const q = points[i + 1]!
      return { x: p.x + ((q.x - p.x) * half) / l, y: p.y + ((q.y - p.y) * half) / l }
    }
    half -= l
  }
  return points[0] ?? { x: 0, y: 0 }
}

/** The same polyline moved `d` units to its right (miter joins), for drawing the reply beside the request. */
export function offsetPolyline(points: Point[], d: number): Point[] {
  if (points.length < 2 || d === 0) return points
  const normals = points.slice(1).map((q, i) => {
    const p = points[i]!
    const len = Math.hypot(q.x - p.x, q.y - p.y) || 1
    return { x: -(q.y - p.y) / len, y: (q.x - p.x) / len }
  })
  return points.map((p, i) => {
    const n1 = normals[Math.max(0, i - 1)]!
    const n2 = normals[Math.min(normals.length - 1, i)]!
    const nx = n1.x + n2.x
    const ny = n1.y + n2.y
    const dot = nx * n1.x + ny * n1.y || 1
    return { x: p.x + (nx * d) / dot, y: p.y + (ny * d) / dot }
  })
}

export function pathOf(points: Point[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ')
}
