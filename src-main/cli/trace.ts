import { diagramOf } from '../core/diagram/model.ts'
import { tcpSegmentsOf } from '../core/diagram/segments.ts'
import { summariseTrace } from '../core/diagram/summary.ts'
import { curlRequest } from '../core/engine/http-request.ts'
import { sendProbe } from '../core/engine/probe.ts'
import type { Hop, NetfilterDetail, PacketView, RouteDetail, Trace } from '../core/engine/trace.ts'
import { parseIpv4 } from '../core/net/index.ts'
import { resolveTarget } from '../core/shell/targets.ts'
import { parseCli } from './args.ts'
import type { CliIo } from './io.ts'
import { loadLab } from './load-lab.ts'
import { renderSummary } from './trace-story.ts'

export const TRACE_USAGE = `usage: podnet trace SCENARIO --from NAME --to DEST [--proto icmp|tcp|udp] [--port N]
                    [--connection http|handshake] [--hops | --json]
  Sends one probe (ICMP echo by default; TCP needs no --port for 80) and prints what each device
  did to the request and its answer: sent, routed (TTL), DNAT, VXLAN encap and decap, bridged,
  conntrack's un-DNAT of the reply, delivered or dropped, with the kernel hops behind each line.
  --connection  TCP only. http (the default) follows the whole connection as curl makes it, one
                section per segment: SYN, SYN-ACK, ACK, the GET, the server's ACK, the answer, its
                ACK, then the FIN/ACK close, each with its flags and tcpdump's relative seq/ack/len.
                handshake stops at the SYN-ACK (or the RST).
  --hops prints every kernel hop instead: which component decided, with the headers it saw.
  --json prints the Trace the app's packet stepper uses, with its TCP segments under "segments".
`

/** `podnet trace`: the packet engine's view of one probe, as a device-level story or every kernel hop. */
export function traceCommand(argv: readonly string[], io: CliIo): number {
  const p = parseCli(argv, {
    from: { type: 'string' },
    to: { type: 'string' },
    proto: { type: 'string', default: 'icmp' },
    port: { type: 'string' },
    connection: { type: 'string' },
    json: { type: 'boolean', default: false },
    hops: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' }
  })
  if (!p.ok) return usage(io, p.message)
  const v = p.values
  if (v.help) {
    io.stdout(TRACE_USAGE)
    return 0
  }
  const [scenario, ...extra] = p.positionals
  if (scenario === undefined) return usage(io, 'missing SCENARIO')
  if (extra.length > 0) return usage(io, `unexpected argument '${extra[0] ?? ''}'`)
  if (v.from === undefined) return usage(io, 'missing --from NAME')
  if (v.to === undefined) return usage(io, 'missing --to DEST')
  if (v.json && v.hops) return usage(io, '--hops and --json print different things: choose one')
  if (parseIpv4(v.to) === undefined)
    return usage(io, `--to ${v.to}: expected an IPv4 address such as 10.244.2.2`)
  const proto = v.proto
  if (proto !== 'icmp' && proto !== 'tcp' && proto !== 'udp')
    return usage(io, `--proto ${proto}: expected icmp, tcp or udp`)
  let port: number | undefined
  if (v.port !== undefined) {
    if (!/^\d+$/.test(v.port) || Number(v.port) < 1 || Number(v.port) > 65535)
      return usage(io, `--port ${v.port}: expected a port number 1-65535`)
    if (proto === 'icmp') return usage(io, '--port applies to --proto tcp or udp only')
    port = Number(v.port)
  } else if (proto === 'udp') return usage(io, '--proto udp needs --port')
  const connection = v.connection ?? (proto === 'tcp' ? 'http' : undefined)
  if (connection !== undefined && proto !== 'tcp')
    return usage(io, `--connection applies to --proto tcp only, not ${proto}`)
  if (connection !== undefined && connection !== 'http' && connection !== 'handshake')
    return usage(io, `--connection ${connection}: expected http or handshake`)
  const loaded = loadLab(scenario)
  if (!loaded.ok) {
    io.stderr(loaded.errors.map((e) => `${e}\n`).join(''))
    return 2
  }
  const lab = loaded.shell.lab
  if (!resolveTarget(lab, v.from)) {
    io.stderr(
      `podnet trace: --from ${v.from}: no such node, pod, pod/container or external host (have: ${loaded.shell.targetNames().join(', ')})\n`
    )
    return 2
  }
  const trace = sendProbe(lab, {
    proto,
    from: v.from,
    to: v.to,
    ...(proto === 'icmp' ? {} : { port: port ?? 80 }),
    ...(connection === 'http' ? { payload: curlRequest(v.to, port ?? 80) } : {})
  })
  if (v.json) io.stdout(`${JSON.stringify({ ...trace, segments: tcpSegmentsOf(trace) }, null, 2)}\n`)
  else if (v.hops) io.stdout(renderTrace(trace))
  else io.stdout(renderSummary(trace, summariseTrace(trace, diagramOf(lab)), traceHeading(trace)))
  return 0
}

