import type { Hop, PacketView } from '../../../src-main/core/engine/trace.ts'

/**
 * What a hop did to the packet's headers, for the inspector and the screen-reader sentences:
 * headers flattened into comparable rows, then before → after. Made here from the views every
 * hop already carries rather than sent with the trace's story; free of messages and state so it
 * runs, and is tested, outside the page.
 */

export interface HeaderRow {
  /** Stable key, e.g. `ip.ttl` or `outer.ip.src`: the inner packet never carries a prefix, so encapsulation keeps it comparable. */
  key: string
  layer: 'outer' | 'inner'
  field: string
  value: string
}

export type RowChange = 'same' | 'changed' | 'added' | 'removed'

function rowsOf(packet: PacketView, prefix: string, layer: HeaderRow['layer']): HeaderRow[] {
  const rows: HeaderRow[] = []
  const add = (field: string, value: string | number | boolean | undefined): void => {
    if (value === undefined) return
    rows.push({ key: `${prefix}${field}`, layer, field, value: String(value) })
  }
  if (packet.eth) {
    add('eth.src', packet.eth.src)
    add('eth.dst', packet.eth.dst)
    add('eth.type', packet.eth.ethertype)
  }
  if (packet.arp) {
    add('arp.op', packet.arp.op)
    add('arp.sender', `${packet.arp.senderIp} ${packet.arp.senderMac}`)
    add('arp.target', `${packet.arp.targetIp} ${packet.arp.targetMac}`)
  }
  if (packet.ip) {
    add('ip.src', packet.ip.src)
    add('ip.dst', packet.ip.dst)
    add('ip.ttl', packet.ip.ttl)
    add('ip.proto', packet.ip.protocol)
    add('ip.len', packet.ip.length)
  }
  const l4 = packet.l4
  if (l4?.kind === 'icmp') {
    add('icmp.type', l4.type)
    add('icmp.code', l4.code)
    add('icmp.id', l4.id)
    add('icmp.seq', l4.seq)
  } else if (l4) {
    add(`${l4.kind}.sport`, l4.sport)
    add(`${l4.kind}.dport`, l4.dport)
    if (l4.kind === 'tcp') add('tcp.flags', l4.flags)
  }
  if (packet.vxlan) add('vxlan.vni', packet.vxlan.vni)
  if (packet.mark !== 0) add('mark', `0x${packet.mark.toString(16)}`)
  return rows
}

/** A packet as rows: for a VXLAN datagram the outer headers (prefixed `outer.`) then the inner frame. */
export function flattenPacket(packet: PacketView): HeaderRow[] {
  if (packet.inner) return [...rowsOf(packet, 'outer.', 'outer'), ...rowsOf(packet.inner, '', 'inner')]
  return rowsOf(packet, '', 'inner')
}

export interface HeaderDiffRow extends HeaderRow {
  before?: string
  change: RowChange
}

/** Most telling first: the envelope a VXLAN wrap adds, then addresses and ports, TTL, MACs, the rest. */
function changeRank(row: HeaderRow): number {
  if (row.layer === 'outer') return 0
  const field = row.field
  if (field === 'ip.src' || field === 'ip.dst') return 1
  if (/^(tcp|udp)\.(sport|dport)$/.test(field)) return 2
  if (field === 'ip.ttl') return 3
  if (field.startsWith('eth.')) return 4
  return 5
}

/**
 * A packet before → after as rows, with what changed: TTL − 1, MAC rewrite, DNAT, outer headers
 * added or removed. Without one of the two views every row is unchanged (a hop that only looked).
 * The rows keep header order; `changesFirst` sorts the changed ones by `changeRank`.
 */
export function diffPackets(before: PacketView | undefined, after: PacketView | undefined): HeaderDiffRow[] {
  const beforeRows = before ? flattenPacket(before) : []
  const afterRows = after ? flattenPacket(after) : beforeRows
  const beforeByKey = new Map(beforeRows.map((row) => [row.key, row]))
  const afterKeys = new Set(afterRows.map((row) => row.key))
  const rows: HeaderDiffRow[] = afterRows.map((row) => {
    const old = beforeByKey.get(row.key)
    if (!before || !after) return { ...row, change: 'same' }
    if (!old) return { ...row, change: 'added' }
    return old.value === row.value
      ? { ...row, change: 'same' }
      : { ...row, before: old.value, change: 'changed' }
  })
  if (before && after) {
    for (const row of beforeRows)
      if (!afterKeys.has(row.key)) rows.push({ ...row, before: row.value, change: 'removed' })
  }
  return rows
}

/** What a hop did to the headers (see `diffPackets`). */
export function diffHop(hop: Hop): HeaderDiffRow[] {
  return diffPackets(hop.before, hop.after)
}

/** The changed rows, most telling first, and how many stayed the same. */
export function changesFirst(rows: HeaderDiffRow[]): { changed: HeaderDiffRow[]; same: HeaderDiffRow[] } {
  const changed = rows
    .map((row, i) => ({ row, i }))
    .filter(({ row }) => row.change !== 'same')
    .sort((x, y) => changeRank(x.row) - changeRank(y.row) || x.i - y.i)
    .map(({ row }) => row)
  return { changed, same: rows.filter((row) => row.change === 'same') }
}

/** A VXLAN datagram's two stacks for side-by-side display; null for a packet that is not wrapped. */
export function envelopeOf(
  packet: PacketView | undefined
): { outer: HeaderRow[]; inner: HeaderRow[] } | null {
  if (!packet?.inner) return null
  const rows = flattenPacket(packet)
  return { outer: rows.filter((r) => r.layer === 'outer'), inner: rows.filter((r) => r.layer === 'inner') }
}
