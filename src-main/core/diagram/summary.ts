import type {
  DropReason,
  Hop,
  NetfilterDetail,
  PacketView,
  RouteDetail,
  RuleHit,
  Trace
} from '../engine/trace.ts'
import type { DiagramModel } from './model.ts'
import { hasDevice, innermost, placeHop, STACK_DROPS, type Placement } from './place.ts'
import { tcpSegmentsOf, type TcpSegment } from './segments.ts'

/**
 * The device-level story of a trace: a dozen rows where the trace has seventy kernel hops. Each
 * row is one thing a device did to the packet — sent it, routed it, rewrote it, wrapped it,
 * bridged it, delivered or dropped it — as a code with parameters, never prose: the renderer and
 * the CLI put it into words. Rows cover the trace's hops in order, each hop exactly once, so the
 * UI can expand any row into the kernel hops behind it.
 */

/** `ip` for ICMP, `ip:port` for TCP and UDP. */
type Address = string

/** Who rewrote an address: a rule (iptables, nftables), IPVS, or conntrack replaying a rewrite. */
export type NatBy = 'iptables' | 'nftables' | 'ipvs' | 'conntrack'

export interface NatRule {
  hook?: NetfilterDetail['hook']
  /** The chain of the rule that rewrote (`KUBE-SEP-…`, an nftables `endpoint-…` chain). */
  chain?: string
  /** The rule as iptables-save (or nft) prints it. */
  rule?: string
  /** Its object id, e.g. `node-1/iptables/nat/KUBE-SEP-…/2`. */
  ruleId?: string
}

export type TraceEvent =
  /** A stack put a new packet on its way (the request, the reply, an ICMP error). */
  | {
      kind: 'sent'
      by: string
      from: Address
      to: Address
      proto: 'icmp' | 'tcp' | 'udp'
      ttl: number
      icmp?: { type: number; code: number }
      tcpFlags?: string
    }
  /** A node forwarded the packet between two of its devices. */
  | {
      kind: 'routed'
      /** Device it came in on (cni0 for frames a bridge passed up); absent when not seen. */
      from?: string
      to: string
      ttlBefore: number
      ttlAfter: number
      /** The route that matched, as `ip route` prints it. */
      route?: string
      via?: string
    }
  /** A bridge switched a frame from one port to another. */
  | {
      kind: 'bridged'
      bridge: string
      from?: string
      to?: string
      /** `miss`: the destination MAC was unknown and the frame was flooded. */
      fdb: 'hit' | 'miss'
      /** iptables saw the bridged frame (br_netfilter, bridge-nf-call-iptables=1). */
      brNetfilter: boolean
    }
  /** Destination rewritten: a Service's DNAT (or IPVS), or conntrack repeating it. */
  | ({ kind: 'dnat'; from: Address; to: Address; by: NatBy; scheduler?: string } & NatRule)
  /** Source rewritten to a fixed address (SNAT) or the outgoing interface's (MASQUERADE). */
  | ({ kind: 'snat' | 'masquerade'; from: Address; to: Address; by: NatBy } & NatRule)
  /** A reply's source restored by conntrack: the reverse of the request's DNAT. */
  | { kind: 'undnat'; from: Address; to: Address; by: 'conntrack' }
  /** A reply's destination restored by conntrack: the reverse of the request's SNAT/MASQUERADE. */
  | { kind: 'unsnat'; from: Address; to: Address; by: 'conntrack' }
  | {
      kind: 'encap'
      vtep: string
      vni: number
      outerSrc: string
      outerDst: string
      srcPort: number
      port: number
    }
  | { kind: 'decap'; vtep: string; vni: number; outerSrc: string; outerDst: string }
  /** Local delivery to a stack; `socket` when a process listens, `answer` what the kernel or app sent back. */
  | {
      kind: 'delivered'
      to: string
      socket?: { proto: string; port: number; process: string; app: string }
      answer?: 'echo-reply' | 'syn-ack' | 'rst' | 'port-unreachable'
    }
  /** The packet died; `rule` when a netfilter rule (or a chain's policy) decided. */
  | ({ kind: 'dropped'; reason: DropReason } & Omit<NatRule, 'hook'>)
  /** IPVS has the virtual service but no real server: it answers port unreachable. */
  | { kind: 'no-endpoints'; service: string; by: 'ipvs' }

