import type { Lab } from '../kube/lab.ts'
import type { Link } from '../linux/link.ts'
import { linkByName, type Netns } from '../linux/netns.ts'
import { CT_TIMEOUTS } from '../linux/conntrack.ts'
import { ctTimeoutChanged } from '../linux/conntrack-index.ts'
import { lookupBound, lookupRoute, pickSource } from '../linux/ops.ts'
import { formatIpv4, parseIpv4, type Ipv4 } from '../net/ipv4.ts'
import { nextRandom, randomInt } from '../net/rng.ts'
import { runKernelTimers } from './kernel-timers.ts'
import { coreDnsAnswer } from '../kube/coredns-answer.ts'
import { dnsWireLength } from '../net/dns-message.ts'
import { appAnswer } from './lab-app.ts'
import {
  clonePacket,
  icmpL4,
  makePacket,
  setSource,
  setTtlAndDf,
  tcpL4,
  udpL4,
  view,
  type Packet
} from './packet.ts'
import { synRetransmitTimes, synRetries } from './syn-retransmission.ts'
import { icmpErrorAllowed } from '../linux/icmp-rate-limit.ts'
import { advertisedMss, TcpSocket } from './tcp-socket.ts'
import type { ProbeSpec, Trace, TraceOutcome } from './trace.ts'
import { EPHEMERAL_HIGH, EPHEMERAL_LOW, nextIpId, Walk, type LegEnd } from './walk.ts'

/** The namespace a probe starts in: a node, a pod (or pod/container), or an external host. */
export function sourceNetns(lab: Lab, from: string): Netns | undefined {
  const podName = from.includes('/') ? from.slice(0, from.indexOf('/')) : from
  for (const pod of lab.pods) if (pod.name === podName) return lab.netns.get(pod.netns)
  if (from.includes('/')) return undefined
  return lab.netns.get(from)
}

/** Moves the logical clock (ping's 1 s interval, `sleep`): neighbour, FDB and conntrack ageing follow it. */
export function advanceClock(lab: Lab, ms: number): void {
  lab.clock.nowMs += ms
  runKernelTimers(lab)
  lab.capture.release(lab.clock.nowMs)
}

/** Moves the logical clock to `atMs`, with what the kernel's timers do on the way. */
export function advanceClockTo(lab: Lab, atMs: number): void {
  lab.clock.nowMs = atMs
  runKernelTimers(lab)
  lab.capture.release(lab.clock.nowMs)
}

function request(ns: Netns, lab: Lab, spec: ProbeSpec, dst: number): { pkt: Packet; socket?: TcpSocket } {
  const df = spec.dontFragment ?? true
  const ttl = spec.ttl ?? 64
  if (spec.proto === 'icmp') {
    // Linux leaves the IP id 0 on DF datagrams of ping sockets (docs/networking-facts.md's capture).
    const id = df ? 0 : nextIpId(ns)
    return {
      pkt: makePacket(
        0,
        dst,
        ttl,
        id,
        df,
        0,
        icmpL4(8, 0, spec.icmpId ?? randomInt(lab.rng, 1, 65535), spec.seq ?? 1),
        spec.size ?? 56
      )
    }
  }
  const sport = spec.sourcePort ?? randomInt(lab.rng, EPHEMERAL_LOW, EPHEMERAL_HIGH)
  const port = spec.port ?? 80
  if (spec.proto === 'tcp') {
    // The MSS comes from the route the socket chose, before any DNAT: to a ClusterIP that is
    // the route to the Service range, whatever pod the SYN reaches.
    const socket = new TcpSocket(lab, ns, 0, dst, sport, port, advertisedMss(ns, dst), false)
    const pkt = socket.segment('S')
    setTtlAndDf(pkt, ttl, df)
    return { pkt, socket }
  }
  if (spec.dns)
    return {
      pkt: makePacket(0, dst, ttl, nextIpId(ns), df, 0, udpL4(sport, port, spec.dns), dnsWireLength(spec.dns))
    }
  return { pkt: makePacket(0, dst, ttl, nextIpId(ns), df, 0, udpL4(sport, port), spec.size ?? 6) }
}

