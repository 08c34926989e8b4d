import type { DropReason, Hop, PacketView, TcpView, Trace } from '../engine/trace.ts'
import { innermost } from './place.ts'

/**
 * The TCP segments of a trace, in the order they were sent: a whole connection is a dozen
 * segments and several hundred kernel hops, and a learner follows it segment by segment (SYN,
 * SYN-ACK, ACK, the request …) the way tcpdump lists it.
 */
export interface TcpSegment {
  /** 1-based position in the connection. */
  number: number
  /** `request`: client to server; `reply`: server to client. */
  leg: 'request' | 'reply'
  /** First and last kernel hop (`seq`); segments are contiguous and cover every hop once. */
  hops: [number, number]
  /** tcpdump's notation: `S`, `S.`, `.`, `P.`, `F.`, `R.`, `R`. */
  flags: string
  seq: number
  ack: number
  /**
   * Sequence and acknowledgement numbers relative to the sender's and the receiver's initial
   * sequence numbers, as tcpdump prints them after the handshake (the SYN's own seq is 0).
   */
  relativeSeq: number
  relativeAck: number
  /** Payload bytes. */
  length: number
  /** The payload's first line (`GET / HTTP/1.1`, `HTTP/1.1 200 OK`), when it carries any. */
  firstLine?: string
  /** Source and destination as the sender wrote them, `ip:port`. */
  from: string
  to: string
  /** Where the segment died, when it did. */
  dropped?: { netns: string; device?: string; reason: DropReason }
}

/** Stages whose `after` is a packet the stack just created: the segment it starts. */
const CREATING_STAGES = new Set<Hop['stage']>(['tcp-reply', 'icmp-reply', 'icmp-error'])

function tcpSeen(h: Hop): { view: PacketView; tcp: TcpView } | undefined {
  const side = CREATING_STAGES.has(h.stage) ? h.after : (h.before ?? h.after)
  if (!side?.ip) return undefined
  const view = innermost(side)
  return view.l4?.kind === 'tcp' ? { view, tcp: view.l4 } : undefined
}

const keyOf = (t: TcpView): string => `${t.flags} ${t.seq} ${t.ack} ${t.data?.length ?? 0}`

/**
 * Where each segment starts and ends, found from the headers the hops saw: NAT and forwarding
 * rewrite addresses and ports but never flags, sequence or acknowledgement numbers, so a change
 * of those (or of the leg, or a new send) is a new segment. Hops that carry no TCP header (ARP,
 * the send itself) belong to the segment around them. Empty for a trace that is not TCP.
 */
export function tcpSegmentsOf(trace: Trace): TcpSegment[] {
  if (trace.probe.proto !== 'tcp') return []
  const hops = trace.hops
  const starts: { at: number; view: PacketView; tcp: TcpView; leg: Hop['leg'] }[] = []
  let key: string | undefined
  let leg: Hop['leg'] | undefined
  // A socket's send (the first SYN, a retransmission) starts a segment before any header is seen.
  let sentAt: number | undefined
  for (let i = 0; i < hops.length; i++) {
    const h = hops[i]!
    if (h.stage === 'socket-send') sentAt = i
    const seen = tcpSeen(h)
    if (!seen) continue
    const k = keyOf(seen.tcp)
    const created = CREATING_STAGES.has(h.stage)
    const newLeg = leg !== undefined && h.leg !== leg
    if (k !== key || newLeg || created || sentAt !== undefined) {
      // The stack that answers records its answer as the last step of taking the segment in
      // (that hop stays with the segment answered); the answer's own walk starts after it.
      const at = starts.length === 0 ? 0 : created ? Math.min(i + 1, hops.length - 1) : (sentAt ?? i)
      starts.push({ at, view: seen.view, tcp: seen.tcp, leg: h.leg })
      key = k
    }
    leg = created ? undefined : h.leg
    if (!created) starts.at(-1)!.leg = h.leg
    sentAt = undefined
  }
  const clientIsn = starts.find((s) => s.tcp.flags === 'S')?.tcp.seq
  const serverIsn = starts.find((s) => s.tcp.flags === 'S.')?.tcp.seq
  const relative = (n: number, isn: number | undefined): number =>
    isn === undefined ? n : (n - isn + 2 ** 32) % 2 ** 32
  return starts.map((s, n) => {
    const last = (starts[n + 1]?.at ?? hops.length) - 1
    const fromClient = s.leg !== 'reply'
    const drop = hops.slice(s.at, last + 1).find((h) => h.drop !== undefined)
    const firstLine = s.tcp.data?.split('\r\n')[0]
    return {
      number: n + 1,
      leg: fromClient ? 'request' : 'reply',
      hops: [hops[s.at]!.seq, hops[last]!.seq],
      flags: s.tcp.flags,
      seq: s.tcp.seq,
      ack: s.tcp.ack,
      relativeSeq: relative(s.tcp.seq, fromClient ? clientIsn : serverIsn),
      relativeAck: s.tcp.flags.includes('.') ? relative(s.tcp.ack, fromClient ? serverIsn : clientIsn) : 0,
      length: s.view.payloadLength,
      ...(firstLine ? { firstLine } : {}),
      from: `${s.view.ip!.src}:${s.tcp.sport}`,
      to: `${s.view.ip!.dst}:${s.tcp.dport}`,
      ...(drop?.drop
        ? {
            dropped: {
              netns: drop.netns,
              ...(drop.device !== undefined ? { device: drop.device } : {}),
              reason: drop.drop
            }
          }
        : {})
    }
  })
}
