import { m } from '../i18n/index.ts'
import type { SummaryRow, TcpSegment, TraceEvent } from '../state/lab-workspace.ts'
import { dropLabels, legLabels } from '../trace-view.ts'

/**
 * The trace's device-level story in words: the core's summary rows carry event codes and
 * parameters, never prose; each becomes one localised line here. Addresses, rule chains and
 * interface names stay as the kernel prints them.
 */

/** `node-1/flannel.1` → `node-1 · flannel.1`, as the hop list writes places. */
export function placeName(device: string): string {
  const slash = device.indexOf('/')
  return slash < 0 ? device : `${device.slice(0, slash)} · ${device.slice(slash + 1)}`
}

/** The interface part of a device id, for "routed cni0 → flannel.1". */
function linkName(device: string | undefined): string {
  if (device === undefined) return ''
  const slash = device.indexOf('/')
  return slash < 0 ? device : device.slice(slash + 1)
}

/** TCP flags in the words learners know; tcpdump's notation is what the kernel's tools print. */
const tcpFlagNames: Record<string, string> = {
  S: 'SYN',
  'S.': 'SYN-ACK',
  '.': 'ACK',
  'P.': 'PSH-ACK',
  'F.': 'FIN-ACK',
  R: 'RST',
  'R.': 'RST-ACK'
}

/** A TCP segment as a learner names it: its request or status line, else its flags (`SYN-ACK`). */
export function segmentName(segment: TcpSegment): string {
  return segment.firstLine ?? tcpFlagNames[segment.flags] ?? `[${segment.flags}]`
}

/** A segment's name short enough for the connection's strip: `GET /`, `200 OK`, `SYN-ACK`. */
export function segmentShortName(segment: TcpSegment): string {
  // HTTP's version is the same on every line of one connection and says nothing to a learner.
  const line = segment.firstLine?.replace(/^HTTP\/[\d.]+\s+|\s+HTTP\/[\d.]+$/g, '')
  return line || segmentName(segment)
}

/** A segment's flags and tcpdump's relative numbers: "[P.] seq 1 ack 1 len 78". */
export function segmentNumbers(segment: TcpSegment): string {
  const numbers = { flags: segment.flags, seq: segment.relativeSeq, len: segment.length }
  return segment.flags.includes('.')
    ? m.stepper_segment_numbers({ ...numbers, ack: segment.relativeAck })
    : m.stepper_segment_numbers_syn(numbers)
}

function icmpName(type: number, code: number): string {
  switch (type) {
    case 8:
      return m.icmp_echo_request()
    case 0:
      return m.icmp_echo_reply()
    case 3:
      return code === 3 ? m.icmp_port_unreachable() : m.icmp_unreachable({ code })
    case 11:
      return m.icmp_time_exceeded()
    default:
      return m.icmp_other({ type, code })
  }
}

function packetName(event: Extract<TraceEvent, { kind: 'sent' }>): string {
  if (event.proto === 'icmp')
    return `ICMP ${event.icmp ? icmpName(event.icmp.type, event.icmp.code) : ''}`.trim()
  if (event.proto === 'tcp')
    return `TCP ${event.tcpFlags ? (tcpFlagNames[event.tcpFlags] ?? `[${event.tcpFlags}]`) : ''}`.trim()
  return 'UDP'
}

const answerNames: Record<NonNullable<Extract<TraceEvent, { kind: 'delivered' }>['answer']>, () => string> = {
  'echo-reply': m.icmp_echo_reply,
  'syn-ack': () => 'SYN-ACK',
  rst: () => 'RST',
  'port-unreachable': m.icmp_port_unreachable
}

