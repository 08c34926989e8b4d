import type { DropReason, Hop, PacketView, Trace } from '../engine/trace.ts'
import type { DiagramModel, DiagramWire } from './model.ts'

/**
 * Where a kernel hop happens on the drawing: on a device, or on a wire. Exactly one of `device`
 * and `wire` is set.
 * - `wires`: every wire the hop crosses, in order, when it is more than one (a frame crossing the
 *   underlay goes down the sender's wire to the switch and up the receiver's).
 * - `tunnel`: for a frame on the underlay that carries VXLAN, the tunnel wire it travels in.
 */
export interface Placement {
  device?: string
  wire?: string
  wires?: string[]
  tunnel?: string
}

interface ModelIndex {
  devices: Set<string>
  wires: Set<string>
  /** Device id → wire id, per wire kind the placement needs. */
  veth: Map<string, string>
  route: Map<string, string>
  underlay: Map<string, string>
  /** `<netns a>|<netns b>` (either order) → tunnel wire id. */
  tunnel: Map<string, string>
}

const indexes = new WeakMap<DiagramModel, ModelIndex>()

/** Drops the namespace's stack decides (the hop may name the link the packet came in on). */
export const STACK_DROPS: ReadonlySet<DropReason> = new Set<DropReason>([
  'no-route',
  'netfilter-drop',
  'netfilter-reject',
  'ip-forward-disabled',
  'upstream-no-route',
  'ttl-exceeded',
  'no-socket',
  'martian',
  'ct-invalid',
  'ct-table-full',
  'loop'
])

const netnsOf = (deviceId: string): string => deviceId.slice(0, deviceId.indexOf('/'))

function indexOf(model: DiagramModel): ModelIndex {
  let ix = indexes.get(model)
  if (ix) return ix
  ix = {
    devices: new Set(model.devices.map((d) => d.id)),
    wires: new Set(model.wires.map((w) => w.id)),
    veth: new Map(),
    route: new Map(),
    underlay: new Map(),
    tunnel: new Map()
  }
  const both = (m: Map<string, string>, w: DiagramWire): void => {
    m.set(w.a, w.id)
    m.set(w.b, w.id)
  }
  for (const w of model.wires) {
    if (w.kind === 'veth') both(ix.veth, w)
    else if (w.kind === 'route') ix.route.set(w.b, w.id)
    else if (w.kind === 'underlay') ix.underlay.set(w.a, w.id)
    else if (w.kind === 'vxlan-tunnel') {
      ix.tunnel.set(`${netnsOf(w.a)}|${netnsOf(w.b)}`, w.id)
      ix.tunnel.set(`${netnsOf(w.b)}|${netnsOf(w.a)}`, w.id)
    }
  }
  indexes.set(model, ix)
  return ix
}

/**
 * The device or wire a hop happens on.
 * - `veth-cross`: the veth wire; `wire`: the underlay wires (and the tunnel when `packet`, the
 *   frame on the wire, is VXLAN);
 * - `ip-forward`: the route wire from the stack to the output device (the routing decision
 *   taken); `local-deliver`: the receiving stack;
 * - hops on a drawn link (link-recv/xmit, neighbour and ARP, bridge, VXLAN encap/decap, MTU, a
 *   drop the device decides: link down, no carrier, ARP failed, MTU, no FDB entry…): that device;
 * - hops of the namespace itself (route lookups, every netfilter hook, IPVS, sockets, answers,
 *   drops the stack decides) and hops on links the drawing leaves out (lo, kube-ipvs0): the
 *   namespace's stack.
 */
export function placeHop(model: DiagramModel, hop: Hop, packet?: PacketView): Placement {
  const ix = indexOf(model)
  const stack: Placement = { device: hop.netns }
  const own = hop.device === undefined ? undefined : `${hop.netns}/${hop.device}`
  const device = own !== undefined && ix.devices.has(own) ? own : undefined
  switch (hop.stage) {
    case 'veth-cross': {
      const wire = device === undefined ? undefined : ix.veth.get(device)
      if (wire) return { wire }
      break
    }
    case 'wire': {
      const wire = device === undefined ? undefined : ix.underlay.get(device)
      if (!wire) break
      const detail = hop.detail as Record<string, unknown> | undefined
      const to = typeof detail?.['to'] === 'string' ? detail['to'] : undefined
      const far = to === undefined ? undefined : ix.underlay.get(to)
      const out: Placement = { wire }
      if (far) out.wires = [wire, far]
      if (packet?.vxlan && to !== undefined) {
        const tunnel = ix.tunnel.get(`${hop.netns}|${netnsOf(to)}`)
        if (tunnel) out.tunnel = tunnel
      }
      return out
    }
    case 'ip-forward': {
      if (hop.drop !== undefined || device === undefined) return stack
      const wire = ix.route.get(device)
      return wire ? { wire } : { device }
    }
    case 'local-deliver':
      return stack
  }
  if (hop.drop !== undefined && STACK_DROPS.has(hop.drop)) return stack
  return device !== undefined ? { device } : stack
}

/** The innermost packet of a view: what VXLAN carries, or the view itself. */
export function innermost(p: PacketView): PacketView {
  let v = p
  while (v.inner) v = v.inner
  return v
}

/** Every hop of a trace placed, with the frame each wire crossing carries. */
export function placeTrace(model: DiagramModel, trace: Trace): Placement[] {
  let last: PacketView | undefined
  return trace.hops.map((hop) => {
    const placed = placeHop(model, hop, last)
    last = hop.after ?? hop.before ?? last
    return placed
  })
}

/** Whether the model has a device with this id. */
export function hasDevice(model: DiagramModel, id: string): boolean {
  return indexOf(model).devices.has(id)
}

/** Whether a placement names something the model has. */
export function placementExists(model: DiagramModel, p: Placement): boolean {
  const { devices, wires } = indexOf(model)
  if (p.device !== undefined) return devices.has(p.device) && p.wire === undefined
  if (p.wire === undefined || !wires.has(p.wire)) return false
  return (p.wires ?? []).every((w) => wires.has(w)) && (p.tunnel === undefined || wires.has(p.tunnel))
}