/** The socket listening for a delivered TCP or UDP datagram (a loop: it runs for every probe). */
function listener(at: Netns, req: Packet): Netns['sockets'][number] | undefined {
  const l4 = req.l4
  if (l4.kind === 'icmp') return undefined
  for (const s of at.sockets)
    if (s.proto === l4.kind && s.port === l4.dport && (s.addr === 0 || s.addr === req.dst)) return s
  return undefined
}

/** What the receiving kernel or application sends back for a delivered request. */
function answer(
  lab: Lab,
  at: Netns,
  req: Packet
):
  | { kind: 'packet'; pkt: Packet; servedBy?: string; payload?: string; socket?: TcpSocket }
  | { kind: 'error'; pkt: Packet }
  | undefined {
  let pod: Lab['pods'][number] | undefined
  for (const p of lab.pods) {
    if (p.netns === at.id && !p.hostNetwork) {
      pod = p
      break
    }
  }
  const id = nextIpId(at)
  const l4 = req.l4
  if (l4.kind === 'icmp') {
    if (l4.type !== 8) return undefined
    return {
      kind: 'packet',
      pkt: makePacket(req.dst, req.src, 64, id, false, 0, icmpL4(0, 0, l4.id, l4.seq), req.payloadLength),
      ...(pod ? { servedBy: pod.name } : {})
    }
  }
  const socket = listener(at, req)
  if (l4.kind === 'tcp') {
    if (!socket)
      return {
        kind: 'packet',
        pkt: makePacket(
          req.dst,
          req.src,
          64,
          0,
          true,
          0,
          tcpL4(l4.dport, l4.sport, 'R.', 0, (l4.seq + 1) >>> 0, 0, []),
          0
        )
      }
    // The SYN-ACK's MSS is the server's own, from its route back to the client.
    const server = new TcpSocket(
      lab,
      at,
      req.dst,
      req.src,
      l4.dport,
      l4.sport,
      advertisedMss(at, req.src),
      true
    )
    server.receive(req)
    return {
      kind: 'packet',
      pkt: server.segment('S.'),
      servedBy: socket.reply,
      payload: socket.app === 'http' ? socket.reply : '',
      socket: server
    }
  }
  if (!socket) {
    const quoted = clonePacket(req)
    return {
      kind: 'error',
      pkt: makePacket(req.dst, req.src, 64, id, false, 0xc0, icmpL4(3, 3, 0, 0, quoted), 0)
    }
  }
  if (socket.app === 'coredns' && l4.dns) {
    const reply = coreDnsAnswer(lab, l4.dns)
    return {
      kind: 'packet',
      pkt: makePacket(
        req.dst,
        req.src,
        64,
        id,
        true,
        0,
        udpL4(l4.dport, l4.sport, reply),
        dnsWireLength(reply)
      ),
      servedBy: socket.reply
    }
  }
  return {
    kind: 'packet',
    pkt: makePacket(req.dst, req.src, 64, id, true, 0, udpL4(l4.dport, l4.sport), req.payloadLength),
    servedBy: socket.reply
  }
}

/** Whether a packet arriving back at the sender belongs to the probe's socket (ICMP errors: by the datagram they quote). */
function matchesProbe(reply: Packet, req: Packet, dst: number): boolean {
  const a = reply.l4
  const b = req.l4
  if (a.kind === 'icmp' && a.type !== 0 && a.type !== 8) {
    const q = a.quoted
    if (!q || q.src !== req.src || q.l4.kind !== b.kind) return false
    if (q.l4.kind === 'icmp' && b.kind === 'icmp') return q.l4.id === b.id
    return q.l4.kind !== 'icmp' && b.kind !== 'icmp' && q.l4.sport === b.sport
  }
  if (reply.src !== dst) return false
  if (a.kind === 'icmp' && b.kind === 'icmp') return a.id === b.id
  if (a.kind === 'tcp' && b.kind === 'tcp') return a.dport === b.sport && a.sport === b.dport
  if (a.kind === 'udp' && b.kind === 'udp') return a.dport === b.sport && a.sport === b.dport
  return false
}

