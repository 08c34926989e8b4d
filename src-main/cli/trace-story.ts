import type { TcpSegment } from '../core/diagram/segments.ts'
import type { SummaryRow, TraceEvent, TraceSummary } from '../core/diagram/summary.ts'
import type { DropReason, Trace } from '../core/engine/trace.ts'

/**
 * `podnet trace`'s default output: the trace's device-level summary in English, one line per row
 * (`node-1 · PREROUTING: DNAT 10.96.0.100:80 → 10.244.2.2:8080 (KUBE-SEP-…)`), the kernel hops
 * each row covers at its end. The app words the same event codes in the learner's language.
 */

const DROP_TEXT: Record<DropReason, string> = {
  'no-route': 'no route to the destination',
  'link-down': 'the link is down',
  'no-carrier': 'no carrier (the other end is down)',
  'neigh-failed': 'ARP got no answer',
  'netfilter-drop': 'a netfilter rule dropped it',
  'netfilter-reject': 'a netfilter rule rejected it',
  'ip-forward-disabled': 'ip_forward is off: this host does not route',
  'upstream-no-route': 'the upstream router has no route for it and discards it silently',
  'ttl-exceeded': 'TTL exceeded',
  'frag-needed': 'too big for the next link and DF is set',
  'frame-too-big': 'the network between the hosts carries smaller frames and discards it silently',
  'message-too-long': 'too big for the link (EMSGSIZE)',
  'not-for-us': 'the frame is for another MAC',
  'hairpin-off': 'hairpin is off on the bridge port',
  'bridge-no-port': 'the bridge has no port for it',
  'vxlan-no-fdb': 'the VTEP has no FDB entry for the destination',
  'no-socket': 'no socket is waiting for it',
  'icmp-rate-limited': 'the ICMP error limiter held this error back (icmp_ratelimit)',
  martian: 'martian source',
  'ct-invalid': 'conntrack marked it INVALID',
  'ct-table-full': 'the conntrack table is full (nf_conntrack_max)',
  loop: 'forwarding loop'
}

const ICMP_TEXT: Record<string, string> = {
  '0/0': 'echo reply',
  '8/0': 'echo request',
  '3/0': 'net unreachable',
  '3/1': 'host unreachable',
  '3/3': 'port unreachable',
  '3/4': 'fragmentation needed',
  '11/0': 'time exceeded'
}

const TCP_TEXT: Record<string, string> = {
  S: 'SYN',
  'S.': 'SYN-ACK',
  'R.': 'RST',
  R: 'RST',
  '.': 'ACK',
  'P.': 'PSH-ACK',
  'F.': 'FIN-ACK'
}

/**
 * A segment's section heading, as tcpdump would show it with relative numbers:
 * `4 GET / HTTP/1.1  10.244.1.2:40000 → 10.96.0.100:80  [P.] seq 1 ack 1 len 78`.
 */
export function segmentHeading(s: TcpSegment): string {
  const arrow = s.leg === 'request' ? '▶' : '◀'
  const name = s.firstLine ?? TCP_TEXT[s.flags] ?? `[${s.flags}]`
  const ack = s.flags.includes('.') ? ` ack ${s.relativeAck}` : ''
  const drop = s.dropped
    ? `; dropped at ${s.dropped.netns}${s.dropped.device ? `/${s.dropped.device}` : ''}: ${DROP_TEXT[s.dropped.reason]}`
    : ''
  return `${arrow} ${s.number} ${name}  ${s.from} → ${s.to}  [${s.flags}] seq ${s.relativeSeq}${ack} len ${s.length}${drop}`
}

/** The name of a device on its host: `node-1/flannel.1` → `flannel.1`, a stack by its own name. */
const local = (id: string | undefined): string => (id === undefined ? '?' : id.slice(id.indexOf('/') + 1))

