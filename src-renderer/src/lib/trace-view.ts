import type {
  DropReason,
  Hop,
  NetfilterDetail,
  RouteDetail,
  Stage
} from '../../../src-main/core/engine/trace.ts'
import { diffHop } from './header-diff.ts'
import { m } from './i18n/index.ts'

/**
 * How the stepper presents a trace: stage, leg and drop names, where a hop happened and what
 * decided there, and one plain sentence per hop for screen readers. Reason codes from the engine
 * are localised here; header values and rule texts stay as the kernel prints them.
 */

export type HopProtocol = 'icmp' | 'tcp' | 'udp' | 'arp'

/** The protocol the learner follows at this hop: the inner packet's, so VXLAN's UDP does not hide the ping. */
export function hopProtocol(hop: Hop): HopProtocol {
  if (hop.leg === 'arp') return 'arp'
  const packet = hop.after ?? hop.before
  if (!packet) return 'icmp'
  if (packet.arp) return 'arp'
  const inner = packet.inner ?? packet
  return inner.ip?.protocol ?? 'icmp'
}

export const stageLabels: Record<Stage, () => string> = {
  'socket-send': m.stage_socket_send,
  'route-lookup': m.stage_route_lookup,
  'neigh-lookup': m.stage_neigh_lookup,
  'arp-resolve': m.stage_arp_resolve,
  netfilter: m.stage_netfilter,
  conntrack: m.stage_conntrack,
  ipvs: m.stage_ipvs,
  nft: m.stage_nft,
  'mtu-check': m.stage_mtu_check,
  'ip-forward': m.stage_ip_forward,
  'link-xmit': m.stage_link_xmit,
  'link-recv': m.stage_link_recv,
  'veth-cross': m.stage_veth_cross,
  wire: m.stage_wire,
  'bridge-learn': m.stage_bridge_learn,
  'bridge-forward': m.stage_bridge_forward,
  'bridge-flood': m.stage_bridge_flood,
  'bridge-local': m.stage_bridge_local,
  'vxlan-encap': m.stage_vxlan_encap,
  'vxlan-decap': m.stage_vxlan_decap,
  'local-deliver': m.stage_local_deliver,
  'socket-deliver': m.stage_socket_deliver,
  'icmp-reply': m.stage_icmp_reply,
  'icmp-error': m.stage_icmp_error,
  'tcp-reply': m.stage_tcp_reply,
  drop: m.stage_drop
}

export const dropLabels: Record<DropReason, () => string> = {
  'no-route': m.drop_no_route,
  'link-down': m.drop_link_down,
  'no-carrier': m.drop_no_carrier,
  'neigh-failed': m.drop_neigh_failed,
  'netfilter-drop': m.drop_netfilter_drop,
  'netfilter-reject': m.drop_netfilter_reject,
  'ip-forward-disabled': m.drop_ip_forward_disabled,
  'upstream-no-route': m.drop_upstream_no_route,
  'ttl-exceeded': m.drop_ttl_exceeded,
  'frag-needed': m.drop_frag_needed,
  'frame-too-big': m.drop_frame_too_big,
  'message-too-long': m.drop_message_too_long,
  'not-for-us': m.drop_not_for_us,
  'hairpin-off': m.drop_hairpin_off,
  'bridge-no-port': m.drop_bridge_no_port,
  'vxlan-no-fdb': m.drop_vxlan_no_fdb,
  'no-socket': m.drop_no_socket,
  'icmp-rate-limited': m.drop_icmp_rate_limited,
  martian: m.drop_martian,
  'ct-invalid': m.drop_ct_invalid,
  'ct-table-full': m.drop_ct_table_full,
  loop: m.drop_loop
}

export const legLabels: Record<Hop['leg'], () => string> = {
  request: m.leg_request,
  reply: m.leg_reply,
  error: m.leg_error,
  arp: m.leg_arp
}

export function isNetfilter(detail: Hop['detail']): detail is NetfilterDetail {
  return detail !== undefined && 'hook' in detail && 'hits' in detail
}

export function isRoute(detail: Hop['detail']): detail is RouteDetail {
  return detail !== undefined && 'route' in detail && 'table' in detail
}

/** Where the hop happened: `node-1 · flannel.1`, or just the namespace for hops on no link. */
export function hopPlace(hop: Hop): string {
  return hop.device ? `${hop.netns} · ${hop.device}` : hop.netns
}

/** What decided, in the kernel's own words (route, rule, FDB entry), or null when the stage says it all. */
export function hopDecision(hop: Hop): string | null {
  const detail = hop.detail
  if (!detail) return null
  if (isRoute(detail)) return detail.route
  if (isNetfilter(detail)) {
    const last = detail.hits.at(-1)
    const nat = detail.nat ? ` ${detail.nat.kind} → ${detail.nat.to}` : ''
    return `${detail.hook} (${detail.table}): ${last ? last.text : detail.verdict}${nat}`
  }
  const parts = Object.entries(detail)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${String(value)}`)
  return parts.length > 0 ? parts.join(' ') : null
}

/** One sentence per hop, for the text list screen readers use. */
export function hopSentence(hop: Hop): string {
  const changes = diffHop(hop).filter((row) => row.change !== 'same')
  const changeText = changes
    .map((row) =>
      row.change === 'added'
        ? m.change_added({ field: row.key, value: row.value })
        : row.change === 'removed'
          ? m.change_removed({ field: row.key })
          : m.change_changed({ field: row.key, before: row.before ?? '', after: row.value })
    )
    .join(m.list_separator())
  const decision = hopDecision(hop)
  let sentence: string = m.hop_sentence({
    seq: hop.seq + 1,
    leg: legLabels[hop.leg](),
    place: hopPlace(hop),
    stage: stageLabels[hop.stage]()
  })
  if (decision) sentence += ` ${m.hop_sentence_decision({ decision })}`
  if (changeText) sentence += ` ${m.hop_sentence_changes({ changes: changeText })}`
  if (hop.drop) sentence += ` ${m.hop_sentence_drop({ reason: dropLabels[hop.drop]() })}`
  return sentence
}
