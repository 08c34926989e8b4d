import type { ConntrackTable, CtEntry, CtProto } from './conntrack.ts'

/**
 * A hash index over a conntrack table's entries, for the tables a busy lab grows: every packet
 * looks its connection up, the timers ask whether anything expired at every move of the clock and
 * every walk asks whether it left an unconfirmed entry, and on a table of thousands (a client
 * that connects again and again within the timeouts) each of those was a scan of them all.
 *
 * It belongs to one entries array: the table replaces the array whenever it drops entries
 * (expiry, `conntrack -D`/`-F`, unconfirmed entries freed), and a new array gets a new index.
 * Entries appended to the array are indexed at the next question. What changes an entry in
 * place reports it: a NAT rewrite of the reply tuple (`ctReplyChanged`) and a new timeout
 * (`ctTimeoutChanged`).
 */
interface CtIndex {
  readonly entries: CtEntry[]
  /** How many entries, from the array's start, are indexed. */
  count: number
  /**
   * Positions of the entries whose original or reply tuple hashes to the key. A position may
   * stay under a key its entry's reply tuple no longer has: every candidate is compared in full.
   */
  readonly buckets: Map<number, number[]>
  /** Indexed entries still unconfirmed (`expiresAt` -1). */
  unconfirmed: number
  /** No indexed confirmed entry expires before this lab time. */
  nextExpiry: number
}

const indexes = new WeakMap<ConntrackTable, CtIndex>()

const PROTO_SALT: Record<CtProto, number> = { tcp: 0x1b873593, udp: 0x2545f491, icmp: 0x68e31da4 }

/** A hash of one direction's tuple, small enough to stay an integer key. */
function tupleKey(proto: CtProto, src: number, dst: number, sport: number, dport: number): number {
  let h = Math.imul(src ^ PROTO_SALT[proto], 0x85ebca6b) ^ dst
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35) ^ Math.imul(sport, 0x10001) ^ (dport << 8)
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f)
  return (h ^ (h >>> 16)) & 0x3fffffff
}

function file(idx: CtIndex, key: number, pos: number): void {
  const bucket = idx.buckets.get(key)
  if (bucket === undefined) idx.buckets.set(key, [pos])
  else if (bucket[bucket.length - 1] !== pos) bucket.push(pos)
}

function indexEntry(idx: CtIndex, e: CtEntry, pos: number): void {
  const o = e.original
  const r = e.reply
  file(idx, tupleKey(e.proto, o.src, o.dst, o.sport, o.dport), pos)
  file(idx, tupleKey(e.proto, r.src, r.dst, r.sport, r.dport), pos)
  if (e.expiresAt === -1) idx.unconfirmed++
  else if (e.expiresAt < idx.nextExpiry) idx.nextExpiry = e.expiresAt
}

/** The table's index, with every entry of its current array in it. */
function synced(table: ConntrackTable): CtIndex {
  const entries = table.entries
  let idx = indexes.get(table)
  if (idx === undefined || idx.entries !== entries || idx.count > entries.length) {
    idx = { entries, count: 0, buckets: new Map(), unconfirmed: 0, nextExpiry: Infinity }
    indexes.set(table, idx)
  }
  for (let i = idx.count; i < entries.length; i++) indexEntry(idx, entries[i]!, i)
  idx.count = entries.length
  return idx
}

/** The entry's position when the table's index holds it, else -1 (it is indexed as it is when asked). */
function indexedAt(table: ConntrackTable, e: CtEntry): { idx: CtIndex; pos: number } | undefined {
  const idx = indexes.get(table)
  if (idx === undefined || idx.entries !== table.entries || idx.count === 0) return undefined
  const pos = table.entries.lastIndexOf(e, idx.count - 1)
  return pos === -1 ? undefined : { idx, pos }
}

/**
 * The first entry, in table order, whose original or reply tuple is this one, and which of the
 * two it is (original first, as for one entry whose two tuples are the same).
 */
export function findCtEntry(
  table: ConntrackTable,
  proto: CtProto,
  src: number,
  dst: number,
  sport: number,
  dport: number
): { entry: CtEntry; dir: 'orig' | 'reply' } | undefined {
  const idx = synced(table)
  const bucket = idx.buckets.get(tupleKey(proto, src, dst, sport, dport))
  if (bucket === undefined) return undefined
  let best = -1
  let dir: 'orig' | 'reply' = 'orig'
  for (const pos of bucket) {
    if (best !== -1 && pos >= best) continue
    const e = idx.entries[pos]!
    if (e.proto !== proto) continue
    const o = e.original
    const r = e.reply
    if (o.src === src && o.dst === dst && o.sport === sport && o.dport === dport) {
      best = pos
      dir = 'orig'
    } else if (r.src === src && r.dst === dst && r.sport === sport && r.dport === dport) {
      best = pos
      dir = 'reply'
    }
  }
  return best === -1 ? undefined : { entry: idx.entries[best]!, dir }
}

/** Whether any entry of the table is still unconfirmed. */
export function anyUnconfirmed(table: ConntrackTable): boolean {
  return synced(table).unconfirmed > 0
}

/** Whether some confirmed entry may have expired by `nowMs` (false: certainly none has). */
export function mayHaveExpired(table: ConntrackTable, nowMs: number): boolean {
  return nowMs >= synced(table).nextExpiry
}

/** After a scan found nothing expired: the earliest expiry among the confirmed entries. */
export function setNextExpiry(table: ConntrackTable, atMs: number): void {
  synced(table).nextExpiry = atMs
}

/** A NAT rewrite changed the entry's reply tuple. */
export function ctReplyChanged(table: ConntrackTable, e: CtEntry): void {
  const at = indexedAt(table, e)
  if (!at) return
  const r = e.reply
  file(at.idx, tupleKey(e.proto, r.src, r.dst, r.sport, r.dport), at.pos)
}

/** The entry got a new timeout; `wasUnconfirmed` when it had none before (its confirmation). */
export function ctTimeoutChanged(table: ConntrackTable, e: CtEntry, wasUnconfirmed: boolean): void {
  const idx = indexes.get(table)
  // Most timeouts move later, which the index need not know (and every packet moves one).
  if (idx === undefined || (!wasUnconfirmed && e.expiresAt >= idx.nextExpiry)) return
  const at = indexedAt(table, e)
  if (!at) return
  if (wasUnconfirmed && e.expiresAt !== -1) at.idx.unconfirmed--
  if (e.expiresAt !== -1 && e.expiresAt < at.idx.nextExpiry) at.idx.nextExpiry = e.expiresAt
}