function usage(io: CliIo, what: string): number {
  io.stderr(`podnet trace: ${what}\n${TRACE_USAGE}`)
  return 2
}

/** One line summary of a packet: addresses, ports, TTL, and the VXLAN wrapping if any. */
export function packetSummary(p: PacketView): string {
  if (p.arp) return `ARP ${p.arp.op} ${p.arp.targetIp} from ${p.arp.senderIp}`
  if (!p.ip) return ''
  const l4 = p.l4
  const ports = l4 && l4.kind !== 'icmp' ? [`.${l4.sport}`, `.${l4.dport}`] : ['', '']
  let what = ''
  if (l4?.kind === 'icmp') what = `icmp type ${l4.type} code ${l4.code}`
  else if (l4?.kind === 'tcp') what = `tcp [${l4.flags}]`
  else if (l4?.kind === 'udp') what = 'udp'
  const head = `${p.ip.src}${ports[0] ?? ''} > ${p.ip.dst}${ports[1] ?? ''} ttl ${p.ip.ttl} ${what}`
  return p.vxlan && p.inner ? `${head} vxlan vni ${p.vxlan.vni} [ ${packetSummary(p.inner)} ]` : head
}

function detailText(h: Hop): string {
  const d = h.detail
  if (!d) return ''
  if (h.stage === 'route-lookup' && 'route' in d) {
    const r = d as RouteDetail
    return `${r.table === 'local' ? 'table local: ' : ''}${r.route}`
  }
  if (h.stage === 'netfilter' && 'hits' in d) {
    const nf = d as NetfilterDetail
    const hits = nf.hits.map((x) => `${x.chain}#${x.rule} -j ${x.target}`).join(', ')
    return `${nf.table} ${nf.hook} ${nf.ctstate}: ${hits === '' ? 'no rule matched' : hits} → ${nf.verdict} (${nf.rulesEvaluated} rules)${nf.nat ? ` ${nf.nat.kind} to ${nf.nat.to}` : ''}`
  }
  return Object.entries(d)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `${k}=${String(x)}`)
    .join(' ')
}

/** How the exchange ended, and what it cost: the first line of both text outputs. */
export function traceHeading(t: Trace): string {
  const o = t.outcome
  let end: string
  switch (o.kind) {
    case 'reply':
      end = `reply from ${o.from} ttl=${o.ttl}${t.servedBy ? ` served by ${t.servedBy}` : ''}`
      break
    case 'icmp-error':
      end = `ICMP error type ${o.type} code ${o.code} from ${o.from}`
      break
    case 'refused':
      end = `connection refused (RST) by ${o.from}`
      break
    case 'no-reply':
      end = 'no reply'
      break
    case 'local-error':
      end = `local error ${o.errno}${o.mtu === undefined ? '' : ` mtu=${o.mtu}`}`
      break
  }
  return `${t.probe.proto} ${t.probe.from} → ${t.probe.to}${t.probe.port === undefined ? '' : `:${t.probe.port}`}: ${end}; ${t.hops.length} hops, ${t.rulesEvaluated} netfilter rules evaluated`
}

/** The trace as text: one row per hop, after the heading. */
export function renderTrace(t: Trace): string {
  const rows = t.hops.map((h) => {
    const packet = h.after ?? h.before
    const summary = packet ? packetSummary(packet) : ''
    const drop = h.drop ? ` DROP ${h.drop}` : ''
    return [
      String(h.seq).padStart(3),
      h.leg.padEnd(7),
      h.netns.padEnd(10),
      (h.device ?? '').padEnd(12),
      h.stage.padEnd(14),
      `${detailText(h)}${drop}`,
      summary === '' ? '' : `  | ${summary}`
    ]
      .join(' ')
      .trimEnd()
  })
  return `${traceHeading(t)}\n${rows.map((r) => `${r}\n`).join('')}`
}