function errorOutcome(err: Packet): TraceOutcome {
  const l4 = err.l4
  if (l4.kind !== 'icmp') return { kind: 'no-reply' }
  return {
    kind: 'icmp-error',
    from: formatIpv4(err.src),
    type: l4.type,
    code: l4.code,
    ...(l4.mtu !== undefined ? { mtu: l4.mtu } : {})
  }
}

/** The hop where the receiving kernel decides: a listening socket takes it, or the kernel answers itself. */
function recordAnswer(walk: Walk, at: Netns, req: Packet, ans: ReturnType<typeof answer>): void {
  const l4 = req.l4
  const socket = listener(at, req)
  if (socket)
    walk.hop(at, 'socket-deliver', {
      detail: {
        proto: socket.proto,
        port: socket.port,
        process: socket.processName,
        pid: socket.pid,
        app: socket.app
      }
    })
  if (!ans) return
  const stage =
    ans.kind === 'error'
      ? 'icmp-error'
      : l4.kind === 'icmp'
        ? 'icmp-reply'
        : l4.kind === 'tcp'
          ? 'tcp-reply'
          : 'socket-deliver'
  if (stage === 'socket-deliver') return
  walk.hop(at, stage, {
    after: view(ans.pkt),
    ...(ans.kind === 'error' || (ans.pkt.l4.kind === 'tcp' && ans.pkt.l4.flags.startsWith('R'))
      ? { drop: 'no-socket' as const }
      : {})
  })
}

/**
 * tcp_v4_send_reset for a segment no socket owns: a segment with an ACK is answered by a bare
 * RST whose sequence number is that ACK; a reset is never answered.
 */
function resetFor(stray: Packet): Packet | undefined {
  const l4 = stray.l4
  if (l4.kind !== 'tcp' || l4.flags.includes('R') || !l4.flags.includes('.')) return undefined
  return makePacket(stray.dst, stray.src, 64, 0, true, 0, tcpL4(l4.dport, l4.sport, 'R', l4.ack, 0, 0, []), 0)
}

/** Time a socket takes to answer a segment it received (the application's wake-up included). */
const SEGMENT_GAP_MS = 0.02

/** The least time a kernel takes to turn a packet it received into its answer, and the spread on top. */
const TURNAROUND_MS = 0.035
const TURNAROUND_JITTER_MS = 0.04

/**
 * The rest of a connection after the handshake, as the kernel and the lab's apps play it
 * (captured from curl 7.88 and the lab's app between real namespaces): the client's ACK and
 * request, the server's immediate ACK (quick-ack mode at a connection's start), the answer and
 * its ACK, then the close — an HTTP app closes first (`Connection: close`), each FIN answered
 * by the peer's. Returns what the client received, or undefined when a segment was lost.
 */
function converse(
  walk: Walk,
  client: TcpSocket,
  server: TcpSocket,
  request: string,
  app: Netns['sockets'][number] | undefined
): string | undefined {
  const send = (from: TcpSocket, flags: string, data?: string): boolean => {
    const to = from === client ? server : client
    const lab = walk.lab
    // Each segment leaves once the one before it has arrived and its receiver has acted on it.
    advanceClockTo(lab, Math.round((lab.clock.nowMs + walk.elapsedMs + SEGMENT_GAP_MS) * 1000) / 1000)
    walk.elapsedMs = 0
    walk.leg = from === client ? 'request' : 'reply'
    const end = walk.localOut(from.ns, from.segment(flags, data), { originating: false })
    if (end.kind !== 'local' || end.ns !== to.ns) return false
    to.receive(end.pkt)
    return true
  }
  const answer = appAnswer(app, request)
  const ok =
    send(client, '.') &&
    // A client with nothing to say (nc -z) closes right after the handshake.
    (request === '' || (send(client, 'P.', request) && send(server, '.'))) &&
    (answer.data === '' || (send(server, 'P.', answer.data) && send(client, '.'))) &&
    (answer.serverClosesFirst
      ? send(server, 'F.') && send(client, 'F.') && send(server, '.')
      : send(client, 'F.') && send(server, 'F.') && send(client, '.'))
  return ok ? answer.data : undefined
}

