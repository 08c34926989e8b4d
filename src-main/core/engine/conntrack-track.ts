import type { ConntrackTable, CtEntry, CtTuple, TcpCtState } from '../linux/conntrack.ts'
import { CT_TIMEOUTS, conntrackFull, INDEXED_TABLE_SIZE } from '../linux/conntrack.ts'
import { anyUnconfirmed, ctTimeoutChanged, findCtEntry } from '../linux/conntrack-index.ts'
import type { Netns } from '../linux/netns.ts'
import { announceCt, type NetlinkGroups } from '../linux/netlink.ts'
import {
  setDestination,
  setDestinationPort,
  setIcmpId,
  setSource,
  setSourcePort,
  type Packet
} from './packet.ts'

/** A packet's association with a conntrack entry in one namespace. */
export interface CtAssoc {
  entry: CtEntry
  dir: 'orig' | 'reply'
  /** ICMP error about a tracked flow. */
  related: boolean
  /** Created by this packet and not yet confirmed (NEW). */
  isNew: boolean
  /** The namespace's listeners, told when the packet confirms or changes the entry. */
  groups: NetlinkGroups
  /** The table the entry is in. */
  table: ConntrackTable
}

function tupleOf(p: Packet): CtTuple {
  const l4 = p.l4
  if (l4.kind === 'icmp') return { src: p.src, dst: p.dst, sport: l4.id, dport: 0 }
  return { src: p.src, dst: p.dst, sport: l4.sport, dport: l4.dport }
}

const same = (a: CtTuple, b: CtTuple): boolean =>
  a.src === b.src && a.dst === b.dst && a.sport === b.sport && a.dport === b.dport

function isIcmpError(p: Packet): boolean {
  return p.l4.kind === 'icmp' && (p.l4.type === 3 || p.l4.type === 11)
}

/** What nf_conntrack_in answers for a packet that needs a new entry while the table is full. */
export const TABLE_FULL = 'table-full'

/** nf_conntrack_in: find the packet's connection, or start a new one (unconfirmed until it leaves). */
export function trackPacket(ns: Netns, p: Packet): CtAssoc | undefined | typeof TABLE_FULL {
  if (p.l4.kind === 'icmp' && p.l4.quoted && isIcmpError(p)) {
    const q = p.l4.quoted
    const t = tupleOf(q)
    for (const entry of ns.conntrack.entries) {
      if (entry.proto !== q.l4.kind) continue
      if (same(t, entry.original))
        return { entry, dir: 'orig', related: true, isNew: false, groups: ns.netlink, table: ns.conntrack }
      const asSent = {
        src: entry.reply.dst,
        dst: entry.reply.src,
        sport: entry.reply.dport,
        dport: entry.reply.sport
      }
      if (same(t, asSent))
        return { entry, dir: 'reply', related: true, isNew: false, groups: ns.netlink, table: ns.conntrack }
    }
    return undefined
  }
  const l4 = p.l4
  if (l4.kind === 'icmp' && l4.type !== 8 && l4.type !== 0) return undefined
  // The packet's tuple is compared field by field, made into an object only for a new entry:
  // every packet in every namespace it crosses is looked up here.
  const proto = l4.kind
  const src = p.src
  const dst = p.dst
  const sport = l4.kind === 'icmp' ? l4.id : l4.sport
  const dport = l4.kind === 'icmp' ? 0 : l4.dport
  const entries = ns.conntrack.entries
  if (entries.length > INDEXED_TABLE_SIZE) {
    const found = findCtEntry(ns.conntrack, proto, src, dst, sport, dport)
    if (found) return associate(ns, found.entry, found.dir)
  } else {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!
      if (entry.proto !== proto) continue
      const o = entry.original
      if (o.src === src && o.dst === dst && o.sport === sport && o.dport === dport)
        return associate(ns, entry, 'orig')
      const r = entry.reply
      if (r.src === src && r.dst === dst && r.sport === sport && r.dport === dport)
        return associate(ns, entry, 'reply')
    }
  }
  if (l4.kind === 'tcp' && l4.flags !== 'S') return undefined
  // __nf_conntrack_alloc tries early_drop first, but it only looks at the few hash buckets next
  // to the new tuple's, among 65536: with a few thousand entries or fewer it almost never finds
  // an unassured one to evict, so the new flow's packet is dropped and existing flows go on.
  if (conntrackFull(ns.conntrack, ns.sysctl)) {
    ns.conntrack.drops = (ns.conntrack.drops ?? 0) + 1
    return TABLE_FULL
  }
  const t: CtTuple = { src, dst, sport, dport }
  const entry: CtEntry = {
    id: ns.conntrack.nextId++,
    proto,
    original: t,
    reply: {
      src: t.dst,
      dst: t.src,
      sport: p.l4.kind === 'icmp' ? t.sport : t.dport,
      dport: p.l4.kind === 'icmp' ? 0 : t.sport
    },
    seenReply: false,
    assured: false,
    mark: 0,
    // -1 marks an unconfirmed entry: it only joins the table for good when its first packet leaves.
    expiresAt: -1,
    dnat: false,
    snat: false
  }
  // Added last, where a spread would have put it, without a spread's temporary object.
  if (proto === 'tcp') entry.tcpState = 'SYN_SENT'
  ns.conntrack.entries.push(entry)
  return { entry, dir: 'orig', related: false, isNew: true, groups: ns.netlink, table: ns.conntrack }
}