/** What happened, without where: "DNAT 10.96.0.120:80 → 10.244.2.2:8080 (KUBE-SEP-…)". */
export function eventText(event: TraceEvent): string {
  switch (event.kind) {
    case 'sent':
      return m.event_sent({ packet: packetName(event), from: event.from, to: event.to, ttl: event.ttl })
    case 'routed':
      return event.from
        ? m.event_routed({
            from: linkName(event.from),
            to: linkName(event.to),
            before: event.ttlBefore,
            after: event.ttlAfter
          })
        : m.event_routed_to({ to: linkName(event.to), before: event.ttlBefore, after: event.ttlAfter })
    case 'bridged': {
      const text =
        event.fdb === 'miss'
          ? m.event_flooded({ bridge: linkName(event.bridge), from: linkName(event.from) })
          : m.event_bridged({ from: linkName(event.from), to: linkName(event.to) })
      return event.brNetfilter ? `${text} ${m.event_br_netfilter()}` : text
    }
    case 'dnat': {
      const chain = event.chain ? ` (${event.chain})` : ''
      if (event.by === 'ipvs')
        return m.event_dnat_ipvs({ from: event.from, to: event.to, scheduler: event.scheduler ?? '' })
      if (event.by === 'conntrack') return m.event_dnat_conntrack({ from: event.from, to: event.to })
      return `${m.event_dnat({ hook: event.hook ?? '', from: event.from, to: event.to })}${chain}`
    }
    case 'snat':
    case 'masquerade': {
      const chain = event.chain ? ` (${event.chain})` : ''
      const target = event.kind === 'snat' ? 'SNAT' : 'MASQUERADE'
      return `${m.event_snat({ hook: event.hook ?? '', target, from: event.from, to: event.to })}${chain}`
    }
    case 'undnat':
      return m.event_undnat({ from: event.from, to: event.to })
    case 'unsnat':
      return m.event_unsnat({ from: event.from, to: event.to })
    case 'encap':
      return m.event_encap({ dst: event.outerDst, port: event.port, vni: event.vni })
    case 'decap':
      return m.event_decap({ src: event.outerSrc, vni: event.vni })
    case 'delivered': {
      const text = event.socket
        ? m.event_delivered_socket({
            process: event.socket.process,
            proto: event.socket.proto,
            port: event.socket.port
          })
        : m.event_delivered()
      return event.answer
        ? `${text}${m.list_separator()}${m.event_answers({ answer: answerNames[event.answer]() })}`
        : text
    }
    case 'dropped': {
      const chain = event.chain ? ` (${event.chain})` : ''
      return `${m.event_dropped({ reason: dropLabels[event.reason]() })}${chain}`
    }
    case 'no-endpoints':
      return m.event_no_endpoints({ service: event.service })
  }
}

/** One row as the list and the screen reader say it: "node-1 · flannel.1: VXLAN encap → …". */
export function rowText(row: SummaryRow): string {
  return `${placeName(row.device)}: ${eventText(row.event)}`
}

/** A packet of the exchange, for the list's group heading: "reply · TCP SYN-ACK 10.244.2.2:8080 → …". */
export function packetHeading(rows: SummaryRow[]): string {
  const first = rows[0]
  if (!first) return ''
  const sent = rows.find((r) => r.event.kind === 'sent')?.event
  const leg = legLabels[first.leg]()
  if (sent?.kind !== 'sent') return leg
  return `${leg} · ${packetName(sent)} ${sent.from} → ${sent.to}`
}

/** Rewrites shown as a badge at the node where they happen. */
export function isRewrite(
  event: TraceEvent
): event is Extract<TraceEvent, { kind: 'dnat' | 'snat' | 'masquerade' | 'undnat' | 'unsnat' }> {
  return (
    event.kind === 'dnat' ||
    event.kind === 'snat' ||
    event.kind === 'masquerade' ||
    event.kind === 'undnat' ||
    event.kind === 'unsnat'
  )
}

/** The badge's short text: "DNAT → 10.244.2.2:8080", "un-DNAT → 10.96.0.120:80". */
export function rewriteBadge(event: TraceEvent): string {
  switch (event.kind) {
    case 'dnat':
      return `DNAT → ${event.to}`
    case 'snat':
      return `SNAT → ${event.to}`
    case 'masquerade':
      return `MASQUERADE → ${event.to}`
    case 'undnat':
      return m.badge_undnat({ to: event.to })
    case 'unsnat':
      return m.badge_unsnat({ to: event.to })
    default:
      return ''
  }
}