export interface ArpResolution {
  /** The device that asked. */
  device: string
  ip: string
  mac: string
  /** The device that answered. */
  answeredBy?: string
}

export interface SummaryRow {
  leg: Hop['leg']
  /** Which packet of the exchange (0 the request, 1 its answer, 2 an error about the answer …). */
  packet: number
  /** The device that acted: a stack (`node-1`, `client`), a VTEP, a bridge. */
  device: string
  /** Where on the drawing the row's deciding hop happens (needs the model; else the device). */
  at: Placement
  event: TraceEvent
  /** First and last kernel hop (`seq`) of the row; rows are contiguous and cover every hop once. */
  hops: [number, number]
  /**
   * The packet as the row found it (as the packet's previous row left it) and as the row left it;
   * whole views, outer headers included while tunnelled, so the pair shows everything the row did.
   */
  headers: { before?: PacketView; after?: PacketView }
  /** ARP exchanges the row waited for (cached neighbours are not listed). */
  arp?: ArpResolution[]
}

export interface TraceSummary {
  rows: SummaryRow[]
  /** A TCP trace's segments in the order sent, each covering the rows of its hops; else empty. */
  segments: TcpSegment[]
}

type Phase = 'input' | 'output' | 'terminal'
interface Anchor {
  seq: number
  phase: Phase
  event: TraceEvent
  /** A conntrack rewrite no hop records: it happened just before its hop. */
  implicit?: true
}

/** Stages that create a new packet: their `after` is not the packet being followed. */
const ANSWER_STAGES = new Set<Hop['stage']>(['icmp-reply', 'tcp-reply', 'icmp-error', 'socket-send'])
/** Stages that carry a frame on from a transmit: part of whatever sent it. */
const CARRY_STAGES = new Set<Hop['stage']>(['bridge-forward', 'bridge-flood', 'veth-cross', 'wire'])

const detailOf = (h: Hop): Record<string, unknown> => (h.detail ?? {}) as Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

function address(p: PacketView, which: 'src' | 'dst'): Address {
  const ip = p.ip?.[which] ?? ''
  const l4 = p.l4
  if (!l4 || l4.kind === 'icmp') return ip
  return `${ip}:${which === 'src' ? l4.sport : l4.dport}`
}

/** The hit that ended a netfilter traversal with DROP or REJECT (or the policy that did). */
function terminalHit(d: NetfilterDetail): RuleHit | undefined {
  for (let i = d.hits.length - 1; i >= 0; i--) {
    const t = d.hits[i]!.target.toUpperCase()
    if (t === 'DROP' || t === 'REJECT') return d.hits[i]
  }
  return d.hits[d.hits.length - 1]
}

/** The hit that applied a NAT (target DNAT, SNAT, MASQUERADE; lower case in nftables). */
function natHit(d: NetfilterDetail): RuleHit | undefined {
  const kind = d.nat?.kind
  if (!kind) return undefined
  for (let i = d.hits.length - 1; i >= 0; i--) if (d.hits[i]!.target.toUpperCase() === kind) return d.hits[i]
  return undefined
}

function ruleOf(hit: RuleHit | undefined): Omit<NatRule, 'hook'> {
  if (!hit) return {}
  return { chain: hit.chain, rule: hit.text, ruleId: hit.id }
}

const isNetfilter = (h: Hop): h is Hop & { detail: NetfilterDetail } => h.stage === 'netfilter' && !!h.detail
const isBlocking = (h: Hop): boolean =>
  isNetfilter(h) && (h.detail.verdict === 'DROP' || h.detail.verdict === 'REJECT')

/**
 * Whether each hop begins a new packet of the exchange: the leg changes (request, answer, an
 * error), or a connection's next TCP segment starts on the same leg.
 */