/** A packet's association with an entry it was found in. */
function associate(ns: Netns, entry: CtEntry, dir: 'orig' | 'reply'): CtAssoc {
  return {
    entry,
    dir,
    related: false,
    isNew: dir === 'orig' && !entry.seenReply && entry.expiresAt === -1,
    groups: ns.netlink,
    table: ns.conntrack
  }
}

/** The ctstate iptables' conntrack match sees. */
export function ctState(a: CtAssoc | undefined): 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED' {
  if (!a) return 'INVALID'
  if (a.related) return 'RELATED'
  if (a.isNew) return 'NEW'
  return a.dir === 'reply' || a.entry.seenReply ? 'ESTABLISHED' : 'NEW'
}

/**
 * Confirms a new entry when its packet leaves the namespace (POSTROUTING / INPUT). As in
 * nf_conntrack_confirm, the events the packet caused go out here: NEW for a new entry, UPDATE
 * when it changed the TCP state, saw the first reply or made the entry assured.
 */
export function confirm(a: CtAssoc | undefined, p: Packet, now: number): void {
  if (!a || a.related) return
  const e = a.entry
  if (isSynRetransmit(a, p)) return
  const unconfirmed = e.expiresAt === -1
  const { tcpState, seenReply, assured } = e
  if (a.dir === 'reply' && !e.seenReply) e.seenReply = true
  if (e.proto === 'tcp' && p.l4.kind === 'tcp') e.tcpState = nextTcpState(e, a.dir, p.l4.flags)
  const timeout =
    e.proto === 'icmp'
      ? CT_TIMEOUTS.icmp
      : e.proto === 'udp'
        ? e.seenReply
          ? CT_TIMEOUTS.udpReplied
          : CT_TIMEOUTS.udpUnreplied
        : TCP_TIMEOUT[e.tcpState ?? 'SYN_SENT']
  e.expiresAt = now + timeout * 1000
  ctTimeoutChanged(a.table, e, unconfirmed)
  a.isNew = false
  if (unconfirmed) announceCt(a.groups, { type: 'NEW', entry: e })
  else if (e.tcpState !== tcpState || e.seenReply !== seenReply || e.assured !== assured)
    announceCt(a.groups, { type: 'UPDATE', entry: e })
}

/**
 * A SYN again on an entry still waiting for its first answer: nf_conntrack_tcp_packet leaves the
 * timeout where the first SYN set it, so that a client (or a NAT box) reusing the port cannot
 * keep a dead entry, and its NAT binding, alive for ever.
 */
function isSynRetransmit(a: CtAssoc, p: Packet): boolean {
  const e = a.entry
  return (
    a.dir === 'orig' &&
    !e.seenReply &&
    e.expiresAt !== -1 &&
    e.tcpState === 'SYN_SENT' &&
    p.l4.kind === 'tcp' &&
    p.l4.flags === 'S'
  )
}

const TCP_TIMEOUT: Record<TcpCtState, number> = {
  SYN_SENT: CT_TIMEOUTS.tcpSynSent,
  SYN_RECV: CT_TIMEOUTS.tcpSynRecv,
  ESTABLISHED: CT_TIMEOUTS.tcpEstablished,
  FIN_WAIT: CT_TIMEOUTS.tcpFinWait,
  CLOSE_WAIT: CT_TIMEOUTS.tcpCloseWait,
  LAST_ACK: CT_TIMEOUTS.tcpLastAck,
  TIME_WAIT: CT_TIMEOUTS.tcpTimeWait,
  CLOSE: CT_TIMEOUTS.tcpClose
}

