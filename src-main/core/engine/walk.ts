import type { Lab } from '../kube/lab.ts'
import type { BridgeLink, Link, VxlanLink } from '../linux/link.ts'
import {
  findNeighbour,
  hasCarrier,
  isLocalAddress,
  learnFdb,
  lookupBound,
  lookupFlow,
  lookupRoute,
  routeErrno,
  pickSource,
  setNeighbour,
  startResolution,
  useNeighbour
} from '../linux/ops.ts'
import { isValidNeighbour, NEIGH_TIMES, resolutionFailsAt, type Neighbour } from '../linux/neighbour.ts'
import { linkByIndex, type Netns } from '../linux/netns.ts'
import type { Hook, IptChain, IptTableName } from '../linux/netfilter.ts'
import type { NftChain } from '../linux/nftables.ts'
import { expireConntrack, type CtEntry } from '../linux/conntrack.ts'
import { ctReplyChanged } from '../linux/conntrack-index.ts'
import { scheduleRealServer } from '../linux/ipvs.ts'
import type { Route } from '../linux/route.ts'
import { formatCidr } from '../net/cidr.ts'
import { formatIpv4, type Ipv4 } from '../net/ipv4.ts'
import { MAC_BROADCAST, type Mac } from '../net/mac.ts'
import { randomInt } from '../net/rng.ts'
import {
  confirm,
  ctState,
  dropUnconfirmed,
  natDst,
  natSrc,
  TABLE_FULL,
  trackPacket,
  type CtAssoc
} from './conntrack-track.ts'
import { newKernelLog, printkNetRatelimited } from '../linux/kmsg.ts'
import { hostKernelOf } from '../kube/lab.ts'
import { runIptables, type HookContext, type TableResult } from './iptables-eval.ts'
import { nftChainsFor, runNftChain } from './nft-eval.ts'
import { arpReplyView, arpRequestView } from './arp-frames.ts'
import {
  clonePacket,
  decrementTtl,
  encapsulate,
  icmpL4,
  ipLength,
  makePacket,
  quotable,
  setDestination,
  setDestinationPort,
  setEthernet,
  setIcmpMtu,
  setSource,
  setSourcePort,
  udpL4,
  view,
  type Packet
} from './packet.ts'
import type { DropReason, Hop, NetfilterDetail, PacketView, Stage } from './trace.ts'
import { interfaceConf } from '../linux/sysctl.ts'

/** Where one leg of an exchange ended. */
export type LegEnd =
  | { kind: 'local'; ns: Netns; pkt: Packet }
  | { kind: 'dropped'; reason: DropReason }
  | { kind: 'icmp-error'; ns: Netns; error: Packet; sendErrno?: 'EPERM' }
  | {
      kind: 'local-error'
      errno: 'EMSGSIZE' | 'ENETUNREACH' | 'EHOSTUNREACH' | 'EPERM' | 'EACCES' | 'EINVAL'
      mtu?: number
      from?: Ipv4
    }

/** Guards against forwarding loops the TTL would also end, and against runaway recursion. */
const MAX_STEPS = 400

const ACCEPT: TableResult['verdict'] = { kind: 'ACCEPT' }
const DROP: TableResult['verdict'] = { kind: 'DROP' }
const NFT_HOOK = {
  PREROUTING: 'prerouting',
  INPUT: 'input',
  FORWARD: 'forward',
  OUTPUT: 'output',
  POSTROUTING: 'postrouting'
} as const

/** net.ipv4.ip_local_port_range defaults. */
export const EPHEMERAL_LOW = 32768
export const EPHEMERAL_HIGH = 60999

/**
 * Route details as of the route fields and device name they were printed from: a route is
 * looked up at nearly every hop, and printing it each time was a large share of a walk.
 */
const routeDetails = new WeakMap<
  Route,
  Omit<Route, 'dev' | 'metric'> & { dev: string | undefined; detail: Hop['detail'] }
>()

/** ICMP destination-unreachable code for a packet the lookup refused to forward (ip_error). */
const FORWARD_ERROR_CODES: Record<NonNullable<ReturnType<typeof routeErrno>>, number | undefined> = {
  ENETUNREACH: 0,
  EHOSTUNREACH: 1,
  EACCES: 13,
  EINVAL: undefined
}

/**
 * The route a locally generated packet takes: rules see its source and mark, lo as input, and
 * the device its socket is bound to as output.
 */
function outputRoute(ns: Netns, pkt: Packet, bound?: Link): Route | undefined {
  const flow = { dst: pkt.dst, src: pkt.src, mark: pkt.mark, iif: 'lo' }
  if (bound !== undefined) return lookupBound(ns, { ...flow, oif: bound.name }, bound.ifindex)
  if (ns.rules === undefined) return lookupRoute(ns, pkt.dst)
  return lookupFlow(ns, flow)
}

/** `ip route` text of a route, for trace details. */
export function describeRoute(ns: Netns, r: Route): string {
  const dev = r.dev === undefined ? undefined : linkByIndex(ns, r.dev)?.name
  const dst =
    r.dst.prefixLen === 0
      ? 'default'
      : r.dst.prefixLen === 32 && r.table === 'local'
        ? formatIpv4(r.dst.network)
        : formatCidr(r.dst)
  let s = r.type === 'unicast' ? dst : `${r.type} ${dst}`
  if (r.gateway !== undefined) s += ` via ${formatIpv4(r.gateway)}`
  if (dev) s += ` dev ${dev}`
  if (r.proto !== 'boot') s += ` proto ${r.proto}`
  if (r.scope !== 'global') s += ` scope ${r.scope}`
  if (r.src !== undefined) s += ` src ${formatIpv4(r.src)}`
  if (r.onlink) s += ' onlink'
  return s
}

/**
 * One walk of packets through the lab's kernels. Methods mirror the kernel's receive and
 * transmit paths (ip_rcv, ip_forward, ip_output, br_handle_frame, vxlan_xmit …); each records
 * the hops it decides. Lookups on the per-hop paths are plain loops rather than find/some with a
 * callback: they run at every hop of every trace.
 */
/** Bridges an ARP request crossed: where it entered each and which port it left by. */
type BridgeStep = { bridge: BridgeLink; inPort?: Link; outPort?: Link }

/** A bridge step of a path being explored, with the steps before it. */
type PathStep = { step: BridgeStep; before: PathStep | undefined }

/** The steps of a path, first to last. */
function stepsOf(path: PathStep | undefined): BridgeStep[] {
  const steps: BridgeStep[] = []
  for (let p = path; p !== undefined; p = p.before) steps.push(p.step)
  return steps.reverse()
}

/** Whether the namespace holds `ip` on an interface that answers ARP (not a dummy). */
function ownsAddress(ns: Netns, ip: Ipv4): boolean {
  for (const a of ns.addresses)
    if (a.address === ip && linkByIndex(ns, a.ifindex)?.kind !== 'dummy') return true
  return false
}

/**
 * An ARP frame's passage through one device: sent (`out`), received (`in`), or switched by a
 * bridge between two of its ports (`pass`, which the bridge's own device sees only in
 * promiscuous mode); `atMs` after the first frame left, with the passages before it.
 */
type Passage = {
  ns: Netns
  link: Link
  dir: 'in' | 'out' | 'pass'
  atMs: number
  before: Passage | undefined
}

/** Interfaces an ARP request reaches, in the order it reaches them, with the bridges it crossed. */
type ArpQueue = { ns: Netns; link: Link; path: PathStep | undefined; from: Passage }[]

/** The interface that answers an ARP request, and the bridges between it and the asker. */
interface ArpOwner {
  readonly ns: Netns
  readonly link: Link
  readonly path: readonly BridgeStep[]
  /** Where the request reached the owner. */
  readonly passage: Passage | undefined
}

/** Time a frame takes across one wire (a veth pair, the underlay, the VXLAN device). */
const WIRE_MS = 0.011

/** How long arp_process takes to answer a request it received. */
const ARP_TURNAROUND_MS = 0.004

/** An ARP frame on a veth or bridge: the Ethernet header and 28 bytes of ARP, unpadded. */
const ARP_FRAME_BYTES = 42