function packetStartsOf(hops: readonly Hop[], segments: readonly TcpSegment[]): boolean[] {
  const segmentStarts = new Set(segments.map((s) => s.hops[0]))
  return hops.map((h, i) => i === 0 || hops[i - 1]!.leg !== h.leg || segmentStarts.has(h.seq))
}

/** Runs of hops in one namespace of one packet: where one device-level story happens. */
function visitsOf(hops: readonly Hop[], packetStart: readonly boolean[]): [number, number][] {
  const out: [number, number][] = []
  let start = 0
  for (let i = 1; i <= hops.length; i++) {
    const a = hops[i - 1]!
    const b = hops[i]
    if (!b || b.netns !== a.netns || packetStart[i]) {
      out.push([start, i - 1])
      start = i
    }
  }
  return out
}

/** The packet a hop's before or after shows, for following rewrites; undefined when it is not the followed packet. */
function flowView(h: Hop, side: 'before' | 'after'): PacketView | undefined {
  const v = h[side]
  if (!v?.ip) return undefined
  if (side === 'after' && ANSWER_STAGES.has(h.stage)) return undefined
  if (side === 'before' && h.stage === 'socket-send') return undefined
  return innermost(v)
}

interface Rewrite {
  /** Hop index where the old headers were last seen, and where the new ones were first seen. */
  last: number
  seen: number
  src?: [Address, Address]
  dst?: [Address, Address]
}

/**
 * Address rewrites the trace shows but no hop claims: conntrack's un-DNAT of a reply (after
 * POSTROUTING), its un-SNAT (before PREROUTING), and the same rewrites of later packets of a
 * connection. Found by following the packet's addresses from view to view.
 */
function implicitRewrites(hops: readonly Hop[], packetStart: readonly boolean[]): Rewrite[] {
  const out: Rewrite[] = []
  let prev: { view: PacketView; at: number } | undefined
  for (let i = 0; i < hops.length; i++) {
    const h = hops[i]!
    if (packetStart[i]) prev = undefined
    for (const side of ['before', 'after'] as const) {
      const view = flowView(h, side)
      if (!view) continue
      const explicit =
        side === 'after' &&
        ((isNetfilter(h) && h.detail.nat !== undefined) ||
          (h.stage === 'ipvs' && str(detailOf(h)['realServer']) !== 'none'))
      if (prev && !explicit) {
        const r: Rewrite = { last: prev.at, seen: i }
        const [os, ns] = [address(prev.view, 'src'), address(view, 'src')]
        const [od, nd] = [address(prev.view, 'dst'), address(view, 'dst')]
        if (os !== ns) r.src = [os, ns]
        if (od !== nd) r.dst = [od, nd]
        if (r.src || r.dst) out.push(r)
      }
      prev = { view, at: i }
    }
  }
  return out
}

function sentEvent(
  hops: readonly Hop[],
  packetStart: readonly boolean[],
  i: number,
  trace: Trace
): TraceEvent {
  const h = hops[i]!
  let view: PacketView | undefined
  for (let j = i; j < hops.length && (j === i || !packetStart[j]) && !view; j++) {
    view = flowView(hops[j]!, 'before') ?? flowView(hops[j]!, 'after')
  }
  if (!view) {
    return { kind: 'sent', by: h.netns, from: '', to: trace.probe.to, proto: trace.probe.proto, ttl: 64 }
  }
  const l4 = view.l4
  return {
    kind: 'sent',
    by: h.netns,
    from: address(view, 'src'),
    to: address(view, 'dst'),
    proto: view.ip!.protocol,
    ttl: view.ip!.ttl,
    ...(l4?.kind === 'icmp' ? { icmp: { type: l4.type, code: l4.code } } : {}),
    ...(l4?.kind === 'tcp' ? { tcpFlags: l4.flags } : {})
  }
}