/**
 * A probe that stops at the SYN-ACK stands for a connection that a client finished at once: the
 * entries it made are left as the kernel leaves a closed connection's.
 */
function closeTcpFlows(walk: Walk, now: number): void {
  // Only the probe's own connection, one entry per namespace it crossed: no table is scanned.
  for (const [e, ns] of walk.tcpFlows) {
    if (e.seenReply && e.tcpState === 'SYN_RECV') {
      const unconfirmed = e.expiresAt === -1
      e.tcpState = 'TIME_WAIT'
      e.assured = true
      e.expiresAt = now + CT_TIMEOUTS.tcpTimeWait * 1000
      ctTimeoutChanged(ns.conntrack, e, unconfirmed)
    }
  }
}

/**
 * One probe's exchange: the walk, the probe as sent, and what came back so far. Its steps are
 * methods rather than closures made afresh for every probe, which were a share of a short trace.
 */
class ProbeExchange {
  outcome: TraceOutcome = { kind: 'no-reply' }
  servedBy: string | undefined
  answeredIn: string | undefined
  synAck: Packet | undefined
  /** When the answer reached the sender, after the probe left: the round trip ping and curl report. */
  answeredAfterMs: number | undefined
  /** Whether the answering kernel's turnaround was drawn: once per probe, at the first answer. */
  turned = false

  constructor(
    readonly lab: Lab,
    readonly spec: ProbeSpec,
    readonly walk: Walk,
    /** The sender's namespace. */
    readonly ns: Netns,
    readonly dst: number,
    /** The probe as it was sent, before any hop rewrote it. */
    readonly sent: Packet,
    readonly client: TcpSocket | undefined,
    /** Lab time the probe left. */
    readonly at: number
  ) {}

  /**
   * The time between a packet reaching the kernel that answers it and the answer leaving, what
   * the scheduler adds to a real round trip.
   */
  turnaround(): void {
    if (this.turned) return
    this.turned = true
    this.walk.elapsedMs += TURNAROUND_MS + nextRandom(this.lab.rng) * TURNAROUND_JITTER_MS
  }

  back(leg: 'reply' | 'error', from: Netns, pkt: Packet): LegEnd {
    this.turnaround()
    this.walk.leg = leg
    this.answeredIn = from.id
    return this.walk.localOut(from, pkt, { originating: false })
  }

  /** The sender's own namespace is exempt from the limit: an error to a local address leaves by lo. */
  sendError(from: Netns, err: Packet): LegEnd | undefined {
    const l4 = err.l4
    if (
      from !== this.ns &&
      l4.kind === 'icmp' &&
      !icmpErrorAllowed(from, err.dst, l4.type, l4.code, this.lab.clock.nowMs)
    ) {
      this.walk.hop(from, 'drop', { before: view(err), drop: 'icmp-rate-limited' })
      return undefined
    }
    return this.back('error', from, err)
  }

