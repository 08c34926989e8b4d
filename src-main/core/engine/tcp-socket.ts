import type { Lab } from '../kube/lab.ts'
import { linkByIndex, type Netns } from '../linux/netns.ts'
import { lookupRoute } from '../linux/ops.ts'
import type { Ipv4 } from '../net/ipv4.ts'
import { randomInt } from '../net/rng.ts'
import { makePacket, tcpL4, type Packet } from './packet.ts'
import type { TcpOption } from './trace.ts'
import { nextIpId } from './walk.ts'

/**
 * One end of a TCP connection as its kernel keeps it: the sequence numbers, the timestamps
 * and the window it advertises, and the segments it writes from them. Everything random in the
 * kernel (initial sequence number, timestamp offset) comes from the lab's seeded generator.
 */

/**
 * The window scale Linux offers: it follows tcp_rmem's maximum, which the kernel sizes from the
 * machine's memory; 7 is what a small VM (a typical lab node) offers.
 */
export const WINDOW_SCALE = 7

/**
 * Options without per-segment values, one object each for every segment: a segment's options
 * are shared and never changed (see TcpL4), so only the timestamp and MSS are made anew.
 */
const NOP: TcpOption = { kind: 'nop' }
const SACK_OK: TcpOption = { kind: 'sackOK' }
const WSCALE: TcpOption = { kind: 'wscale', value: WINDOW_SCALE }
const utf8 = new TextEncoder()

/** The MSS a socket advertises: the MTU of the device its route leaves by, less IP and TCP headers. */
export function advertisedMss(ns: Netns, dst: Ipv4): number {
  const route = lookupRoute(ns, dst)
  const dev = route?.dev === undefined ? undefined : linkByIndex(ns, route.dev)
  // ipv4_default_advmss caps the MTU at the largest IPv4 datagram (loopback's 65536 gives 65495).
  return Math.min(dev?.mtu ?? 1500, 65535) - 40
}

/**
 * tcp_select_initial_window: the largest multiple of the MSS that fits 65535 — on a SYN the MSS
 * the socket advertises, on a SYN-ACK that MSS less the 12 bytes timestamps take from every
 * later segment.
 */
export function initialWindow(mss: number, synAck: boolean): number {
  const unit = synAck ? mss - 12 : mss
  return Math.floor(65535 / unit) * unit
}

/** Once scaled, the kernel rounds the free space it offers up to the scale's granularity. */
export function scaledWindow(initial: number): number {
  return Math.ceil(initial / (1 << WINDOW_SCALE))
}

/**
 * The kernel keys a connection's timestamp offset with a secret hash, as it keys the initial
 * sequence number; hashing the (seeded) ISN gives an equally unrelated value without drawing
 * from the lab's generator again.
 */
function mix32(x: number): number {
  let h = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

export class TcpSocket {
  sndNxt: number
  rcvNxt = 0
  /** The peer's last timestamp value, echoed in ecr. */
  tsRecent = 0
  readonly #tsOffset: number
  readonly #initialWindow: number
  /** A connected socket numbers its datagrams itself (inet_id), from where its first one started. */
  #ipId: number | undefined

  constructor(
    readonly lab: Lab,
    readonly ns: Netns,
    public src: Ipv4,
    readonly dst: Ipv4,
    readonly sport: number,
    readonly dport: number,
    readonly mss: number,
    readonly passive: boolean
  ) {
    this.sndNxt = randomInt(lab.rng, 0, 0xffffffff)
    this.#tsOffset = mix32(this.sndNxt)
    this.#initialWindow = initialWindow(mss, passive)
  }

  /** tcp_clock_ms plus the connection's random offset. */
  #tsVal(): number {
    return (this.#tsOffset + Math.floor(this.lab.clock.nowMs)) >>> 0
  }

  /** SYN or SYN-ACK: mss, sackOK, timestamps, nop, wscale — the order tcp_options_write uses. */
  synOptions(): TcpOption[] {
    return [
      { kind: 'mss', value: this.mss },
      SACK_OK,
      { kind: 'ts', val: this.#tsVal(), ecr: this.tsRecent },
      NOP,
      WSCALE
    ]
  }

  /**
   * The next segment: SYN/SYN-ACK carry the unscaled initial window and the handshake options,
   * every later one the scaled window and nop,nop,TS.
   */
  segment(flags: string, data?: string): Packet {
    const syn = flags.includes('S')
    const seq = this.sndNxt
    const length = data === undefined ? 0 : utf8.encode(data).length
    this.sndNxt = (this.sndNxt + length + (syn || flags.includes('F') ? 1 : 0)) >>> 0
    const options: readonly TcpOption[] = syn
      ? this.synOptions()
      : [NOP, NOP, { kind: 'ts', val: this.#tsVal(), ecr: this.tsRecent }]
    const window = syn ? this.#initialWindow : scaledWindow(this.#initialWindow)
    const ack = flags.includes('.') ? this.rcvNxt : 0
    // A SYN-ACK leaves from a request socket before the connection has a counter: its id is 0.
    const id = syn && this.passive ? 0 : this.#nextIpId()
    return makePacket(
      this.src,
      this.dst,
      64,
      id,
      true,
      0,
      tcpL4(this.sport, this.dport, flags, seq, ack, window, options, data),
      length
    )
  }

  /**
   * The SYN again, as tcp_retransmit_skb sends it: the same sequence number and options, a
   * timestamp read from the clock now, and the connection's next IP id.
   */
  retransmitSyn(): Packet {
    this.sndNxt = (this.sndNxt - 1) >>> 0
    return this.segment('S')
  }

  #nextIpId(): number {
    this.#ipId =
      this.#ipId === undefined
        ? this.passive
          ? randomInt(this.lab.rng, 1, 65535)
          : nextIpId(this.ns)
        : (this.#ipId % 65535) + 1
    return this.#ipId
  }

  /** What the socket learns from a segment that reached it. */
  receive(p: Packet): void {
    const l4 = p.l4
    if (l4.kind !== 'tcp') return
    const syn = l4.flags.includes('S')
    const fin = l4.flags.includes('F')
    this.rcvNxt = (l4.seq + p.payloadLength + (syn || fin ? 1 : 0)) >>> 0
    for (const o of l4.options) if (o.kind === 'ts') this.tsRecent = o.val
  }
}