/** The explicit anchor of a hop: the device-level event it is, if any. */
function anchorOf(
  hops: readonly Hop[],
  packetStart: readonly boolean[],
  i: number,
  visitStart: number,
  trace: Trace
): Anchor | undefined {
  const h = hops[i]!
  const inVisit = (pred: (x: Hop) => boolean): Hop | undefined => {
    for (let j = i - 1; j >= visitStart; j--) if (pred(hops[j]!)) return hops[j]
    return undefined
  }
  if (packetStart[i] && h.drop === undefined)
    return { seq: i, phase: 'output', event: sentEvent(hops, packetStart, i, trace) }
  const dropped = (reason: DropReason, rule: Omit<NatRule, 'hook'> = {}): Anchor => ({
    seq: i,
    phase: 'terminal',
    event: { kind: 'dropped', reason, ...rule }
  })
  switch (h.stage) {
    case 'netfilter': {
      if (!isNetfilter(h)) return undefined
      const d = h.detail
      if (d.verdict === 'DROP' || d.verdict === 'REJECT') {
        const next = hops[i + 1]
        const reason =
          next?.netns === h.netns && next.stage === 'drop' && next.drop
            ? next.drop
            : d.verdict === 'REJECT'
              ? 'netfilter-reject'
              : 'netfilter-drop'
        return dropped(reason, ruleOf(terminalHit(d)))
      }
      if (!d.nat || !h.before || !h.after) return undefined
      const by: NatBy = d.table.startsWith('nft ') ? 'nftables' : 'iptables'
      const hit = natHit(d)
      const rule: NatRule = { hook: d.hook, ...ruleOf(hit) }
      const before = innermost(h.before)
      const after = innermost(h.after)
      if (d.nat.kind === 'DNAT')
        return {
          seq: i,
          phase: 'input',
          event: { kind: 'dnat', from: address(before, 'dst'), to: address(after, 'dst'), by, ...rule }
        }
      return {
        seq: i,
        phase: 'output',
        event: {
          kind: d.nat.kind === 'SNAT' ? 'snat' : 'masquerade',
          from: address(before, 'src'),
          to: address(after, 'src'),
          by,
          ...rule
        }
      }
    }
    case 'ipvs': {
      if (h.drop) return dropped(h.drop)
      const d = detailOf(h)
      const service = str(d['service']) ?? ''
      if (str(d['realServer']) === 'none' || !h.before || !h.after)
        return { seq: i, phase: 'terminal', event: { kind: 'no-endpoints', service, by: 'ipvs' } }
      return {
        seq: i,
        phase: 'output',
        event: {
          kind: 'dnat',
          from: address(innermost(h.before), 'dst'),
          to: address(innermost(h.after), 'dst'),
          by: 'ipvs',
          ...(str(d['scheduler']) ? { scheduler: str(d['scheduler']) } : {})
        }
      }
    }
    case 'ip-forward': {
      if (h.drop) return dropped(h.drop)
      const route = inVisit((x) => x.stage === 'route-lookup')
      const rd = route?.detail as RouteDetail | undefined
      const ingress = inVisit(
        (x) =>
          x.stage === 'bridge-local' ||
          x.stage === 'vxlan-decap' ||
          (x.stage === 'link-recv' && !isPort(hops, x, i))
      )
      return {
        seq: i,
        phase: 'output',
        event: {
          kind: 'routed',
          ...(ingress?.device !== undefined ? { from: `${h.netns}/${ingress.device}` } : {}),
          to: `${h.netns}/${h.device ?? ''}`,
          ttlBefore: h.before?.ip?.ttl ?? 0,
          ttlAfter: h.after?.ip?.ttl ?? 0,
          ...(rd?.route !== undefined ? { route: rd.route } : {}),
          ...(rd?.gateway !== undefined ? { via: rd.gateway } : {})
        }
      }
    }
    case 'vxlan-encap': {
      const d = detailOf(h)
      const outer = h.after
      return {
        seq: i,
        phase: 'output',
        event: {
          kind: 'encap',
          vtep: `${h.netns}/${h.device ?? ''}`,
          vni: Number(d['vni'] ?? 0),
          outerSrc: outer?.ip?.src ?? '',
          outerDst: outer?.ip?.dst ?? str(d['remote']) ?? '',
          srcPort: outer?.l4?.kind === 'udp' ? outer.l4.sport : 0,
          port: Number(d['dstport'] ?? 0)
        }
      }
    }
    case 'vxlan-decap': {
      const outer = h.before
      return {
        seq: i,
        phase: 'input',
        event: {
          kind: 'decap',
          vtep: `${h.netns}/${h.device ?? ''}`,
          vni: Number(detailOf(h)['vni'] ?? 0),
          outerSrc: outer?.ip?.src ?? '',
          outerDst: outer?.ip?.dst ?? ''
        }
      }
    }
    case 'bridge-forward':
    case 'bridge-flood': {
      // Only a frame that came in on a port is switched; one the host routed out of the bridge
      // device is the tail of that routing.
      const entered = inVisit((x) => x.stage === 'link-recv' || x.stage === 'link-xmit')
      if (entered?.stage !== 'link-recv') return undefined
      const port = str(detailOf(h)['port'])
      return {
        seq: i,
        phase: 'output',
        event: {
          kind: 'bridged',
          bridge: `${h.netns}/${h.device ?? ''}`,
          ...(entered.device !== undefined ? { from: `${h.netns}/${entered.device}` } : {}),
          ...(port !== undefined ? { to: `${h.netns}/${port}` } : {}),
          fdb: h.stage === 'bridge-forward' ? 'hit' : 'miss',
          brNetfilter: false
        }
      }
    }
    case 'local-deliver':
      return { seq: i, phase: 'terminal', event: { kind: 'delivered', to: h.netns } }
    case 'icmp-reply':
    case 'tcp-reply':
      return undefined
    case 'icmp-error': {
      // The receiver's answer (port unreachable) or the error a REJECT rule sends: not an event.
      if (inVisit((x) => x.stage === 'local-deliver' || isBlocking(x))) return undefined
      return dropped('netfilter-reject')
    }
    case 'drop': {
      const prev = hops[i - 1]
      if (prev && prev.netns === h.netns && isBlocking(prev)) return undefined
      return dropped(h.drop ?? 'netfilter-drop')
    }
  }
  return h.drop ? dropped(h.drop) : undefined
}