export class Walk {
  readonly hops: Hop[] = []
  rulesEvaluated = 0
  leg: Hop['leg'] = 'request'
  /**
   * Time the walk's frames have spent since the lab clock's now: each wire a frame crosses, a
   * neighbour resolution, an answer's turnaround. Captures stamp frames with it, so a reply is
   * never seen at the instant of its request.
   */
  elapsedMs = 0
  /** The device the sender's socket is bound to (ping -I): it routes what that socket sends. */
  bound: { readonly ns: Netns; readonly link: Link } | undefined
  #steps = 0
  readonly #touched = new Set<Netns>()
  /** The TCP connections this walk's packets belonged to, in each namespace they crossed. */
  readonly #tcpFlows = new Map<CtEntry, Netns>()
  /** The locally sent segment whose first neighbour lookup confirms the neighbour. */
  #confirming: Packet | undefined
  /**
   * One context rewritten at each hook, not a new object per hook: tables read it only while
   * they run, and a hook never starts inside another.
   */
  readonly #ctx: HookContext

  constructor(readonly lab: Lab) {
    this.#ctx = {
      ctstate: 'UNTRACKED',
      ctDnat: false,
      rng: lab.rng,
      nowMs: 0,
      inIface: undefined,
      outIface: undefined,
      bridged: false
    }
  }

  hop(ns: Netns, stage: Stage, fields: Partial<Omit<Hop, 'seq' | 'leg' | 'netns' | 'stage'>> = {}): Hop {
    const h: Hop = { seq: this.hops.length, leg: this.leg, netns: ns.id, stage, ...fields }
    if (h.device !== undefined && h.objectId === undefined) h.objectId = `${ns.id}/${h.device}`
    this.hops.push(h)
    return h
  }

  /**
   * Records a hop written out in full at its call site. The hot stages build their Hop literal
   * directly (keys in the order hop() would give them) because hop()'s spread of a fields object
   * into a new one was a large share of a walk.
   */
  #push(h: Hop): void {
    this.hops.push(h)
  }

  /** The FIB decision hop. Hops are built with their keys in one fixed order (the Trace JSON's). */
  #routeHop(ns: Netns, route: Route, pkt: Packet): void {
    this.#push({
      seq: this.hops.length,
      leg: this.leg,
      netns: ns.id,
      stage: 'route-lookup',
      detail: this.#routeDetail(ns, route),
      before: view(pkt)
    })
  }

  /** A frame for the bridge's own host: it goes up the IP stack with the bridge as its device. */
  #upThroughBridge(ns: Netns, br: Link, pkt: Packet, ct: CtAssoc | undefined): LegEnd {
    this.#push({
      seq: this.hops.length,
      leg: this.leg,
      netns: ns.id,
      stage: 'bridge-local',
      device: br.name,
      objectId: `${ns.id}/${br.name}`
    })
    this.#capture(ns, br, 'in', pkt)
    return this.#ipRcv(ns, br, pkt, ct)
  }

  /** Where the bridge sends a frame: to the port its FDB names, or flooded when the MAC is unknown. */
  #bridgeHop(
    ns: Netns,
    br: Link,
    stage: 'bridge-forward' | 'bridge-flood',
    dst: string | undefined,
    out: Link | undefined,
    fdb: 'hit' | 'miss'
  ): void {
    this.#push({
      seq: this.hops.length,
      leg: this.leg,
      netns: ns.id,
      stage,
      device: br.name,
      detail: { mac: dst, port: out?.name, fdb },
      objectId: `${ns.id}/${br.name}`
    })
  }

  drop(ns: Netns, reason: DropReason, pkt: Packet | undefined, device?: string): LegEnd {
    this.hop(ns, 'drop', {
      drop: reason,
      ...(pkt ? { before: view(pkt) } : {}),
      ...(device ? { device } : {})
    })
    return { kind: 'dropped', reason }
  }

  /** Frees conntrack entries of packets that never left (the kernel never confirms them). */
  finish(): void {
    for (const ns of this.#touched) dropUnconfirmed(ns)
  }

  /** Namespaces whose conntrack this walk touched. */
  get touched(): ReadonlySet<Netns> {
    return this.#touched
  }

  /** The conntrack entries of the TCP connections this walk's packets belonged to. */
  get tcpFlows(): ReadonlyMap<CtEntry, Netns> {
    return this.#tcpFlows
  }

  #capture(ns: Netns, link: Link, direction: 'in' | 'out', pkt: Packet, promiscOnly = false): void {
    const frame = view(pkt)
    this.lab.capture.record(
      this.#stamp(0),
      this.lab.clock.nowMs,
      ns.id,
      link.name,
      direction,
      frame,
      promiscOnly
    )
    // Counters tell what a bridge that nobody captures on received, which excludes these frames;
    // a VXLAN device counts a frame it sends once it has somewhere to send it (#vxlanXmit).
    if (promiscOnly || (direction === 'out' && link.kind === 'vxlan')) return
    const bytes = frameBytes(pkt)
    if (direction === 'in') {
      link.stats.rxPackets++
      link.stats.rxBytes += bytes
    } else {
      link.stats.txPackets++
      link.stats.txBytes += bytes
    }
  }

  /**
   * A frame's time, `offsetMs` after the walk's: whole microseconds, as a capture stores them,
   * and as the clock is advanced to when a walk ends (so a later frame never sorts before it).
   */
  #stamp(offsetMs: number): number {
    return Math.round((this.lab.clock.nowMs + this.elapsedMs + offsetMs) * 1000) / 1000
  }

  #nsOf(id: string): Netns {
    return this.lab.netns.get(id)!
  }

  #ct(ns: Netns, pkt: Packet): CtAssoc | undefined | typeof TABLE_FULL {
    if (!this.#touched.has(ns)) expireConntrack(ns.conntrack, this.lab.clock.nowMs, ns.netlink)
    this.#touched.add(ns)
    const ct = trackPacket(ns, pkt)
    if (ct !== undefined && ct !== TABLE_FULL && ct.entry.proto === 'tcp') this.#tcpFlows.set(ct.entry, ns)
    if (ct === TABLE_FULL) {
      const host = this.#nsOf(hostKernelOf(this.lab, ns.id))
      host.kmsg ??= newKernelLog()
      printkNetRatelimited(
        host.kmsg,
        this.lab.clock.nowMs,
        'nf_conntrack: nf_conntrack: table full, dropping packet'
      )
    }
    return ct
  }

  #recordNetfilter(
    ns: Netns,
    hook: Hook,
    table: string,
    res: TableResult,
    ct: CtAssoc | undefined,
    before: PacketView,
    after: PacketView
  ): void {
    this.rulesEvaluated += res.evaluated
    // An empty built-in chain (every pod's, most hooks of a router) decides nothing worth a hop.
    if (res.evaluated === 0 && res.verdict.kind === 'ACCEPT') return
    const detail: NetfilterDetail = {
      hook,
      table,
      rulesEvaluated: res.evaluated,
      hits: res.hits,
      verdict: res.verdict.kind === 'NAT' ? 'ACCEPT' : res.verdict.kind,
      ctstate: ctState(ct) === 'INVALID' && !ct ? 'UNTRACKED' : ctState(ct)
    }
    this.#push({
      seq: this.hops.length,
      leg: this.leg,
      netns: ns.id,
      stage: 'netfilter',
      detail,
      before,
      after
    })
  }

  /**
   * One netfilter hook: nftables base chains and iptables tables in priority order. NAT tables
   * run only for the first packet of a connection; later packets get conntrack's rewrite.
   */
  #hook(
    ns: Netns,
    hook: Hook,
    pkt: Packet,
    ct: CtAssoc | undefined,
    inIface: string | undefined,
    outIface: string | undefined,
    bridged = false
  ): TableResult['verdict'] {
    const isNew = ct?.isNew === true
    const ctx = this.#ctx
    ctx.ctstate = ctState(ct)
    ctx.ctDnat = ct?.entry.dnat === true
    ctx.nowMs = this.lab.clock.nowMs
    ctx.inIface = inIface
    ctx.outIface = outIface
    ctx.bridged = bridged
    if (ns.nft) {
      for (const chain of nftChainsFor(ns.nft, NFT_HOOK[hook])) {
        if (chain.base!.type === 'nat' && !isNew) continue
        const v = this.#table(ns, hook, `nft ${ns.nft.name}/${chain.name}`, chain, undefined, pkt, ct, ctx)
        if (v) return v
      }
    }
    // mangle runs first at every hook (priority -150); an empty base chain does not exist in
    // iptables-nft, so it neither counts packets nor makes a hop.
    const nf = ns.netfilter
    const mangle = nf.mangle.chains.hookChain(hook)
    if (mangle !== undefined && mangle.rules.length > 0) {
      const v = this.#table(ns, hook, 'mangle', undefined, mangle, pkt, ct, ctx)
      if (v) return v
    }
    const hasNat = hook !== 'FORWARD' && hook !== 'INPUT' && isNew
    const natFirst = hook === 'OUTPUT' || hook === 'PREROUTING'
    if (hasNat && natFirst) {
      const v = this.#table(ns, hook, 'nat', undefined, nf.nat.chains.hookChain(hook), pkt, ct, ctx)
      if (v) return v
    }
    if (hook === 'INPUT' || hook === 'FORWARD' || hook === 'OUTPUT') {
      const v = this.#table(ns, hook, 'filter', undefined, nf.filter.chains.hookChain(hook), pkt, ct, ctx)
      if (v) return v
    }
    if (hasNat && !natFirst) {
      const v = this.#table(ns, hook, 'nat', undefined, nf.nat.chains.hookChain(hook), pkt, ct, ctx)
      if (v) return v
    }
    return ACCEPT
  }

  /**
   * One table (or nftables base chain) of a hook; a verdict only when it ends the hook (DROP,
   * REJECT). An iptables table comes with its built-in chain of the hook, looked up once by the caller.
   */
  #table(
    ns: Netns,
    hook: Hook,
    table: string,
    nftChain: NftChain | undefined,
    chain: IptChain | undefined,
    pkt: Packet,
    ct: CtAssoc | undefined,
    ctx: HookContext
  ): TableResult['verdict'] | undefined {
    // Nothing to evaluate: the policy decides (an empty chain counts nothing), and a hop would
    // only add noise.
    if (chain !== undefined && chain.rules.length === 0) return chain.policy === 'DROP' ? DROP : undefined
    const before = view(pkt)
    const mark = pkt.mark
    const res = nftChain
      ? runNftChain(ns, ns.nft!, nftChain, pkt, ctx.ctstate, this.lab.rng, this.lab.clock.nowMs)
      : runIptables(ns, table as IptTableName, hook, pkt, ctx, before.ip!.length, chain)
    if (res.verdict.kind === 'NAT') this.#applyNat(ns, res.verdict.target, pkt, ct)
    // Only a NAT verdict or a MARK rule changes the packet: otherwise its view is still `before`.
    const after = res.verdict.kind === 'NAT' || pkt.mark !== mark ? view(pkt) : before
    this.#recordNetfilter(ns, hook, table, res, ct, before, after)
    const last = this.hops[this.hops.length - 1]
    if (res.verdict.kind === 'NAT' && last?.stage === 'netfilter') {
      const t = res.verdict.target
      ;(last.detail as NetfilterDetail).nat = {
        kind: t.kind,
        // As iptables writes the target: the port too when the rule names one.
        to:
          t.kind === 'DNAT'
            ? `${formatIpv4(pkt.dst)}${t.toPort !== undefined && pkt.l4.kind !== 'icmp' ? `:${t.toPort}` : ''}`
            : formatIpv4(pkt.src)
      }
    }
    if (res.verdict.kind === 'DROP' || res.verdict.kind === 'REJECT') return res.verdict
    return undefined
  }

  #applyNat(
    ns: Netns,
    t: Extract<TableResult['verdict'], { kind: 'NAT' }>['target'],
    pkt: Packet,
    ct: CtAssoc | undefined
  ): void {
    if (!ct) return
    const e = ct.entry
    if (t.kind === 'DNAT') {
      setDestination(pkt, t.toIp)
      if (t.toPort !== undefined) setDestinationPort(pkt, t.toPort)
      e.reply.src = pkt.dst
      e.reply.sport = pkt.l4.kind === 'icmp' ? e.reply.sport : pkt.l4.dport
      e.dnat = true
      ctReplyChanged(ct.table, e)
      return
    }
    let src: Ipv4 | undefined
    if (t.kind === 'SNAT') src = t.toIp
    else {
      const r = lookupRoute(ns, pkt.dst)
      src = r ? pickSource(ns, r, pkt.dst) : undefined
    }
    if (src === undefined) return
    setSource(pkt, src)
    if (pkt.l4.kind !== 'icmp' && t.randomFully)
      setSourcePort(pkt, randomInt(this.lab.rng, EPHEMERAL_LOW, EPHEMERAL_HIGH))
    e.reply.dst = pkt.src
    e.reply.dport = pkt.l4.kind === 'icmp' ? e.reply.dport : pkt.l4.sport
    e.snat = true
    ctReplyChanged(ct.table, e)
  }

  #step(): boolean {
    return ++this.#steps <= MAX_STEPS
  }

  /** A locally generated packet: route, OUTPUT, POSTROUTING, then the device (ip_local_out). */
  localOut(ns: Netns, pkt: Packet, opts: { originating: boolean } = { originating: true }): LegEnd {
    // A TCP ACK past the handshake follows forward progress, which tcp_ack confirms to the
    // neighbour the segment leaves through.
    this.#confirming =
      pkt.l4.kind === 'tcp' && pkt.l4.flags.includes('.') && !pkt.l4.flags.includes('S') ? pkt : undefined
    if (!this.#step()) return this.drop(ns, 'loop', pkt)
    const bound = opts.originating && this.bound?.ns === ns ? this.bound.link : undefined
    let route = outputRoute(ns, pkt, bound)
    const errno = routeErrno(route)
    if (!route || errno !== undefined) {
      this.hop(ns, 'route-lookup', { before: view(pkt), drop: 'no-route' })
      return opts.originating
        ? { kind: 'local-error', errno: errno ?? 'ENETUNREACH' }
        : { kind: 'dropped', reason: 'no-route' }
    }
    if (pkt.src === 0) setSource(pkt, pickSource(ns, route, pkt.dst) ?? 0)
    this.#routeHop(ns, route, pkt)
    // Rerouted whenever the destination changes in OUTPUT: by a DNAT rule on a connection's
    // first packet, by its conntrack entry on every later one.
    const before = pkt.dst
    const markBefore = pkt.mark
    const ct = this.#ct(ns, pkt)
    if (ct === TABLE_FULL) {
      const end = this.drop(ns, 'ct-table-full', pkt)
      // NF_DROP in the output path fails the sender's sendmsg with EPERM, as a DROP rule does.
      return opts.originating ? { kind: 'local-error', errno: 'EPERM' } : end
    }
    natDst(ct, pkt)
    const outDev = route.dev === undefined ? undefined : linkByIndex(ns, route.dev)?.name
    const v = this.#hook(ns, 'OUTPUT', pkt, ct, undefined, outDev)
    if (v.kind === 'DROP')
      return opts.originating ? { kind: 'local-error', errno: 'EPERM' } : this.drop(ns, 'netfilter-drop', pkt)
    if (v.kind === 'REJECT') return this.#rejectLocal(ns, pkt)
    // ip_route_me_harder: a mark set in OUTPUT reroutes too, which only rules can make matter.
    if (pkt.dst !== before || (pkt.mark !== markBefore && ns.rules !== undefined)) {
      route = outputRoute(ns, pkt, bound)
      const rerouted = routeErrno(route)
      if (!route || rerouted !== undefined) {
        // Checked on real namespaces: a mark that leads nowhere loses the packet without a word.
        if (pkt.dst === before) return this.drop(ns, 'no-route', pkt)
        return { kind: 'local-error', errno: rerouted ?? 'ENETUNREACH' }
      }
      this.#routeHop(ns, route, pkt)
    }
    if (route.type === 'local' || route.type === 'broadcast') {
      const lo = ns.links.find((l) => l.kind === 'loopback')!
      const pv = this.#hook(ns, 'POSTROUTING', pkt, ct, undefined, 'lo')
      if (pv.kind !== 'ACCEPT') return this.drop(ns, 'netfilter-drop', pkt)
      natSrc(ct, pkt)
      confirm(ct, pkt, this.lab.clock.nowMs)
      return this.#input(ns, lo, pkt, undefined)
    }
    return this.#postRoutingAndOut(ns, pkt, route, ct, opts.originating)
  }

  /**
   * A REJECT in OUTPUT: nf_send_unreach sends the error to the packet's own source, a local
   * address, so routing picks that address as the error's source too; the hook's verdict is
   * still a drop, which sendmsg reports as EPERM.
   */
  #rejectLocal(ns: Netns, pkt: Packet): LegEnd {
    this.hop(ns, 'icmp-error', { before: view(pkt), detail: { type: 3, code: 3 } })
    return { kind: 'icmp-error', ns, error: this.#icmpError(pkt, 3, 3, pkt.src), sendErrno: 'EPERM' }
  }

  #routeDetail(ns: Netns, r: Route): Hop['detail'] {
    const dev = r.dev === undefined ? undefined : linkByIndex(ns, r.dev)?.name
    const m = routeDetails.get(r)
    if (
      m &&
      m.dev === dev &&
      m.dst === r.dst &&
      m.gateway === r.gateway &&
      m.src === r.src &&
      m.type === r.type &&
      m.table === r.table &&
      m.proto === r.proto &&
      m.scope === r.scope &&
      m.onlink === r.onlink
    ) {
      return m.detail
    }
    const detail = {
      route: describeRoute(ns, r),
      table: r.table,
      type: r.type === 'local' || r.type === 'broadcast' ? r.type : 'unicast',
      ...(r.gateway !== undefined ? { gateway: formatIpv4(r.gateway) } : {}),
      ...(dev ? { dev } : {}),
      ...(r.src !== undefined ? { src: formatIpv4(r.src) } : {})
    }
    routeDetails.set(r, {
      dev,
      dst: r.dst,
      gateway: r.gateway,
      src: r.src,
      type: r.type,
      table: r.table,
      proto: r.proto,
      scope: r.scope,
      onlink: r.onlink,
      detail
    })
    return detail
  }

  #postRoutingAndOut(
    ns: Netns,
    pkt: Packet,
    route: Route,
    ct: CtAssoc | undefined,
    originating: boolean,
    inIface?: string
  ): LegEnd {
    const dev = route.dev === undefined ? undefined : linkByIndex(ns, route.dev)
    if (!dev) return this.drop(ns, 'no-route', pkt)
    const v = this.#hook(ns, 'POSTROUTING', pkt, ct, inIface, dev.name)
    if (v.kind !== 'ACCEPT') return this.drop(ns, 'netfilter-drop', pkt, dev.name)
    natSrc(ct, pkt)
    confirm(ct, pkt, this.lab.clock.nowMs)
    if (ipLength(pkt) > dev.mtu && pkt.df) {
      this.hop(ns, 'mtu-check', {
        device: dev.name,
        before: view(pkt),
        drop: originating ? 'message-too-long' : 'frag-needed',
        detail: { mtu: dev.mtu, length: ipLength(pkt) }
      })
      if (originating) return { kind: 'local-error', errno: 'EMSGSIZE', mtu: dev.mtu }
      const err = this.#icmpError(
        pkt,
        3,
        4,
        this.#addressOn(ns, inIface) ?? pickSource(ns, route, pkt.src) ?? 0
      )
      setIcmpMtu(err, dev.mtu)
      return { kind: 'icmp-error', ns, error: err }
    }
    return this.#neighOut(ns, pkt, dev, route.gateway ?? pkt.dst, originating)
  }

  /**
   * icmp_send's source with icmp_errors_use_inbound_ifaddr=0 (the default): what the route back
   * to the sender picks, not the address of the interface the packet came in on; the two differ
   * when a packet loops back in by another device than the one it first arrived on.
   */
  #icmpSource(ns: Netns, pkt: Packet): Ipv4 | undefined {
    const back = lookupRoute(ns, pkt.src)
    return back && back.type === 'unicast' ? pickSource(ns, back, pkt.src) : undefined
  }

  #addressOn(ns: Netns, ifname: string | undefined): Ipv4 | undefined {
    if (!ifname) return undefined
    const link = ns.links.find((l) => l.name === ifname)
    return link ? ns.addresses.find((a) => a.ifindex === link.ifindex)?.address : undefined
  }

  /** Neighbour resolution then transmit (ip_finish_output2 → neigh_output). */
  #neighOut(ns: Netns, pkt: Packet, dev: Link, nexthop: Ipv4, originating: boolean): LegEnd {
    const confirms = this.#confirming === pkt
    this.#confirming = undefined
    if (!dev.up) return this.drop(ns, 'link-down', pkt, dev.name)
    let mac: Mac | undefined
    if (dev.kind === 'loopback' || dev.kind === 'dummy') mac = '00:00:00:00:00:00'
    else {
      const now = this.lab.clock.nowMs
      const n = findNeighbour(ns, dev.ifindex, nexthop)
      if (n?.lladdr && isValidNeighbour(n)) {
        mac = n.lladdr
        this.#waitForArpReply(n)
        this.#push({
          seq: this.hops.length,
          leg: this.leg,
          netns: ns.id,
          stage: 'neigh-lookup',
          device: dev.name,
          detail: {
            ip: formatIpv4(nexthop),
            lladdr: mac,
            state: n.state
          },
          objectId: `${ns.id}/${dev.name}`
        })
        useNeighbour(n, now, confirms)
      } else {
        // A packet that finds a resolution still running waits in its queue and fails with it,
        // unless the address has appeared meanwhile and the next request is answered.
        const startsAt = now + this.elapsedMs
        const failsAt = n?.state === 'INCOMPLETE' ? resolutionFailsAt(n) : undefined
        const queued = failsAt !== undefined && failsAt > startsAt
        if (queued && !this.#arpOwner(ns, dev, nexthop, undefined)) this.elapsedMs = failsAt - now
        // arp_solicit announces the packet's source only when it is one of ours (arp_announce 0).
        else
          mac = this.#arp(
            ns,
            dev,
            nexthop,
            isLocalAddress(ns, pkt.src) ? pkt.src : (pickSourceOn(ns, dev) ?? 0)
          )
        if (!mac) {
          // INCOMPLETE from the first request on; its timer fails it once the clock gets there.
          if (!queued) startResolution(ns, dev.ifindex, nexthop, startsAt)
          this.hop(ns, 'arp-resolve', {
            device: dev.name,
            drop: 'neigh-failed',
            detail: { ip: formatIpv4(nexthop) }
          })
          const from = pickSourceOn(ns, dev) ?? pkt.src
          if (originating) return { kind: 'local-error', errno: 'EHOSTUNREACH', from }
          // icmp_send with icmp_errors_use_inbound_ifaddr=0 (the default) takes the source of
          // the route back to the sender, not the address of the device that failed to resolve.
          return {
            kind: 'icmp-error',
            ns,
            error: this.#icmpError(pkt, 3, 1, pickSourceToward(ns, pkt.src) ?? from)
          }
        }
      }
    }
    const before = view(pkt)
    setEthernet(pkt, { src: dev.mac, dst: mac })
    this.#push({
      seq: this.hops.length,
      leg: this.leg,
      netns: ns.id,
      stage: 'link-xmit',
      device: dev.name,
      before,
      after: view(pkt),
      objectId: `${ns.id}/${dev.name}`
    })
    return this.xmit(ns, dev, pkt)
  }

  /**
   * A packet that reaches an entry before the ARP reply that resolves it waits in the entry's
   * queue (arp_queue), which the reply empties in the order the packets came: none overtakes one
   * sent before it.
   */
  #waitForArpReply(n: Neighbour): void {
    const now = this.lab.clock.nowMs
    if (n.confirmedAt > now + this.elapsedMs) this.elapsedMs = n.confirmedAt - now
  }

  /**
   * The timer's unicast ARP probe of an entry in PROBE (neigh_probe): answered only by the
   * interface that still owns the address with the entry's MAC; the answer makes it REACHABLE.
   */
  probeNeighbour(ns: Netns, n: Neighbour): boolean {
    const dev = linkByIndex(ns, n.ifindex)
    if (!dev || !dev.up || !n.lladdr) return false
    const asked = n.lladdr
    const source = pickSourceOn(ns, dev) ?? 0
    const owner = this.#arpOwner(ns, dev, n.ip, undefined)
    const request = arpRequestView(dev.mac, source, n.ip, asked)
    if (!owner || owner.link.mac !== asked) {
      this.#recordChain(owner?.passage, request, 0)
      return false
    }
    this.#recordArpExchange(owner, dev, n.ip, request, source)
    this.#learnArpPath(owner, dev, this.lab.clock.nowMs)
    setNeighbour(ns, dev.ifindex, n.ip, asked, 'REACHABLE', this.lab.clock.nowMs)
    if (source !== 0)
      setNeighbour(owner.ns, owner.link.ifindex, source, dev.mac, 'STALE', this.lab.clock.nowMs)
    return true
  }

  /**
   * ARP: broadcast a request out of `dev` across the L2 domain (veths, bridges, the underlay
   * switch); the namespace owning `ip` answers. Bridges learn both MACs; both ends cache.
   */
  #arp(ns: Netns, dev: Link, ip: Ipv4, senderIp: Ipv4): Mac | undefined {
    const request = arpRequestView(dev.mac, senderIp, ip)
    if (dev.kind === 'vxlan') {
      // vxlan_xmit finds no FDB entry for the broadcast MAC (flannel installs none, nor a default
      // one) and drops each request after the device's taps saw it, counting it as a TX drop.
      for (let i = 0; i < NEIGH_TIMES.mcastProbes; i++) {
        this.lab.capture.record(
          this.#stamp(i * NEIGH_TIMES.retransMs),
          this.lab.clock.nowMs,
          ns.id,
          dev.name,
          'out',
          request,
          false
        )
        dev.stats.txDropped++
      }
      this.elapsedMs += NEIGH_TIMES.mcastProbes * NEIGH_TIMES.retransMs
      this.hop(ns, 'arp-resolve', {
        device: dev.name,
        detail: { ip: formatIpv4(ip), note: 'vxlan-nolearning' }
      })
      return undefined
    }
    const now = this.lab.clock.nowMs
    const flood: Passage[] = []
    const owner = this.#arpOwner(ns, dev, ip, flood)
    if (!owner) {
      // arp_solicit's mcast_solicit (3) broadcasts, retrans_time (1 s) apart, then the entry
      // fails and the packets queued on it get their errors.
      for (let i = 0; i < NEIGH_TIMES.mcastProbes; i++)
        this.#recordFlood(flood, request, i * NEIGH_TIMES.retransMs)
      this.elapsedMs += NEIGH_TIMES.mcastProbes * NEIGH_TIMES.retransMs
      return undefined
    }
    this.#recordFlood(flood, request, 0)
    this.#recordArpExchange(owner, dev, ip, undefined, senderIp)
    const { ns: rns, link } = owner
    this.#learnArpPath(owner, dev, now)
    // The entry turns REACHABLE when the reply arrives: packets that reach it before then wait.
    setNeighbour(ns, dev.ifindex, ip, link.mac, 'REACHABLE', now + this.elapsedMs)
    if (senderIp !== 0) setNeighbour(rns, link.ifindex, senderIp, dev.mac, 'STALE', now)
    this.hop(ns, 'arp-resolve', {
      device: dev.name,
      detail: { ip: formatIpv4(ip), lladdr: link.mac, answeredBy: `${rns.id}/${link.name}` }
    })
    return link.mac
  }

  /**
   * Where an ARP request out of `dev` for `ip` is answered, and the bridges it crossed. Given
   * `flood`, the request is followed through the whole broadcast domain and every passage is
   * collected there; without it the search stops at the first owner.
   */
  #arpOwner(ns: Netns, dev: Link, ip: Ipv4, flood: Passage[] | undefined): ArpOwner | undefined {
    // The neighbour timers ask this at every unicast probe. Link objects are unique per
    // namespace, so they are what is visited (an L2 domain has a few dozen at most, where a list
    // is cheaper than a set); paths share their beginnings, each step pointing back at the one
    // before, and only the answerer's is made an array.
    const visited: Link[] = []
    const queue: ArpQueue = []
    this.#enqueueOut(queue, flood, ns, dev, undefined, undefined)
    let owner: ArpOwner | undefined
    for (let next = 0; next < queue.length; next++) {
      const { ns: rns, link, path, from } = queue[next]!
      if (visited.includes(link) || !link.up) continue
      visited.push(link)
      // A bridge hears what its port received at once; a frame on a wire arrives a wire later.
      const arrived = from.dir === 'out' ? from.atMs + WIRE_MS : from.atMs
      const inside: Passage = { ns: rns, link, dir: 'in', atMs: arrived, before: from }
      flood?.push(inside)
      if (link.master !== undefined) {
        const br = linkByIndex(rns, link.master) as BridgeLink | undefined
        if (!br || !br.up) continue
        const switched: Passage = { ns: rns, link: br, dir: 'pass', atMs: arrived, before: inside }
        // A hairpin port gets its own broadcasts back, as the bridge CNI plugin's ports do.
        for (const port of rns.links) {
          if (port.master === br.ifindex && (port !== link || port.brport?.hairpin))
            this.#enqueueOut(
              queue,
              flood,
              rns,
              port,
              { step: { bridge: br, inPort: link, outPort: port }, before: path },
              switched
            )
        }
        queue.push({
          ns: rns,
          link: br,
          path: { step: { bridge: br, inPort: link }, before: path },
          from: inside
        })
        continue
      }
      if (owner || link.kind === 'dummy' || link.kind === 'loopback') continue
      if (!ownsAddress(rns, ip)) continue
      owner = { ns: rns, link, path: stepsOf(path), passage: inside }
      if (!flood) return owner
    }
    return owner
  }

  /** A broadcast as every device of its domain sees it, `offsetMs` after the walk's time. */
  #recordFlood(flood: readonly Passage[], frame: PacketView, offsetMs: number): void {
    for (const p of flood) if (p.dir !== 'pass') this.#recordArp(p, frame, offsetMs)
  }

  /** A unicast frame along one chain of passages, first device first. */
  #recordChain(last: Passage | undefined, frame: PacketView, offsetMs: number): void {
    const chain: Passage[] = []
    for (let p = last; p !== undefined; p = p.before) chain.push(p)
    for (let i = chain.length - 1; i >= 0; i--) this.#recordArp(chain[i]!, frame, offsetMs)
  }

  /**
   * The unicast request a probe sends (when given) and the owner's reply, which retraces the
   * request's passages backwards; the walk's time moves on by the round trip.
   */
  #recordArpExchange(
    owner: ArpOwner,
    dev: Link,
    ip: Ipv4,
    request: PacketView | undefined,
    senderIp: Ipv4
  ): void {
    if (request) this.#recordChain(owner.passage, request, 0)
    const arrived = owner.passage?.atMs ?? 0
    const answered = arrived + ARP_TURNAROUND_MS
    const reply = arpReplyView(owner.link.mac, ip, dev.mac, senderIp)
    for (let p = owner.passage; p !== undefined; p = p.before) {
      const dir = p.dir === 'in' ? 'out' : p.dir === 'out' ? 'in' : 'pass'
      this.#recordArp({ ...p, dir, atMs: answered + arrived - p.atMs }, reply, 0)
    }
    this.elapsedMs += answered + arrived
  }

  /** One ARP frame on one device; a bridge switching it between ports sees it only in promiscuous mode. */
  #recordArp(p: Passage, frame: PacketView, offsetMs: number): void {
    const at = this.#stamp(offsetMs + p.atMs)
    const promiscOnly = p.dir === 'pass'
    const dir = p.dir === 'out' ? 'out' : 'in'
    this.lab.capture.record(at, this.lab.clock.nowMs, p.ns.id, p.link.name, dir, frame, promiscOnly)
    if (promiscOnly) return
    if (p.dir === 'out') {
      p.link.stats.txPackets++
      p.link.stats.txBytes += ARP_FRAME_BYTES
    } else {
      p.link.stats.rxPackets++
      p.link.stats.rxBytes += ARP_FRAME_BYTES
    }
  }

  /**
   * Queues where a request sent out of `link` arrives: the veth's peer, the wire's other ports,
   * a bridge's ports. Given `flood`, the passage out of `link` is collected there.
   */
  #enqueueOut(
    queue: ArpQueue,
    flood: Passage[] | undefined,
    fromNs: Netns,
    link: Link,
    path: PathStep | undefined,
    before: Passage | undefined
  ): void {
    if (!hasCarrier(this.lab.netns, fromNs, link)) return
    const out: Passage = { ns: fromNs, link, dir: 'out', atMs: before?.atMs ?? 0, before }
    flood?.push(out)
    if (link.kind === 'veth') {
      const peerNs = this.#nsOf(link.peer.netns)
      const peer = linkByIndex(peerNs, link.peer.ifindex)
      if (peer) queue.push({ ns: peerNs, link: peer, path, from: out })
    } else if (link.kind === 'ether') {
      for (const p of this.lab.segments.get(link.segment)?.ports ?? []) {
        if (p.netns === fromNs.id && p.ifindex === link.ifindex) continue
        const pns = this.#nsOf(p.netns)
        const pl = linkByIndex(pns, p.ifindex)
        if (pl) queue.push({ ns: pns, link: pl, path, from: out })
      }
    } else if (link.kind === 'bridge') {
      for (const port of fromNs.links)
        if (port.master === link.ifindex)
          this.#enqueueOut(
            queue,
            flood,
            fromNs,
            port,
            { step: { bridge: link, outPort: port }, before: path },
            out
          )
    }
  }

  /** The request taught every bridge on the way the asker's MAC, the unicast reply retraces
   * the path and teaches them the answerer's. */
  #learnArpPath(owner: ArpOwner, dev: Link, now: number): void {
    for (const step of owner.path) {
      if (step.inPort) learnFdb(step.bridge, dev.mac, step.inPort.ifindex, now)
      if (step.outPort) learnFdb(step.bridge, owner.link.mac, step.outPort.ifindex, now)
    }
  }

  /** Puts a frame on a device's wire (dev_queue_xmit). */
  xmit(ns: Netns, dev: Link, pkt: Packet): LegEnd {
    if (!this.#step()) return this.drop(ns, 'loop', pkt)
    if (!dev.up) return this.drop(ns, 'link-down', pkt, dev.name)
    this.#capture(ns, dev, 'out', pkt)
    // A bridge's own transmit is its port's: the time is counted once, on the port's wire.
    if (dev.kind !== 'bridge') this.elapsedMs += WIRE_MS
    switch (dev.kind) {
      case 'veth': {
        const peerNs = this.#nsOf(dev.peer.netns)
        const peer = linkByIndex(peerNs, dev.peer.ifindex)
        if (!peer || !peer.up) return this.drop(ns, 'no-carrier', pkt, dev.name)
        this.#push({
          seq: this.hops.length,
          leg: this.leg,
          netns: ns.id,
          stage: 'veth-cross',
          device: dev.name,
          detail: { to: `${peerNs.id}/${peer.name}` },
          objectId: `${ns.id}/${dev.name}`
        })
        return this.receive(peerNs, peer, pkt)
      }
      case 'bridge':
        return this.#bridgeForward(ns, dev, pkt, undefined)
      case 'vxlan':
        return this.#vxlanXmit(ns, dev, pkt)
      case 'ether': {
        const segment = this.lab.segments.get(dev.segment)
        if (segment?.mtu !== undefined && ipLength(pkt) > segment.mtu)
          return this.drop(ns, 'frame-too-big', pkt, dev.name)
        for (const p of segment?.ports ?? []) {
          if (p.netns === ns.id && p.ifindex === dev.ifindex) continue
          const pns = this.#nsOf(p.netns)
          const pl = linkByIndex(pns, p.ifindex)
          if (pl && (pl.mac === pkt.eth?.dst || pkt.eth?.dst === MAC_BROADCAST)) {
            this.#push({
              seq: this.hops.length,
              leg: this.leg,
              netns: ns.id,
              stage: 'wire',
              device: dev.name,
              detail: { segment: dev.segment, to: `${pns.id}/${pl.name}` },
              objectId: `${ns.id}/${dev.name}`
            })
            return this.receive(pns, pl, pkt)
          }
        }
        return this.drop(ns, 'not-for-us', pkt, dev.name)
      }
      case 'loopback':
        // The looped skb keeps its output route, whose input discards what is not local
        // (rt_dst_alloc): only a socket bound to lo sends such a packet this way.
        return isLocalAddress(ns, pkt.dst)
          ? this.receive(ns, dev, pkt)
          : this.drop(ns, 'no-route', pkt, dev.name)
      case 'dummy':
        return this.drop(ns, 'link-down', pkt, dev.name)
    }
  }

  /** A frame arrives on a device (netif_receive_skb): bridge port or IP. */
  receive(ns: Netns, link: Link, pkt: Packet): LegEnd {
    if (!link.up) return this.drop(ns, 'link-down', pkt, link.name)
    this.#capture(ns, link, 'in', pkt)
    this.#push({
      seq: this.hops.length,
      leg: this.leg,
      netns: ns.id,
      stage: 'link-recv',
      device: link.name,
      before: view(pkt),
      objectId: `${ns.id}/${link.name}`
    })
    if (link.master !== undefined) {
      const br = linkByIndex(ns, link.master) as BridgeLink
      return this.#bridgeInput(ns, br, link, pkt)
    }
    if (pkt.eth && pkt.eth.dst !== link.mac && pkt.eth.dst !== MAC_BROADCAST && link.kind !== 'loopback')
      return this.drop(ns, 'not-for-us', pkt, link.name)
    return this.#ipRcv(ns, link, pkt, undefined)
  }

  /** br_handle_frame: learn, then deliver up, forward to the known port or flood. */
  #bridgeInput(ns: Netns, br: BridgeLink, port: Link, pkt: Packet): LegEnd {
    if (!br.up) return this.drop(ns, 'link-down', pkt, br.name)
    const now = this.lab.clock.nowMs
    if (port.brport?.learning !== false && pkt.eth) {
      const fresh = learnFdb(br, pkt.eth.src, port.ifindex, now)
      if (fresh)
        this.#push({
          seq: this.hops.length,
          leg: this.leg,
          netns: ns.id,
          stage: 'bridge-learn',
          device: br.name,
          detail: { mac: pkt.eth.src, port: port.name },
          objectId: `${ns.id}/${br.name}`
        })
    }
    const brnf = ns.sysctl['net.bridge.bridge-nf-call-iptables'] === '1'
    const toBridge = pkt.eth?.dst === br.mac || ownFdbMac(br, pkt.eth?.dst)
    if (toBridge && !brnf) {
      return this.#upThroughBridge(ns, br, pkt, undefined)
    }
    let ct: CtAssoc | undefined
    if (brnf) {
      // br_netfilter: iptables PREROUTING sees bridged IP frames too (conntrack, DNAT).
      const tracked = this.#ct(ns, pkt)
      if (tracked === TABLE_FULL) return this.drop(ns, 'ct-table-full', pkt, br.name)
      ct = tracked
      // br_nf_pre_routing saves daddr before the hook, so conntrack's rewrite of a later packet
      // or of a reply (un-SNAT of a hairpinned connection) counts as a DNAT too.
      const before = pkt.dst
      natDst(ct, pkt)
      const v = this.#hook(ns, 'PREROUTING', pkt, ct, br.name, undefined)
      if (v.kind !== 'ACCEPT') return this.drop(ns, 'netfilter-drop', pkt, br.name)
      if (toBridge) {
        const route = pkt.dst !== before ? lookupRoute(ns, pkt.dst) : undefined
        if (!route || route.dev !== br.ifindex || route.gateway !== undefined) {
          return this.#upThroughBridge(ns, br, pkt, ct)
        }
        // Bridged DNAT: the new destination sits on this bridge, so the frame is re-addressed and bridged back out.
        const n = findNeighbour(ns, br.ifindex, pkt.dst)
        if (n?.lladdr) this.#waitForArpReply(n)
        const mac = n?.lladdr ?? this.#arp(ns, br, pkt.dst, pickSourceOn(ns, br) ?? 0)
        if (!mac) return this.drop(ns, 'neigh-failed', pkt, br.name)
        // br_nf_pre_routing_finish_bridge writes only the destination (or restores the saved
        // source after the neighbour's slow path): the frame keeps the sender's MAC.
        setEthernet(pkt, { src: pkt.eth?.src ?? br.mac, dst: mac })
      }
    }
    return this.#bridgeForward(ns, br, pkt, port, ct, brnf)
  }

  #bridgeForward(
    ns: Netns,
    br: BridgeLink,
    pkt: Packet,
    inPort: Link | undefined,
    ct?: CtAssoc,
    brnf = false
  ): LegEnd {
    const now = this.lab.clock.nowMs
    const dst = pkt.eth?.dst
    let entry: BridgeLink['fdb'][number] | undefined
    for (const e of br.fdb) {
      if (e.mac === dst && (e.permanent || now - e.updatedAt <= br.ageingTime * 1000)) {
        entry = e
        break
      }
    }
    let out: Link | undefined
    if (entry && entry.port !== br.ifindex) {
      out = linkByIndex(ns, entry.port)
      if (entry.local) {
        // A port's own MAC: the frame is for this host, delivered up through the bridge.
        return this.#upThroughBridge(ns, br, pkt, ct)
      }
      this.#bridgeHop(ns, br, 'bridge-forward', dst, out, 'hit')
    } else {
      for (const l of ns.links) {
        if (l.master === br.ifindex && l !== inPort && this.#portLeadsTo(ns, l, dst)) {
          out = l
          break
        }
      }
      this.#bridgeHop(ns, br, 'bridge-flood', dst, out, 'miss')
    }
    if (!out) return this.drop(ns, 'bridge-no-port', pkt, br.name)
    if (inPort && out.ifindex === inPort.ifindex && !out.brport?.hairpin)
      return this.drop(ns, 'hairpin-off', pkt, br.name)
    if (inPort) this.#capture(ns, br, 'in', pkt, true)
    if (brnf && inPort) {
      const v = this.#hook(ns, 'FORWARD', pkt, ct, br.name, br.name, true)
      if (v.kind === 'REJECT') {
        // br_netfilter hands the bridged packet to FORWARD with a route of its own, so
        // nf_send_unreach answers as for a routed one: the node sends the error, from the
        // address it would use toward the sender (the bridge's own).
        this.hop(ns, 'icmp-error', {
          device: br.name,
          before: view(pkt),
          detail: { type: 3, code: 3, reason: 'netfilter-reject' }
        })
        return {
          kind: 'icmp-error',
          ns,
          error: this.#icmpError(pkt, 3, 3, pickSourceToward(ns, pkt.src) ?? 0)
        }
      }
      if (v.kind !== 'ACCEPT') return this.drop(ns, 'netfilter-drop', pkt, br.name)
      const pv = this.#hook(ns, 'POSTROUTING', pkt, ct, br.name, br.name)
      if (pv.kind !== 'ACCEPT') return this.drop(ns, 'netfilter-drop', pkt, br.name)
      natSrc(ct, pkt)
      confirm(ct, pkt, this.lab.clock.nowMs)
    }
    return this.xmit(ns, out, pkt)
  }

  /** Whether a frame flooded out of `port` reaches the owner of `mac` (other ports drop it). */
  #portLeadsTo(ns: Netns, port: Link, mac: Mac | undefined): boolean {
    if (port.kind !== 'veth') return port.mac === mac
    const peerNs = this.#nsOf(port.peer.netns)
    return linkByIndex(peerNs, port.peer.ifindex)?.mac === mac
  }

  /** vxlan_xmit: FDB lookup of the inner destination MAC, UDP encapsulation, routed out as the node's own packet. */
  #vxlanXmit(ns: Netns, vx: VxlanLink, inner: Packet): LegEnd {
    let entry: VxlanLink['fdb'][number] | undefined
    for (const e of vx.fdb) {
      if (e.mac === inner.eth?.dst) {
        entry = e
        break
      }
    }
    if (!entry) {
      vx.stats.txDropped++
      return this.drop(ns, 'vxlan-no-fdb', inner, vx.name)
    }
    vx.stats.txPackets++
    vx.stats.txBytes += frameBytes(inner)
    if (isLocalAddress(ns, entry.dst)) return this.#vxlanEncapBypass(ns, vx, inner, entry.dst)
    const sport = flowPort(inner)
    const toRemote = vx.local === undefined ? lookupRoute(ns, entry.dst) : undefined
    const src = vx.local ?? (toRemote && pickSource(ns, toRemote, entry.dst)) ?? 0
    const outer = makePacket(src, entry.dst, 64, nextIpId(ns), false, 0, udpL4(sport, vx.dstport), 0)
    encapsulate(outer, inner, vx.vni)
    this.#vxlanEncapHop(ns, vx, inner, entry.dst, outer)
    return this.localOut(ns, outer, { originating: false })
  }

  /**
   * The vxlan-encap hop on `vx` towards `remote`; `outer` is what goes on the wire, undefined
   * where the remote is the node's own address and nothing does.
   */
  #vxlanEncapHop(ns: Netns, vx: VxlanLink, inner: Packet, remote: Ipv4, outer: Packet | undefined): void {
    const detail = { vni: vx.vni, remote: formatIpv4(remote), dstport: vx.dstport }
    this.#push({
      seq: this.hops.length,
      leg: this.leg,
      netns: ns.id,
      stage: 'vxlan-encap',
      device: vx.name,
      before: view(inner),
      after: outer && view(outer),
      detail: outer ? detail : { ...detail, note: 'local-bypass' },
      objectId: `${ns.id}/${vx.name}`
    })
  }

  /**
   * encap_bypass_if_local: a remote that is one of the node's own addresses never reaches a
   * wire; the kernel hands the inner frame to its own VTEP of that VNI and port as if it had
   * arrived (pkt_type HOST, whatever its MAC), skipping UDP, netfilter and lo. Without such a
   * VTEP it is a transmit error.
   */
  #vxlanEncapBypass(ns: Netns, vx: VxlanLink, inner: Packet, remote: Ipv4): LegEnd {
    let target: VxlanLink | undefined
    for (const l of ns.links) {
      if (l.kind === 'vxlan' && l.vni === vx.vni && l.dstport === vx.dstport) {
        target = l
        break
      }
    }
    this.#vxlanEncapHop(ns, vx, inner, remote, undefined)
    if (!target) return this.drop(ns, 'vxlan-no-fdb', inner, vx.name)
    const looped = clonePacket(inner)
    if (looped.eth) setEthernet(looped, { src: looped.eth.src, dst: target.mac })
    this.#push({
      seq: this.hops.length,
      leg: this.leg,
      netns: ns.id,
      stage: 'vxlan-decap',
      device: target.name,
      before: view(inner),
      after: view(looped),
      detail: { vni: target.vni, note: 'local-bypass' },
      objectId: `${ns.id}/${target.name}`
    })
    return this.receive(ns, target, looped)
  }

  /** ip_rcv → PREROUTING → routing decision → local delivery or forwarding. */
  #ipRcv(ns: Netns, link: Link, pkt: Packet, ctDone: CtAssoc | undefined): LegEnd {
    if (!this.#step()) return this.drop(ns, 'loop', pkt)
    setEthernet(pkt, undefined)
    let ct = ctDone
    if (!ctDone) {
      const tracked = this.#ct(ns, pkt)
      if (tracked === TABLE_FULL) return this.drop(ns, 'ct-table-full', pkt, link.name)
      ct = tracked
      natDst(ct, pkt)
      const v = this.#hook(ns, 'PREROUTING', pkt, ct, link.name, undefined)
      if (v.kind !== 'ACCEPT') return this.drop(ns, 'netfilter-drop', pkt, link.name)
    }
    const route =
      ns.rules === undefined
        ? lookupRoute(ns, pkt.dst)
        : lookupFlow(ns, { dst: pkt.dst, src: pkt.src, mark: pkt.mark, iif: link.name })
    if (route && (route.type === 'local' || route.type === 'broadcast')) {
      this.#routeHop(ns, route, pkt)
      return this.#input(ns, link, pkt, ct)
    }
    // The gateway stands for the network beyond the nodes: a cloud VPC's router or an ISP's edge.
    // Neither has a route for the cluster's private pod or Service ranges: a VPC route table
    // without a matching route blackholes the packet, and an ISP's default route ends in filters
    // that discard RFC 1918 destinations. Both stay silent (no ICMP net unreachable comes back),
    // so the sender sees only a timeout; the real lab's underlay, which does not forward, agrees.
    // What it has a route for (the internet segment, the underlay) it forwards.
    if (ns.kind === 'router' && (!route || route.type !== 'unicast'))
      return this.drop(ns, 'upstream-no-route', pkt, link.name)
    // Forwarding is decided by the interface the packet came in on (IN_DEV_FORWARD).
    if (interfaceConf(ns, link, 'forwarding') !== '1')
      return this.drop(ns, 'ip-forward-disabled', pkt, link.name)
    if (!route || route.type !== 'unicast') {
      this.hop(ns, 'route-lookup', { before: view(pkt), drop: 'no-route' })
      // ip_error: a blackhole stays silent; the others answer with their own code.
      const code = FORWARD_ERROR_CODES[routeErrno(route) ?? 'ENETUNREACH']
      if (code === undefined) return this.drop(ns, 'no-route', pkt, link.name)
      return {
        kind: 'icmp-error',
        ns,
        error: this.#icmpError(pkt, 3, code, this.#addressOn(ns, link.name) ?? 0)
      }
    }
    this.#routeHop(ns, route, pkt)
    if (pkt.ttl <= 1) {
      this.hop(ns, 'ip-forward', { device: link.name, drop: 'ttl-exceeded', before: view(pkt) })
      return {
        kind: 'icmp-error',
        ns,
        error: this.#icmpError(pkt, 11, 0, this.#icmpSource(ns, pkt) ?? this.#addressOn(ns, link.name) ?? 0)
      }
    }
    const outDev = route.dev === undefined ? undefined : linkByIndex(ns, route.dev)
    const v = this.#hook(ns, 'FORWARD', pkt, ct, link.name, outDev?.name)
    if (v.kind === 'DROP') return this.drop(ns, 'netfilter-drop', pkt, link.name)
    if (v.kind === 'REJECT') {
      this.hop(ns, 'icmp-error', {
        before: view(pkt),
        detail: { type: 3, code: 3, reason: 'netfilter-reject' }
      })
      return { kind: 'icmp-error', ns, error: this.#icmpError(pkt, 3, 3, pickSourceToward(ns, pkt.src) ?? 0) }
    }
    const before = view(pkt)
    decrementTtl(pkt)
    if (outDev)
      this.#push({
        seq: this.hops.length,
        leg: this.leg,
        netns: ns.id,
        stage: 'ip-forward',
        device: outDev.name,
        before,
        after: view(pkt),
        detail: { ttl: pkt.ttl },
        objectId: `${ns.id}/${outDev.name}`
      })
    else this.hop(ns, 'ip-forward', { device: undefined, before, after: view(pkt), detail: { ttl: pkt.ttl } })
    return this.#postRoutingAndOut(ns, pkt, route, ct, false, link.name)
  }

  /** INPUT hook, IPVS, then local delivery (ip_local_deliver). */
  #input(ns: Netns, link: Link, pkt: Packet, ct: CtAssoc | undefined): LegEnd {
    const v = this.#hook(ns, 'INPUT', pkt, ct, link.name, undefined)
    if (v.kind === 'DROP') return this.drop(ns, 'netfilter-drop', pkt, link.name)
    if (v.kind === 'REJECT') {
      this.hop(ns, 'icmp-error', {
        before: view(pkt),
        detail: { type: 3, code: 3, reason: 'netfilter-reject' }
      })
      return { kind: 'icmp-error', ns, error: this.#icmpError(pkt, 3, 3, pkt.dst) }
    }
    const vs = virtualServerFor(ns, pkt)
    if (vs && ct && ct.dir === 'orig' && !ct.entry.dnat) {
      const rs = scheduleRealServer(vs, pkt.src, this.lab.clock.nowMs)
      if (!rs) {
        // ip_vs_leave: a virtual service without destinations answers port unreachable.
        this.hop(ns, 'ipvs', {
          before: view(pkt),
          detail: { service: `${formatIpv4(vs.vip)}:${vs.port}`, scheduler: vs.scheduler, realServer: 'none' }
        })
        return { kind: 'icmp-error', ns, error: this.#icmpError(pkt, 3, 3, pkt.dst) }
      }
      rs.activeConn++
      const service = `${formatIpv4(vs.vip)}:${vs.port}`
      // ip_vs_xmit's decrement_ttl: IPVS forwards like a router, but still on the input route to
      // its own address, so icmp_send answers from the virtual address.
      if (pkt.ttl <= 1) {
        this.hop(ns, 'ipvs', {
          drop: 'ttl-exceeded',
          before: view(pkt),
          detail: { service, scheduler: vs.scheduler }
        })
        return { kind: 'icmp-error', ns, error: this.#icmpError(pkt, 11, 0, pkt.dst) }
      }
      const before = view(pkt)
      this.#applyNat(ns, { kind: 'DNAT', toIp: rs.ip, toPort: rs.port }, pkt, ct)
      decrementTtl(pkt)
      this.hop(ns, 'ipvs', {
        before,
        after: view(pkt),
        detail: {
          service,
          scheduler: vs.scheduler,
          realServer: `${formatIpv4(rs.ip)}:${rs.port}`
        }
      })
      const route = lookupRoute(ns, pkt.dst)
      if (!route) return this.drop(ns, 'no-route', pkt)
      return this.#postRoutingAndOut(ns, pkt, route, ct, false, link.name)
    }
    if (vs && ct && ct.dir === 'orig' && ct.entry.dnat) {
      const route = lookupRoute(ns, ct.entry.reply.src)
      natDst(ct, pkt)
      if (!route) return this.drop(ns, 'no-route', pkt)
      return this.#postRoutingAndOut(ns, pkt, route, ct, false, link.name)
    }
    natSrc(ct, pkt)
    confirm(ct, pkt, this.lab.clock.nowMs)
    if (pkt.l4.kind === 'udp') {
      const dport = pkt.l4.dport
      let vx: VxlanLink | undefined
      for (const l of ns.links) {
        if (l.kind === 'vxlan' && l.dstport === dport) {
          vx = l
          break
        }
      }
      if (vx && pkt.inner) {
        if (pkt.vni !== vx.vni || !vx.up) return this.drop(ns, 'no-socket', pkt, vx.name)
        const inner = pkt.inner
        this.#push({
          seq: this.hops.length,
          leg: this.leg,
          netns: ns.id,
          stage: 'vxlan-decap',
          device: vx.name,
          before: view(pkt),
          after: view(inner),
          detail: { vni: vx.vni },
          objectId: `${ns.id}/${vx.name}`
        })
        return this.receive(ns, vx, inner)
      }
    }
    this.#push({
      seq: this.hops.length,
      leg: this.leg,
      netns: ns.id,
      stage: 'local-deliver',
      device: link.name,
      before: view(pkt),
      objectId: `${ns.id}/${link.name}`
    })
    return { kind: 'local', ns, pkt }
  }

  /** Builds an ICMP error quoting `pkt`, sent from `from` back to its source. */
  #icmpError(pkt: Packet, type: number, code: number, from: Ipv4): Packet {
    return makePacket(from, pkt.src, 64, 0, false, 0xc0, icmpL4(type, code, 0, 0, quotable(pkt)), 0)
  }
}