  settle(e: LegEnd | undefined, kind: 'reply' | 'error', payload?: string): void {
    if (e === undefined) return
    const walk = this.walk
    if (e.kind === 'local' && e.ns === this.ns && matchesProbe(e.pkt, this.sent, this.dst)) {
      const p = e.pkt
      this.answeredAfterMs ??= this.lab.clock.nowMs + walk.elapsedMs - this.at
      if (p.l4.kind === 'tcp' && p.l4.flags === 'S.') this.synAck = p
      if (kind === 'error' || (p.l4.kind === 'icmp' && p.l4.type !== 0)) this.outcome = errorOutcome(p)
      else if (p.l4.kind === 'tcp' && p.l4.flags.startsWith('R'))
        this.outcome = { kind: 'refused', from: formatIpv4(p.src) }
      else
        this.outcome = {
          kind: 'reply',
          from: formatIpv4(p.src),
          ttl: p.ttl,
          ...(payload !== undefined ? { payload } : {}),
          ...(p.l4.kind === 'udp' && p.l4.dns ? { dns: p.l4.dns } : {})
        }
    } else if (e.kind === 'local') {
      // No socket waits for this answer (e.g. a reply that escaped un-DNAT): the kernel discards
      // it, and answers a stray TCP segment with a reset.
      walk.hop(e.ns, 'drop', { before: view(e.pkt), drop: 'no-socket' })
      const rst = resetFor(e.pkt)
      if (rst) {
        walk.leg = 'request'
        walk.localOut(e.ns, rst, { originating: false })
      }
    } else if (e.kind === 'icmp-error' && kind === 'reply') {
      this.settle(this.sendError(e.ns, e.error), 'error')
    }
  }

  attempt(syn: Packet): void {
    const { lab, ns, walk, client, spec } = this
    const end = walk.localOut(ns, syn)
    if (end.kind === 'local-error') {
      this.outcome =
        end.errno === 'EHOSTUNREACH' && end.from !== undefined
          ? { kind: 'icmp-error', from: formatIpv4(end.from), type: 3, code: 1 }
          : { kind: 'local-error', errno: end.errno, ...(end.mtu !== undefined ? { mtu: end.mtu } : {}) }
    } else if (end.kind === 'icmp-error') {
      if (end.ns === ns) {
        const error = errorOutcome(end.error)
        this.outcome =
          end.sendErrno && error.kind === 'icmp-error' ? { ...error, sendErrno: end.sendErrno } : error
      } else this.settle(this.sendError(end.ns, end.error), 'error')
    } else if (end.kind === 'local') {
      const ans = answer(lab, end.ns, end.pkt)
      recordAnswer(walk, end.ns, end.pkt, ans)
      if (ans?.kind === 'error') this.settle(this.sendError(end.ns, ans.pkt), 'error')
      else if (ans) {
        this.servedBy = ans.servedBy
        const server = ans.socket
        this.settle(this.back('reply', end.ns, ans.pkt), 'reply', ans.payload)
        const answered = this.outcome
        if (answered.kind === 'reply' && client && server && this.synAck && spec.payload !== undefined) {
          client.receive(this.synAck)
          const app = listener(end.ns, end.pkt)
          const data = converse(walk, client, server, spec.payload, app)
          this.outcome = data === undefined ? { kind: 'no-reply' } : { ...answered, payload: data }
        }
      }
    }
  }

  /** A handshake that failed later (a lost data segment) is not the SYN's to retry. */
  synUnanswered(): boolean {
    return this.synAck === undefined && this.outcome.kind === 'no-reply'
  }
}

/** The source address the kernel gives a socket's packets to `dst`, bound to `bound` or not. */
export function sourceFor(ns: Netns, dst: Ipv4, bound?: Link): Ipv4 | undefined {
  const route =
    bound === undefined
      ? lookupRoute(ns, dst)
      : lookupBound(ns, { dst, src: 0, mark: 0, iif: 'lo', oif: bound.name }, bound.ifindex)
  return route && pickSource(ns, route, dst)
}

/**
 * Sends one probe and walks it through every kernel it meets, then walks the answer (echo
 * reply, SYN-ACK, RST, UDP reply or ICMP error) back; a TCP probe with a payload goes on
 * through the whole connection (`converse`). Mutates the lab like real traffic: counters,
 * conntrack, ARP caches, bridge FDBs, the capture log.
 */
export function sendProbe(lab: Lab, spec: ProbeSpec): Trace {
  return walkProbe(lab, spec).trace
}