/** Whether hop `x` arrived on a port of a bridge (a bridge-local or bridge hop follows it before `until`). */
function isPort(hops: readonly Hop[], x: Hop, until: number): boolean {
  for (let j = x.seq + 1; j < until; j++) {
    const y = hops[j]!
    if (y.netns !== x.netns) return false
    if (y.stage === 'bridge-local' || y.stage === 'bridge-forward' || y.stage === 'bridge-flood') return true
    if (y.stage === 'link-recv') return false
  }
  return false
}

/**
 * The device that acted in a row: the stack for decisions, the link for what a link does. A link
 * the drawing leaves out (lo, kube-ipvs0) acts through its stack.
 */
function actingDevice(h: Hop, event: TraceEvent, model: DiagramModel | undefined): string {
  let id: string
  switch (event.kind) {
    case 'encap':
    case 'decap':
      id = event.vtep
      break
    case 'bridged':
      id = event.bridge
      break
    case 'dropped':
      id =
        h.device !== undefined && h.stage !== 'ip-forward' && !STACK_DROPS.has(event.reason)
          ? `${h.netns}/${h.device}`
          : h.netns
      break
    default:
      id = h.netns
  }
  return model && !hasDevice(model, id) ? h.netns : id
}

function rewriteEvents(r: Rewrite, leg: Hop['leg']): TraceEvent[] {
  const out: TraceEvent[] = []
  const request = leg === 'request'
  if (r.dst)
    out.push(
      request
        ? { kind: 'dnat', from: r.dst[0], to: r.dst[1], by: 'conntrack' }
        : { kind: 'unsnat', from: r.dst[0], to: r.dst[1], by: 'conntrack' }
    )
  if (r.src)
    out.push(
      request
        ? { kind: 'snat', from: r.src[0], to: r.src[1], by: 'conntrack' }
        : { kind: 'undnat', from: r.src[0], to: r.src[1], by: 'conntrack' }
    )
  return out
}

