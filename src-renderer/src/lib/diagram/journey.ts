import type { Hop, PacketView, Trace } from '../../../../src-main/core/engine/trace.ts'
import type { Diagram, TraceStory } from '../state/lab-workspace.ts'

/**
 * A trace on the drawing: for each kernel hop, where the packet is and which wires it crossed to
 * get there. The core places each hop on one device or wire (the story's placements); between two hops on
 * different devices the packet crossed the wire that joins them (a bridge port, a route), which
 * no hop names, so it is found here from the drawing's adjacency.
 */
export interface HopOnDiagram {
  seq: number
  leg: Hop['leg']
  /** Wires crossed to reach this hop, in order; empty while the packet stays in one device. */
  crossed: string[]
  /** The device the packet is in or is entering; undefined when the drawing has no place for it. */
  at: string | undefined
  /** Where the marker is drawn: on a device, or halfway along a wire. */
  marker: { device: string } | { wire: string } | null
  /**
   * The packet as last seen on this leg: a hop on the wire, or one waiting for ARP, carries no
   * packet of its own, yet the same frame is still travelling.
   */
  packet: PacketView | undefined
  /** The frame is a VXLAN datagram (outer headers around the pod's packet). */
  encapsulated: boolean
}

export function journeyOf(
  model: Diagram,
  trace: Trace,
  placements: TraceStory['placements']
): HopOnDiagram[] {
  const wires = new Map(model.wires.map((w) => [w.id, w]))
  const devices = new Set(model.devices.map((d) => d.id))
  const neighbours = new Map<string, { wire: string; other: string }[]>()
  for (const w of model.wires) {
    if (w.kind === 'vxlan-tunnel' || w.kind === 'direct-route') continue
    neighbours.set(w.a, [...(neighbours.get(w.a) ?? []), { wire: w.id, other: w.b }])
    neighbours.set(w.b, [...(neighbours.get(w.b) ?? []), { wire: w.id, other: w.a }])
  }

  /** The wires between two devices (at most three), breadth first in model order: deterministic. */
  function between(from: string, to: string): string[] {
    if (from === to) return []
    const seen = new Map<string, { wire: string; prev: string } | null>([[from, null]])
    let frontier = [from]
    for (let depth = 0; depth < 3 && frontier.length > 0; depth++) {
      const next: string[] = []
      for (const node of frontier) {
        for (const { wire, other } of neighbours.get(node) ?? []) {
          if (seen.has(other)) continue
          seen.set(other, { wire, prev: node })
          if (other === to) {
            const path: string[] = []
            for (let at = to; seen.get(at); at = seen.get(at)!.prev) path.unshift(seen.get(at)!.wire)
            return path
          }
          next.push(other)
        }
      }
      frontier = next
    }
    return []
  }

  let at: string | undefined
  const lastSeen = new Map<Hop['leg'], PacketView>()
  return trace.hops.map((hop, i) => {
    const placed = placements[i] ?? {}
    const own = hop.after ?? hop.before
    if (own) lastSeen.set(hop.leg, own)
    const packet = own ?? lastSeen.get(hop.leg)
    const encapsulated = packet?.inner !== undefined
    const crossed: string[] = []
    let marker: HopOnDiagram['marker'] = null
    if (placed.device !== undefined && devices.has(placed.device)) {
      if (at !== undefined) crossed.push(...between(at, placed.device))
      at = placed.device
      marker = { device: at }
    } else if (placed.wire !== undefined) {
      const route = placed.wires ?? [placed.wire]
      const first = wires.get(route[0] ?? '')
      // Coming from a device that is not this wire's end: the wires between count too.
      if (first && at !== undefined && at !== first.a && at !== first.b) {
        const toA = between(at, first.a)
        const toB = between(at, first.b)
        const via = toA.length === 0 || (toB.length > 0 && toB.length < toA.length) ? toB : toA
        crossed.push(...via.filter((w) => w !== first.id))
      }
      for (const w of route) if (!crossed.includes(w)) crossed.push(w)
      if (placed.tunnel && !crossed.includes(placed.tunnel)) crossed.push(placed.tunnel)
      const last = wires.get(route.at(-1) ?? '')
      if (last) {
        if (route.length > 1) at = last.a
        else if (last.kind === 'route') at = last.b
        else at = at === last.a ? last.b : last.a
      }
      marker = { wire: placed.tunnel ?? placed.wire }
    }
    return { seq: hop.seq, leg: hop.leg, crossed, at, marker, packet, encapsulated }
  })
}

/**
 * Wires travelled from hop `from` up to and including hop `index`, each with the legs that used
 * it. A whole TCP connection crosses every wire both ways many times; from the current segment's
 * first hop, the drawing shows that one segment's way.
 */
export function travelledUpTo(
  journey: HopOnDiagram[],
  index: number,
  from = 0
): Map<string, Set<Hop['leg']>> {
  const travelled = new Map<string, Set<Hop['leg']>>()
  for (const step of journey.slice(from, index + 1)) {
    for (const wire of step.crossed) {
      const legs = travelled.get(wire) ?? new Set<Hop['leg']>()
      legs.add(step.leg)
      travelled.set(wire, legs)
    }
  }
  return travelled
}

/** The wires the packet crossed most recently, up to hop `index`: the edge to emphasise. */
export function currentEdge(journey: HopOnDiagram[], index: number): { wires: string[]; leg: Hop['leg'] } {
  for (let i = Math.min(index, journey.length - 1); i >= 0; i--) {
    const step = journey[i]!
    if (step.crossed.length > 0) return { wires: step.crossed, leg: step.leg }
  }
  return { wires: [], leg: 'request' }
}