/** A probe's trace and the lab time its walk's last frame or verdict came, which may be past the clock. */
function walkProbe(lab: Lab, spec: ProbeSpec): { trace: Trace; endsAtMs: number } {
  const ns = sourceNetns(lab, spec.from)
  if (!ns) throw new Error(`no node, pod or host named ${spec.from}`)
  const dst = parseIpv4(spec.to)
  if (dst === undefined) throw new Error(`not an IPv4 address: ${spec.to}`)
  const walk = new Walk(lab)
  const { pkt: req, socket: client } = request(ns, lab, spec, dst)
  const bound = spec.bindDevice === undefined ? undefined : linkByName(ns, spec.bindDevice)
  if (bound) walk.bound = { ns, link: bound }
  const chosen = spec.bindAddress === undefined ? undefined : parseIpv4(spec.bindAddress)
  setSource(req, chosen ?? sourceFor(ns, dst, bound) ?? 0)
  if (client) client.src = req.src
  const sent = clonePacket(req)
  walk.hop(ns, 'socket-send', { after: { mark: 0, payloadLength: req.payloadLength } })
  const at = lab.clock.nowMs
  const x = new ProbeExchange(lab, spec, walk, ns, dst, sent, client, at)
  x.attempt(req)
  if (client && spec.connectWaitMs !== undefined) {
    for (const after of synRetransmitTimes(spec.connectWaitMs, synRetries(ns))) {
      if (!x.synUnanswered()) break
      // The lost SYN took its unconfirmed entries with it; the timers never see them.
      walk.finish()
      advanceClockTo(lab, at + after)
      walk.elapsedMs = 0
      walk.leg = 'request'
      const syn = client.retransmitSyn()
      setTtlAndDf(syn, sent.ttl, sent.df)
      walk.hop(ns, 'socket-send', { after: { mark: 0, payloadLength: 0 } })
      x.attempt(syn)
    }
  }
  const outcome = x.outcome
  const servedBy = outcome.kind === 'reply' ? x.servedBy : undefined
  const answeredIn = x.answeredIn
  const endsAtMs = Math.round((lab.clock.nowMs + walk.elapsedMs) * 1000) / 1000
  // The sender is done when the answer it waited for has arrived: what it does next comes later.
  if ((outcome.kind === 'reply' || outcome.kind === 'refused') && spec.readsAnswerLater !== true)
    advanceClockTo(lab, endsAtMs)
  if (outcome.kind === 'reply' && spec.proto === 'tcp' && spec.payload === undefined)
    closeTcpFlows(walk, lab.clock.nowMs)
  walk.finish()
  const hops = walk.hops
  const trace: Trace = {
    probe: spec,
    source: ns.id,
    sourcePort: req.l4.kind === 'icmp' ? req.l4.id : req.l4.sport,
    hops,
    outcome,
    rulesEvaluated: walk.rulesEvaluated,
    at,
    ...(servedBy !== undefined ? { servedBy } : {}),
    ...(answeredIn !== undefined ? { answeredIn } : {})
  }
  if (outcome.kind !== 'no-reply' && outcome.kind !== 'local-error') {
    // An error the sender's own kernel raised came back without a turnaround.
    x.turnaround()
    trace.rttMs = Math.round((x.answeredAfterMs ?? walk.elapsedMs) * 1000) / 1000
  }
  return { trace, endsAtMs }
}

/**
 * A probe sent on its own rather than by a command line (the packet stepper, a lesson's trace):
 * nothing else is sent after it, so the clock moves on to its last frame (a neighbour resolution
 * that failed ends seconds after the probe left) and whatever comes next is stamped after every
 * frame it showed. Running captures get all it sent, in their time order.
 */
export function sendTrace(lab: Lab, spec: ProbeSpec): Trace {
  const { trace, endsAtMs } = walkProbe(lab, spec)
  if (endsAtMs > lab.clock.nowMs) advanceClockTo(lab, endsAtMs)
  lab.capture.release(Number.POSITIVE_INFINITY)
  return trace
}
