import type { Ipv4 } from '../net/ipv4.ts'
import { announceCt, type NetlinkGroups } from './netlink.ts'
import { mayHaveExpired, setNextExpiry } from './conntrack-index.ts'

export type CtProto = 'tcp' | 'udp' | 'icmp'

/** One direction of a connection: for ICMP, `sport` is the echo id and `dport` is 0 (type/code print separately). */
export interface CtTuple {
  src: Ipv4
  dst: Ipv4
  sport: number
  dport: number
}

export type TcpCtState =
  'SYN_SENT' | 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT' | 'CLOSE_WAIT' | 'LAST_ACK' | 'TIME_WAIT' | 'CLOSE'

/** A conntrack entry (`conntrack -L`). The reply tuple is where NAT shows: its source is the DNAT target. */
export interface CtEntry {
  id: number
  proto: CtProto
  original: CtTuple
  reply: CtTuple
  /** TCP only. */
  tcpState?: TcpCtState
  /** A reply was seen (no `[UNREPLIED]`). */
  seenReply: boolean
  assured: boolean
  mark: number
  /** Lab time (ms) at which the entry expires. */
  expiresAt: number
  /** NAT applied when the entry was created, so later packets are rewritten without rules. */
  dnat: boolean
  snat: boolean
}

/** Tables longer than this are looked up through their index (`conntrack-index.ts`); shorter ones are scanned. */
export const INDEXED_TABLE_SIZE = 32

export interface ConntrackTable {
  entries: CtEntry[]
  nextId: number
  /**
   * Packets dropped for want of an entry (the `drop` counter of `conntrack -S`); set by the first
   * such drop, so tables that never filled hold (and hash) nothing new.
   */
  drops?: number
}

/**
 * How many entries the namespace's table may hold: nf_conntrack_max, where 0 means no limit.
 * Entries not yet confirmed count too, as they do in the kernel's per-namespace count.
 */
export function conntrackFull(table: ConntrackTable, sysctl: Readonly<Record<string, string>>): boolean {
  const max = Number(sysctl['net.netfilter.nf_conntrack_max'] ?? 0)
  return max > 0 && table.entries.length >= max
}

/** Kernel default timeouts (seconds) for the states the lab reaches. */
export const CT_TIMEOUTS = {
  tcpSynSent: 120,
  tcpSynRecv: 60,
  tcpEstablished: 432000,
  tcpFinWait: 120,
  tcpCloseWait: 60,
  tcpLastAck: 30,
  tcpTimeWait: 120,
  tcpClose: 10,
  udpUnreplied: 30,
  udpReplied: 120,
  icmp: 30
} as const

/**
 * Drops entries whose timeout has passed; each is a DESTROY event. Unconfirmed entries have no
 * timeout yet: as on the kernel's unconfirmed list, they belong to the packet that made them,
 * which confirms them when it leaves or frees them when it is dropped, whatever the timers do
 * meanwhile.
 */
export function expireConntrack(table: ConntrackTable, nowMs: number, groups: NetlinkGroups): void {
  // Every packet walk and every move of the clock asks; copying the table only when something
  // did expire keeps that cheap, and a large table's index knows when nothing can have.
  const indexed = table.entries.length > INDEXED_TABLE_SIZE
  if (indexed && !mayHaveExpired(table, nowMs)) return
  let next = Infinity
  for (const e of table.entries) {
    if (e.expiresAt === -1) continue
    if (e.expiresAt <= nowMs) {
      const expired = table.entries.filter((x) => x.expiresAt !== -1 && x.expiresAt <= nowMs)
      table.entries = table.entries.filter((x) => x.expiresAt === -1 || x.expiresAt > nowMs)
      for (const entry of expired) announceCt(groups, { type: 'DESTROY', entry })
      return
    }
    if (e.expiresAt < next) next = e.expiresAt
  }
  if (indexed) setNextExpiry(table, next)
}

/** Removes entries as a netlink socket asks (`conntrack -D`, `-F`); each is a DESTROY event. */
export function deleteConntrack(
  table: ConntrackTable,
  groups: NetlinkGroups,
  portid: number,
  which: (entry: CtEntry) => boolean
): CtEntry[] {
  const deleted = table.entries.filter((e) => e.expiresAt !== -1 && which(e))
  const gone = new Set(deleted)
  table.entries = table.entries.filter((e) => !gone.has(e))
  for (const entry of deleted) announceCt(groups, { type: 'DESTROY', entry, portid })
  return deleted
}