/**
 * nf_conntrack_proto_tcp's state table for the segments a connection's life sends (either
 * direction): a SYN-ACK in reply makes SYN_RECV, the ACK that follows ESTABLISHED (and ASSURED),
 * the first FIN FIN_WAIT, its ACK CLOSE_WAIT, the second FIN LAST_ACK and its ACK TIME_WAIT.
 */
function nextTcpState(e: CtEntry, dir: 'orig' | 'reply', flags: string): TcpCtState {
  const s = e.tcpState ?? 'SYN_SENT'
  if (flags.includes('R')) return dir === 'reply' || s !== 'SYN_SENT' ? 'CLOSE' : s
  if (flags === 'S') return s === 'SYN_SENT' || s === 'CLOSE' || s === 'TIME_WAIT' ? 'SYN_SENT' : s
  if (flags === 'S.') return dir === 'reply' && s === 'SYN_SENT' ? 'SYN_RECV' : s
  if (flags.includes('F')) {
    if (s === 'SYN_RECV' || s === 'ESTABLISHED') return 'FIN_WAIT'
    if (s === 'FIN_WAIT' || s === 'CLOSE_WAIT') return 'LAST_ACK'
    return s
  }
  if (s === 'SYN_RECV' && dir === 'orig') {
    e.assured = true
    return 'ESTABLISHED'
  }
  if (s === 'FIN_WAIT') return 'CLOSE_WAIT'
  if (s === 'LAST_ACK') return 'TIME_WAIT'
  return s
}

/** Unconfirmed entries of packets that died before leaving are freed with them. */
export function dropUnconfirmed(ns: Netns): void {
  // A loop rather than some(): every walk asks this of every namespace it touched.
  if (ns.conntrack.entries.length > INDEXED_TABLE_SIZE && !anyUnconfirmed(ns.conntrack)) return
  for (const e of ns.conntrack.entries) {
    if (e.expiresAt === -1) {
      ns.conntrack.entries = ns.conntrack.entries.filter((x) => x.expiresAt !== -1)
      return
    }
  }
}

/** Destination rewrite (PREROUTING/OUTPUT): DNAT for the original direction, un-SNAT for replies. */
export function natDst(a: CtAssoc | undefined, p: Packet): void {
  if (!a) return
  const e = a.entry
  if (a.related) {
    if (a.dir === 'reply' && e.snat) {
      if (p.dst === e.reply.dst) setDestination(p, e.original.src)
      const q = p.l4.kind === 'icmp' ? p.l4.quoted : undefined
      if (q) {
        setSource(q, e.original.src)
        if (q.l4.kind !== 'icmp') setSourcePort(q, e.original.sport)
        else setIcmpId(q, e.original.sport)
      }
    }
    return
  }
  if (a.dir === 'orig' && e.dnat) setDst(p, e.reply.src, e.reply.sport)
  else if (a.dir === 'reply' && e.snat) setDst(p, e.original.src, e.original.sport)
}

/** Source rewrite (POSTROUTING/INPUT): SNAT for the original direction, un-DNAT for replies. */
export function natSrc(a: CtAssoc | undefined, p: Packet): void {
  if (!a) return
  const e = a.entry
  if (a.related) {
    if (a.dir === 'reply' && e.dnat) {
      // nf_nat_icmp_reply_translation sets the outer source from the inverted original tuple,
      // whoever sent the error: a router's time exceeded leaves the NAT node from the Service
      // address, which is what traceroute through a ClusterIP prints at every hop.
      setSource(p, e.original.dst)
      const q = p.l4.kind === 'icmp' ? p.l4.quoted : undefined
      if (q) {
        setDestination(q, e.original.dst)
        setDestinationPort(q, e.original.dport)
      }
    }
    return
  }
  if (a.dir === 'orig' && e.snat) setSrc(p, e.reply.dst, e.reply.dport)
  else if (a.dir === 'reply' && e.dnat) setSrc(p, e.original.dst, e.original.dport)
}

function setDst(p: Packet, ip: number, port: number): void {
  setDestination(p, ip)
  setDestinationPort(p, port)
}

function setSrc(p: Packet, ip: number, port: number): void {
  setSource(p, ip)
  setSourcePort(p, port)
}