function eventText(e: TraceEvent): string {
  switch (e.kind) {
    case 'sent': {
      const what =
        e.proto === 'icmp'
          ? `ICMP ${e.icmp ? (ICMP_TEXT[`${e.icmp.type}/${e.icmp.code}`] ?? `type ${e.icmp.type} code ${e.icmp.code}`) : ''}`
          : e.proto === 'tcp'
            ? `TCP ${TCP_TEXT[e.tcpFlags ?? ''] ?? `[${e.tcpFlags ?? ''}]`}`
            : 'UDP'
      return `sent ${what} ${e.from} → ${e.to}, TTL ${e.ttl}`
    }
    case 'routed':
      return `routed ${local(e.from)} → ${local(e.to)}, TTL ${e.ttlBefore} → ${e.ttlAfter}`
    case 'bridged':
      return `${local(e.bridge)}: bridged ${local(e.from)} → ${local(e.to)}${e.from === e.to ? ' (hairpin)' : ''}${e.fdb === 'miss' ? ' (unknown MAC, flooded)' : ''}, ${e.brNetfilter ? 'through iptables (br_netfilter)' : 'not through iptables'}`
    case 'dnat':
    case 'snat':
    case 'masquerade': {
      const what = e.kind === 'masquerade' ? 'MASQUERADE' : e.kind.toUpperCase()
      if (e.by === 'ipvs')
        return `IPVS: ${what} ${e.from} → ${e.to}${e.kind === 'dnat' && e.scheduler ? ` (${e.scheduler})` : ''}`
      if (e.by === 'conntrack') return `conntrack: ${what} ${e.from} → ${e.to}`
      return `${e.hook ?? e.by}: ${what} ${e.from} → ${e.to}${e.chain ? ` (${e.chain})` : ''}`
    }
    case 'undnat':
      return `conntrack: reply un-DNAT ${e.from} → ${e.to}`
    case 'unsnat':
      return `conntrack: reply un-SNAT ${e.from} → ${e.to}`
    case 'encap':
      return `${local(e.vtep)}: VXLAN encap → ${e.outerDst}:${e.port} VNI ${e.vni}`
    case 'decap':
      return `${local(e.vtep)}: VXLAN decap from ${e.outerSrc}, VNI ${e.vni}`
    case 'delivered': {
      const parts = ['delivered']
      if (e.socket)
        parts.push(`to ${e.socket.process} (${e.socket.app}) on ${e.socket.proto}/${e.socket.port}`)
      const answer =
        e.answer === 'echo-reply'
          ? 'echo reply'
          : e.answer === 'syn-ack'
            ? 'SYN-ACK'
            : e.answer === 'rst'
              ? 'RST (nothing listens)'
              : e.answer === 'port-unreachable'
                ? 'port unreachable (nothing listens)'
                : undefined
      return `${parts.join(' ')}${answer ? `; answers ${answer}` : ''}`
    }
    case 'dropped':
      return `dropped: ${DROP_TEXT[e.reason]}${e.chain ? ` (${e.chain}: ${e.rule ?? ''})` : ''}`
    case 'no-endpoints':
      return `IPVS: ${e.service} has no real server; answers port unreachable`
  }
}

function rowText(r: SummaryRow, n: number, width: number): string[] {
  const host = r.device.includes('/') ? r.device.slice(0, r.device.indexOf('/')) : r.device
  let text = eventText(r.event)
  const ttl = r.headers.after?.inner?.ip?.ttl ?? r.headers.after?.ip?.ttl
  if (r.event.kind === 'delivered' && ttl !== undefined && !r.event.socket) text += `, TTL ${ttl}`
  const head = `${String(n).padStart(width)} ${host} · ${text}`
  const span = r.hops[0] === r.hops[1] ? `hop ${r.hops[0]}` : `hops ${r.hops[0]}-${r.hops[1]}`
  const lines = [`${head}  [${span}]`]
  for (const a of r.arp ?? [])
    lines.push(
      `${' '.repeat(width + 1)}  ARP ${a.ip} is at ${a.mac}${a.answeredBy ? ` (answered by ${a.answeredBy})` : ''}`
    )
  return lines
}

/**
 * The summary as text: a heading per packet of the exchange (for TCP, per segment, with its flags
 * and numbers), then its rows, numbered across the trace.
 */
export function renderSummary(trace: Trace, summary: TraceSummary, heading: string): string {
  const width = String(summary.rows.length).length
  const out = [heading]
  let packet = -1
  const headed = new Set<TcpSegment>()
  summary.rows.forEach((r, i) => {
    if (r.packet !== packet) {
      packet = r.packet
      // An ICMP error about a segment is a packet of its own, headed by its leg.
      const segment = summary.segments.find(
        (s) => s.hops[0] <= r.hops[0] && r.hops[0] <= s.hops[1] && !headed.has(s)
      )
      if (segment) headed.add(segment)
      out.push(
        segment
          ? segmentHeading(segment)
          : r.leg === 'request'
            ? '▶ request'
            : r.leg === 'reply'
              ? '◀ reply'
              : `◀ ${r.leg}`
      )
    }
    out.push(...rowText(r, i + 1, width))
  })
  return `${out.join('\n')}\n${trace.hops.length} kernel hops; --hops prints them all\n`
}