/**
 * The device-level story of a trace. With the diagram model, each row says where on the drawing
 * it happens (`at`); without it, `at` is the acting device.
 */
export function summariseTrace(trace: Trace, model?: DiagramModel): TraceSummary {
  const hops = trace.hops
  if (hops.length === 0) return { rows: [], segments: [] }
  const segments = tcpSegmentsOf(trace)
  const packetStart = packetStartsOf(hops, segments)
  const visits = visitsOf(hops, packetStart)
  const visitOf = new Array<number>(hops.length)
  visits.forEach(([s, e], v) => {
    for (let i = s; i <= e; i++) visitOf[i] = v
  })
  const anchors = new Map<number, Anchor>()
  for (const [s, e] of visits) {
    for (let i = s; i <= e; i++) {
      const a = anchorOf(hops, packetStart, i, s, trace)
      if (!a) continue
      // A bridged frame met iptables if any hook ran in that namespace (br_netfilter's PREROUTING,
      // FORWARD, POSTROUTING); with bridge-nf-call-iptables=0 none does.
      if (a.event.kind === 'bridged')
        a.event.brNetfilter = hops.slice(s, e + 1).some((x) => x.stage === 'netfilter')
      anchors.set(i, a)
    }
  }
  // Conntrack's silent rewrites, in the namespace that rewrote (a rewrite seen only in the next
  // namespace happened before the packet left the previous one).
  for (const r of implicitRewrites(hops, packetStart)) {
    const [vs, ve] = visits[visitOf[r.last]!]!
    const end = visitOf[r.seen] === visitOf[r.last] ? r.seen : ve
    for (const event of rewriteEvents(r, hops[r.seen]!.leg)) {
      // The first free hop after the old headers were last seen; when every one of those decided
      // something of its own (the rewrite right before a local delivery), the last free hop
      // before: a row early rather than a row lost.
      let at = -1
      for (let i = r.last + 1; i <= end && at === -1; i++) if (!anchors.has(i)) at = i
      for (let i = r.last; i >= vs && at === -1; i--) if (!anchors.has(i)) at = i
      if (at !== -1) anchors.set(at, { seq: at, phase: 'input', event, implicit: true })
    }
  }

  // Every hop to one anchor: leading hops of a namespace visit to its first anchor, hops between
  // two anchors to the later one — except that an anchor that sends the packet on keeps the hops
  // up to its transmit (and the bridge/veth/wire carrying it), or all of them when the next is a
  // conntrack rewrite — trailing hops to the last anchor.
  const owner = new Array<number>(hops.length).fill(-1)
  for (const [s, e] of visits) {
    const list = [...anchors.keys()].filter((k) => k >= s && k <= e).sort((x, y) => x - y)
    if (list.length === 0) continue
    let cursor = s
    for (let n = 0; n < list.length; n++) {
      const a = list[n]!
      const next = list[n + 1]
      for (let i = cursor; i <= a; i++) owner[i] = a
      cursor = a + 1
      if (next === undefined) {
        for (let i = cursor; i <= e; i++) owner[i] = a
        break
      }
      if (anchors.get(a)!.phase === 'output' && anchors.get(next)!.implicit) {
        // The rewrite happened last, just before its hop: everything before it is the sender's.
        for (let i = cursor; i < next; i++) owner[i] = a
        cursor = next
      } else if (anchors.get(a)!.phase === 'output') {
        let x = cursor
        while (x < next && hops[x]!.stage !== 'link-xmit') x++
        if (x < next) {
          x++
          while (x < next && CARRY_STAGES.has(hops[x]!.stage)) x++
          for (let i = cursor; i < x; i++) owner[i] = a
          cursor = x
        }
      }
    }
  }
  // Visits where nothing happened worth a row join the row before them (or, at a leg's start, after).
  for (let i = 0; i < hops.length; i++) {
    if (owner[i] !== -1) continue
    const before = i > 0 && !packetStart[i] ? owner[i - 1]! : -1
    if (before !== -1) owner[i] = before
  }
  for (let i = hops.length - 1; i >= 0; i--) {
    if (owner[i] !== -1) continue
    const after = i + 1 < hops.length ? owner[i + 1]! : -1
    owner[i] = after
  }

  const segmentOf = (seq: number): number => segments.findIndex((s) => s.hops[0] <= seq && seq <= s.hops[1])
  const rows: SummaryRow[] = []
  let packet = 0
  let first = 0
  for (let i = 0; i < hops.length; i++) {
    const next = hops[i + 1]
    if (next && owner[i + 1] === owner[i]) continue
    const a = anchors.get(owner[i]!)
    if (a) {
      const prev = rows[rows.length - 1]
      const samePacket =
        prev !== undefined &&
        prev.leg === hops[first]!.leg &&
        segmentOf(prev.hops[0]) === segmentOf(hops[first]!.seq)
      if (prev && !samePacket) packet++
      rows.push(rowOf(hops, first, i, a, packet, model, samePacket ? prev.headers.after : undefined))
    }
    first = i + 1
  }
  return { rows, segments }
}