const IPVS_PROTO = { tcp: 'TCP', udp: 'UDP' } as const

/** The IPVS virtual service a delivered packet is addressed to (every local delivery asks). */
function virtualServerFor(ns: Netns, pkt: Packet): Netns['ipvs'][number] | undefined {
  const l4 = pkt.l4
  if (l4.kind === 'icmp') return undefined
  const proto = IPVS_PROTO[l4.kind]
  for (const s of ns.ipvs) if (s.vip === pkt.dst && s.port === l4.dport && s.proto === proto) return s
  return undefined
}

/** Whether `mac` is the bridge device's own (a `local` FDB entry on the bridge itself). */
function ownFdbMac(br: BridgeLink, mac: Mac | undefined): boolean {
  for (const e of br.fdb) if (e.local && e.mac === mac && e.port === br.ifindex) return true
  return false
}

function pickSourceOn(ns: Netns, dev: Link): Ipv4 | undefined {
  return ns.addresses.find((a) => a.ifindex === dev.ifindex)?.address
}

/** Source address for a packet the kernel sends toward `dst` (ICMP errors). */
function pickSourceToward(ns: Netns, dst: Ipv4): Ipv4 | undefined {
  const r = lookupRoute(ns, dst)
  return r ? pickSource(ns, r, dst) : undefined
}

export function nextIpId(ns: Netns): number {
  const id = ns.ipIdNext
  ns.ipIdNext = (ns.ipIdNext % 65535) + 1
  return id
}

/** A frame as a device's byte counters take it: the IP packet and its Ethernet header. */
function frameBytes(pkt: Packet): number {
  return ipLength(pkt) + (pkt.eth ? 14 : 0)
}

/** udp_flow_src_port: a hash of the inner flow scaled into the ephemeral range. */
function flowPort(inner: Packet): number {
  const l4 = inner.l4
  const a = l4.kind === 'icmp' ? l4.id : l4.sport
  const b = l4.kind === 'icmp' ? 0 : l4.dport
  let h =
    (inner.src ^ Math.imul(inner.dst, 0x9e3779b1) ^ Math.imul(a, 0x85ebca6b) ^ Math.imul(b, 0xc2b2ae35)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0
  return EPHEMERAL_LOW + (h % (EPHEMERAL_HIGH - EPHEMERAL_LOW + 1))
}