function rowOf(
  hops: readonly Hop[],
  first: number,
  last: number,
  anchor: Anchor,
  packet: number,
  model: DiagramModel | undefined,
  entering: PacketView | undefined
): SummaryRow {
  const h = hops[anchor.seq]!
  let event = anchor.event
  const span = hops.slice(first, last + 1)
  if (event.kind === 'delivered') {
    const socket = span.find((x) => x.stage === 'socket-deliver')
    const d = socket ? detailOf(socket) : undefined
    const answerHop = span.find(
      (x) => x.stage === 'icmp-reply' || x.stage === 'tcp-reply' || x.stage === 'icmp-error'
    )
    const a = answerHop?.after?.l4
    const answer =
      answerHop?.stage === 'icmp-reply'
        ? 'echo-reply'
        : a?.kind === 'tcp'
          ? a.flags.startsWith('R')
            ? 'rst'
            : 'syn-ack'
          : a?.kind === 'icmp'
            ? 'port-unreachable'
            : undefined
    event = {
      ...event,
      ...(d
        ? {
            socket: {
              proto: String(d['proto'] ?? ''),
              port: Number(d['port'] ?? 0),
              process: String(d['process'] ?? ''),
              app: String(d['app'] ?? '')
            }
          }
        : {}),
      ...(answer ? { answer } : {})
    }
  }
  // As the previous row of the same packet left it, so the pair shows everything this row did
  // (a conntrack rewrite happens before the first hop that shows it).
  let before: PacketView | undefined = entering
  let after: PacketView | undefined
  for (const x of span) {
    for (const side of ['before', 'after'] as const) {
      if (!flowView(x, side)) continue
      before ??= x[side]
      after = x[side]
    }
  }
  const arp: ArpResolution[] = []
  for (const x of span) {
    if (x.stage !== 'arp-resolve' || x.drop) continue
    const d = detailOf(x)
    const mac = str(d['lladdr'])
    if (!mac) continue
    arp.push({
      device: `${x.netns}/${x.device ?? ''}`,
      ip: str(d['ip']) ?? '',
      mac,
      ...(str(d['answeredBy']) ? { answeredBy: str(d['answeredBy']) } : {})
    })
  }
  const device = actingDevice(h, event, model)
  let at: Placement = { device }
  // Conntrack's rewrites belong to the stack, whatever hop they were noticed on.
  const implicit = 'by' in event && event.by === 'conntrack'
  if (model && !implicit) {
    let carried: PacketView | undefined
    for (let j = anchor.seq - 1; j >= 0 && !carried; j--) carried = hops[j]!.after ?? hops[j]!.before
    at = placeHop(model, h, carried)
  }
  return {
    leg: hops[first]!.leg,
    packet,
    device,
    at,
    event,
    hops: [hops[first]!.seq, hops[last]!.seq],
    headers: { ...(before ? { before } : {}), ...(after ? { after } : {}) },
    ...(arp.length > 0 ? { arp } : {})
  }
}
