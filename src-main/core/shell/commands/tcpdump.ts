/**
 * `tcpdump` 4.99 on the lab's capture points. Spawned (a job, a terminal's foreground) it
 * listens to the capture log and prints each frame as other commands create it, until `-c N`
 * frames, Ctrl+C or a signal, then the statistics. `-w FILE` writes a pcap through the context.
 *
 * Port 8472 is decoded as OTV (tcpdump's assignment for that port) unless `-T vxlan`.
 */

import type { Command, CommandContext, CommandOutput } from '../command.ts'
import type { CapturedFrame, IcmpView, Ipv4View, PacketView, TcpOption, TcpView } from '../../engine/trace.ts'
import type { Lab } from '../../kube/lab.ts'
import { parseIpv4 } from '../../net/index.ts'
import { getopt, has, lastValue } from '../getopt.ts'
import { encodeFrame, inetChecksum, l4HeaderLength, pcapFile, tcpChecksums } from '../packet-bytes.ts'
import { compilePcapFilter, PcapFilterError } from '../pcap-filter.ts'
import { resolveHost } from '../resolve.ts'
import { tcpdumpDns } from '../dns-text.ts'

const USAGE = `tcpdump version 4.99.3
libpcap version 1.10.3 (with TPACKET_V3)
OpenSSL 3.0.19 27 Jan 2026
Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]
\t\t[ -C file_size ] [ -E algo:secret ] [ -F file ] [ -G seconds ]
\t\t[ -i interface ] [ --immediate-mode ] [ -j tstamptype ]
\t\t[ -M secret ] [ --number ] [ --print ] [ -Q in|out|inout ]
\t\t[ -r file ] [ -s snaplen ] [ -T type ] [ --version ]
\t\t[ -V file ] [ -w file ] [ -W filecount ] [ -y datalinktype ]
\t\t[ --time-stamp-precision precision ] [ --micro ] [ --nano ]
\t\t[ -z postrotate-command ] [ -Z user ] [ expression ]
`

/** /etc/services names tcpdump prints without -n, for the ports the lab uses. */
const PORT_NAMES: Record<string, string> = {
  'tcp/80': 'http',
  'tcp/443': 'https',
  'tcp/8080': 'http-alt',
  'udp/53': 'domain',
  'tcp/53': 'domain',
  'udp/5353': 'mdns',
  'udp/4789': '4789',
  'udp/8472': '8472'
}

interface Options {
  readonly numeric: boolean
  readonly link: boolean
  readonly verbose: boolean
  readonly vxlan: boolean
  /** Any -T: tcpdump's TCP printer then decodes only the -T types, never by port. */
  readonly typed: boolean
}

function clockText(us: number): string {
  const sec = Math.floor(us / 1_000_000)
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0')
  return `${pad(Math.floor(sec / 3600))}:${pad(Math.floor(sec / 60) % 60)}:${pad(sec % 60)}.${pad(us % 1_000_000, 6)}`
}

/**
 * What tcpdump prints before each frame, with its trailing space, for as many -t as given:
 * the time of day; none (-t); epoch seconds (-tt); the time since the previous frame printed
 * (-ttt) or since the first (-ttttt), both behind the space the sign of a negative delta
 * would take; the date and time (-tttt).
 */
function stamper(lab: Lab, tCount: number): (atMs: number) => string {
  let first: number | undefined
  let previous: number | undefined
  return (atMs) => {
    const us = Math.round((lab.clock.epochMs + atMs) * 1000)
    const since = (from: number | undefined): string =>
      ` ${clockText(from === undefined ? 0 : Math.round((atMs - from) * 1000))} `
    first ??= atMs
    const before = previous
    previous = atMs
    switch (Math.min(tCount, 5)) {
      case 1:
        return ''
      case 2:
        return `${Math.floor(us / 1_000_000)}.${String(us % 1_000_000).padStart(6, '0')} `
      case 3:
        return since(before)
      case 4:
        return `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 10)} ${clockText(us % 86_400_000_000)} `
      case 5:
        return since(first)
      default:
        return `${clockText(us % 86_400_000_000)} `
    }
  }
}

function optionsText(opts: readonly TcpOption[]): string {
  if (opts.length === 0) return ''
  const parts = opts.map((o) =>
    o.kind === 'mss'
      ? `mss ${o.value}`
      : o.kind === 'ts'
        ? `TS val ${o.val} ecr ${o.ecr}`
        : o.kind === 'wscale'
          ? `wscale ${o.value}`
          : o.kind
  )
  return `, options [${parts.join(',')}]`
}

/**
 * tcpdump's relative sequence numbers: the first SYN of each direction fixes its base;
 * later segments print seq and ack relative to the bases once both are known.
 */
class SeqTracker {
  readonly #bases = new Map<string, number>()
  render(ip: Ipv4View, tcp: TcpView): { seq: number; ack: number } {
    const self = `${ip.src}.${tcp.sport}>${ip.dst}.${tcp.dport}`
    const peer = `${ip.dst}.${tcp.dport}>${ip.src}.${tcp.sport}`
    if (tcp.flags.includes('S')) {
      this.#bases.set(self, tcp.seq)
      return { seq: tcp.seq, ack: tcp.ack }
    }
    const a = this.#bases.get(self)
    const b = this.#bases.get(peer)
    if (a === undefined || b === undefined) return { seq: tcp.seq, ack: tcp.ack }
    return { seq: (tcp.seq - a) >>> 0, ack: (tcp.ack - b) >>> 0 }
  }
}

/** The ports tcpdump hands to its HTTP printer (TCP_PORT_HTTP, TCP_PORT_HTTP_ALT). */
const HTTP_PORTS = new Set([80, 8080])

const PROTO_NAME = { icmp: 'ICMP (1)', tcp: 'TCP (6)', udp: 'UDP (17)' } as const

class Printer {
  readonly seq = new SeqTracker()
  constructor(
    readonly lab: Lab,
    readonly o: Options
  ) {}

  port(proto: 'tcp' | 'udp', n: number): string {
    return this.o.numeric ? String(n) : (PORT_NAMES[`${proto}/${n}`] ?? String(n))
  }

  ipFields(ip: Ipv4View): string {
    return `(tos 0x${ip.tos.toString(16)}, ttl ${ip.ttl}, id ${ip.id}, offset 0, flags [${ip.df ? 'DF' : 'none'}], proto ${PROTO_NAME[ip.protocol]}, length ${ip.length})`
  }

  /** A frame as tcpdump prints it after the timestamp (an inner VXLAN frame shows MACs with -e only). */
  frame(view: PacketView): string {
    const p = onWire(view)
    const eth = p.eth
    const length = frameLength(p)
    if (p.arp) {
      const a = p.arp
      // -v names the hardware and protocol address formats, as print-arp.c does.
      const body =
        (this.o.verbose ? 'Ethernet (len 6), IPv4 (len 4), ' : '') +
        (a.op === 'request'
          ? `Request who-has ${a.targetIp} tell ${a.senderIp}, length 28`
          : `Reply ${a.senderIp} is-at ${a.senderMac}, length 28`)
      return this.o.link && eth
        ? `${eth.src} > ${eth.dst}, ethertype ARP (0x0806), length ${length}: ${body}`
        : `ARP, ${body}`
    }
    if (!p.ip || !p.l4) return ''
    const prefix =
      this.o.link && eth ? `${eth.src} > ${eth.dst}, ethertype IPv4 (0x0800), length ${length}: ` : 'IP '
    const head = this.o.verbose ? `${this.o.link && eth ? '' : 'IP '}${this.ipFields(p.ip)}\n    ` : ''
    return `${this.o.verbose ? (this.o.link && eth ? prefix : '') : prefix}${head}${this.ipPayload(p.ip, p)}`
  }

  ipPayload(ip: Ipv4View, p: PacketView): string {
    const l4 = p.l4
    if (!l4) return ''
    switch (l4.kind) {
      case 'icmp':
        return `${ip.src} > ${ip.dst}: ${this.icmp(ip, l4, p.payloadLength)}`
      case 'tcp': {
        const { seq, ack } = this.seq.render(ip, l4)
        const len = p.payloadLength
        let s = `${ip.src}.${this.port('tcp', l4.sport)} > ${ip.dst}.${this.port('tcp', l4.dport)}: Flags [${l4.flags}]`
        if (this.o.verbose) s += `, cksum ${checksumVerdict(tcpChecksums(p))}`
        if (len > 0 || /[SFR]/.test(l4.flags)) s += `, seq ${seq}${len > 0 ? `:${(seq + len) >>> 0}` : ''}`
        if (l4.flags.includes('.')) s += `, ack ${ack}`
        s += `, win ${l4.window}${optionsText(l4.options)}, length ${len}`
        return s + this.http(l4, len)
      }
      case 'udp': {
        const head = `${ip.src}.${this.port('udp', l4.sport)} > ${ip.dst}.${this.port('udp', l4.dport)}: `
        if (p.vxlan && p.inner) {
          const vx = p.vxlan
          const decode =
            l4.dport === 8472 && !this.o.vxlan
              ? `OTV, flags [I] (0x${vx.flags.toString(16).padStart(2, '0')}), overlay 0, instance ${vx.vni}`
              : `VXLAN, flags [I] (0x${vx.flags.toString(16).padStart(2, '0')}), vni ${vx.vni}`
          return `${head}${decode}\n${this.frame(p.inner)}`
        }
        if (this.o.vxlan) {
          // -T vxlan decodes every UDP datagram as VXLAN. The lab's payloads are zero bytes,
          // which real tcpdump reads as an invalid header followed by a truncated LLC frame.
          const payload = l4.length - 8
          return payload < 8
            ? `${head}VXLAN (invalid)`
            : `${head}VXLAN, flags [invalid] (0x00), vni 0\n [|llc]`
        }
        if (l4.dns) return `${head}${tcpdumpDns(l4.dns, l4.length - 8)}`
        return `${head}UDP, length ${l4.length - 8}`
      }
    }
  }

  /**
   * tcpdump decodes ports 80 and 8080 as HTTP when the payload starts like a request or a
   * status line: its first line, or with -v every line of the text, each after a tab.
   */
  http(tcp: TcpView, length: number): string {
    const data = tcp.data
    if (
      this.o.typed ||
      data === undefined ||
      length === 0 ||
      ![tcp.sport, tcp.dport].some((n) => HTTP_PORTS.has(n))
    )
      return ''
    if (!/^(?:[A-Z]+ \S+ HTTP\/\d\.\d\r?\n|HTTP\/\d\.\d )/.test(data)) return ''
    const lines = data.split(/\r?\n/)
    if (lines[lines.length - 1] === '') lines.pop()
    if (!this.o.verbose) return `: HTTP: ${lines[0] ?? ''}`
    return `: HTTP, length: ${length}${lines.map((l) => `\n\t${l}`).join('')}`
  }

  icmp(ip: Ipv4View, icmp: IcmpView, payloadLength: number): string {
    const len = ip.length - 20
    switch (icmp.type) {
      case 0:
      case 8:
        return `ICMP echo ${icmp.type === 8 ? 'request' : 'reply'}, id ${icmp.id ?? 0}, seq ${icmp.seq ?? 0}, length ${8 + payloadLength}`
      case 11:
        return `ICMP time exceeded in-transit, length ${len}${this.quoted(icmp)}`
      case 3: {
        const q = icmp.quoted
        const dst = q?.ip.dst ?? ''
        let text: string
        switch (icmp.code) {
          case 0:
            text = `net ${dst} unreachable`
            break
          case 1:
            text = `host ${dst} unreachable`
            break
          case 2:
            text = `${dst} protocol ${q ? { icmp: 1, tcp: 6, udp: 17 }[q.ip.protocol] : 0} unreachable`
            break
          case 3: {
            const l4 = q?.l4
            // For a quoted ICMP message tcpdump reads the checksum field where a port would be.
            const port =
              l4 === undefined
                ? 0
                : l4.kind === 'icmp'
                  ? quotedIcmpChecksum(l4, q?.ip.length ?? 28)
                  : l4.dport
            text =
              l4?.kind === 'icmp'
                ? `${dst} protocol 1 port ${port} unreachable`
                : `${dst} ${l4?.kind ?? 'udp'} port ${port} unreachable`
            break
          }
          case 4:
            text = `${dst} unreachable - need to frag (mtu ${icmp.mtu ?? 0})`
            break
          case 13:
            text = `host ${dst} unreachable - admin prohibited filter`
            break
          default:
            text = `${dst} unreachable - code ${icmp.code}`
        }
        return `ICMP ${text}, length ${len}${this.quoted(icmp)}`
      }
      default:
        return `ICMP type-#${icmp.type}, length ${len}`
    }
  }

  /** -v prints the datagram an ICMP error quotes, indented by a tab. */
  quoted(icmp: IcmpView): string {
    const q = icmp.quoted
    if (!this.o.verbose || !q) return ''
    const inner: PacketView = {
      ip: q.ip,
      l4: q.l4,
      mark: 0,
      payloadLength: Math.max(0, q.ip.length - 20 - l4HeaderLength(q.l4))
    }
    return `\n\t${this.o.link ? '' : 'IP '}${this.ipFields(q.ip)}\n    ${this.ipPayload(q.ip, inner)}`
  }
}

/**
 * The packet with its IP total length as the bytes the pcap writer produces: Linux quotes as
 * much of an offending datagram as fits in 576 bytes in an ICMP error. Text and file then
 * always agree.
 */
function onWire(p: PacketView): PacketView {
  if (!p.ip) return p
  const bytes = encodeFrame(p)
  return { ...p, ip: { ...p.ip, length: bytes.length - (p.eth ? 14 : 0) } }
}

function frameLength(p: PacketView): number {
  if (p.arp) return 42
  return 14 + (p.ip?.length ?? 0)
}

const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`

function checksumVerdict({ captured, correct }: { captured: number; correct: number }): string {
  return `${hex4(captured)} (${captured === correct ? 'correct' : `incorrect -> ${hex4(correct)}`})`
}

function quotedIcmpChecksum(icmp: IcmpView, ipLength: number): number {
  const w: number[] = [
    icmp.type,
    icmp.code,
    0,
    0,
    (icmp.id ?? 0) >>> 8,
    (icmp.id ?? 0) & 255,
    (icmp.seq ?? 0) >>> 8,
    (icmp.seq ?? 0) & 255
  ]
  for (let i = 8; i < ipLength - 20; i++) w.push(0)
  return inetChecksum(w)
}

const fail = (stderr: string, exitCode = 1): CommandOutput => ({ stdout: '', stderr, exitCode })

/**
 * The cooked header's packet type as tcpdump prints it: a received frame addressed to another
 * host's MAC (one a bridge port passes on) is "P" (PACKET_OTHERHOST), not "In".
 */
function packetType(f: CapturedFrame, links: readonly { name: string; mac: string }[]): string {
  if (f.direction === 'out') return 'Out'
  const dst = f.frame.eth?.dst
  if (dst === undefined) return 'In '
  if (dst === 'ff:ff:ff:ff:ff:ff') return 'B  '
  if ((parseInt(dst.slice(0, 2), 16) & 1) === 1) return 'M  '
  const own = links.find((l) => l.name === f.device)?.mac
  return own === undefined || own === dst ? 'In ' : 'P  '
}

/**
 * The bytes the kernel hands the filter: the frame as the wire carries it, behind a Linux
 * cooked v2 header on `any`.
 */
function filterBytes(
  f: CapturedFrame,
  iface: string,
  links: readonly { name: string; ifindex: number }[]
): number[] {
  const bytes = encodeFrame(f.frame)
  const eth = f.frame.eth
  if (iface !== 'any' && eth) return bytes
  const payload = eth ? bytes.slice(14) : bytes
  const ethertype = f.frame.arp ? 0x0806 : 0x0800
  if (iface !== 'any')
    return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ethertype >>> 8, ethertype & 0xff, ...payload]
  const ifindex = links.find((l) => l.name === f.device)?.ifindex ?? 0
  const mac = eth ? eth.src.split(':').map((h) => parseInt(h, 16)) : [0, 0, 0, 0, 0, 0]
  const header = [
    ethertype >>> 8,
    ethertype & 0xff,
    0,
    0,
    ifindex >>> 24,
    (ifindex >>> 16) & 0xff,
    (ifindex >>> 8) & 0xff,
    ifindex & 0xff,
    0,
    1,
    f.direction === 'out' ? 4 : 0,
    6,
    ...mac,
    0,
    0
  ]
  return [...header, ...payload]
}

/** A parsed command line: what to capture and how to print it. */
interface Capture {
  readonly iface: string
  /** Frames the interface delivers to the capture (before the filter). */
  readonly receives: (f: CapturedFrame) => boolean
  /** The compiled expression, run on the bytes the kernel hands it. */
  readonly filter: (f: CapturedFrame) => boolean
  readonly limit: number
  readonly file: string | undefined
  /** What tcpdump writes to stderr before the first frame. */
  readonly banner: string
  /** A frame's line, as tcpdump prints it; the printer keeps the relative sequence numbers. */
  readonly line: (f: CapturedFrame) => string
}

/** What tcpdump prints when it stops: the statistics, on stderr. */
function statistics(captured: number, received: number): string {
  const plural = (n: number): string => (n === 1 ? '' : 's')
  return `${captured} packet${plural(captured)} captured\n${received} packet${plural(received)} received by filter\n0 packets dropped by kernel\n`
}

function prepare(argv: readonly string[], ctx: CommandContext): Capture | CommandOutput {
  const r = getopt('tcpdump', argv, {
    short: 'AbdDefhHIJKlLnNOpqStuUvxX#B:c:C:E:F:G:i:j:M:Q:r:s:T:V:w:W:y:z:Z:',
    long: {
      count: { key: 'count', arg: false },
      version: { key: 'version', arg: false },
      help: { key: 'h', arg: false }
    }
  })
  if (!r.ok) return fail(`${r.message}\n${USAGE}`)
  const o = r.value
  if (has(o, 'h') || has(o, 'version')) return { stdout: USAGE, stderr: '', exitCode: 0 }
  if (has(o, 'r'))
    return fail(
      `tcpdump: ${lastValue(o, 'r') ?? ''}: reading saved captures is not available in the lab; open the file with Wireshark or tcpdump -r on your machine\n`
    )
  const countText = lastValue(o, 'c')
  let limit = Number.POSITIVE_INFINITY
  if (countText !== undefined) {
    const n = Number(countText)
    if (!/^\d+$/.test(countText) || n <= 0) return fail(`tcpdump: invalid packet count ${countText}\n`)
    limit = n
  }
  const type = lastValue(o, 'T')
  if (type !== undefined && !PACKET_TYPES.includes(type)) {
    return fail(`tcpdump: unknown packet type \`${type}'\n`)
  }
  const ns = ctx.lab.netns.get(ctx.target.netns)
  const links = ns?.links ?? []
  const requested = lastValue(o, 'i')
  // Without -i tcpdump takes the first interface that is up and not loopback.
  const iface = requested ?? links.find((l) => l.kind !== 'loopback' && l.up)?.name ?? 'lo'
  if (iface !== 'any' && !links.some((l) => l.name === iface))
    return fail(`tcpdump: ${iface}: No such device exists\n(No such device exists)\n`)
  let compiled: (bytes: number[]) => boolean
  try {
    compiled = compilePcapFilter(o.operands.join(' '), {
      linkType: iface === 'any' ? 'sll2' : 'en10mb',
      resolveHost: (name) => {
        const ip = resolveHost(ctx, name)
        return ip === undefined ? undefined : [parseIpv4(ip) ?? 0]
      }
    })
  } catch (e) {
    if (e instanceof PcapFilterError) return fail(`tcpdump: ${e.message}\n`)
    throw e
  }
  const filter = (f: CapturedFrame): boolean => compiled(filterBytes(f, iface, links))
  const netns = ctx.target.netns
  const promiscuous = !has(o, 'p')
  const receives = (f: CapturedFrame): boolean =>
    f.netns === netns &&
    (iface === 'any' ? f.promiscOnly !== true : f.device === iface && (f.promiscOnly !== true || promiscuous))
  const vCount = o.options.filter((x) => x.key === 'v').length
  const nCount = o.options.filter((x) => x.key === 'n').length
  const opts: Options = {
    numeric: nCount > 0,
    link: has(o, 'e'),
    verbose: vCount > 0,
    vxlan: type === 'vxlan',
    typed: type !== undefined
  }
  const linkType = iface === 'any' ? 'LINUX_SLL2 (Linux cooked v2)' : 'EN10MB (Ethernet)'
  const listening = `listening on ${iface}, link-type ${linkType}, snapshot length 262144 bytes\n`
  const file = lastValue(o, 'w')
  const banner =
    file !== undefined
      ? `tcpdump: ${listening}`
      : (iface === 'any' ? 'tcpdump: data link type LINUX_SLL2\n' : '') +
        (opts.verbose
          ? `tcpdump: ${listening}`
          : `tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n${listening}`)
  const printer = new Printer(ctx.lab, opts)
  const cooked = new Printer(ctx.lab, { ...opts, link: false })
  const stamp = stamper(ctx.lab, o.options.filter((x) => x.key === 't').length)
  const line = (f: CapturedFrame): string => {
    if (iface !== 'any') return `${stamp(f.at)}${printer.frame(f.frame)}\n`
    // Linux cooked v2 (any): interface and direction first; with -e the cooked header's
    // ifindex and source MAC stand in for the Ethernet header.
    const head = `${f.device.padEnd(5)} ${packetType(f, links)} `
    const eth = f.frame.eth
    if (!opts.link || !eth) return `${stamp(f.at)}${head}${cooked.frame(f.frame)}\n`
    const ifindex = links.find((l) => l.name === f.device)?.ifindex ?? 0
    const body = cooked
      .frame(f.frame)
      .replace(/^IP /, '')
      .replace(/^ARP, /, '')
    const length = (f.frame.arp ? 28 : (onWire(f.frame).ip?.length ?? 0)) + 20
    return `${stamp(f.at)}${head}ifindex ${ifindex} ${eth.src} ethertype ${eth.ethertype === 'ARP' ? 'ARP (0x0806)' : 'IPv4 (0x0800)'}, length ${length}: ${body}\n`
  }
  return { iface, receives, filter, limit, file, banner, line }
}

function pcapOf(lab: Lab, frames: readonly CapturedFrame[]): Uint8Array {
  return pcapFile(frames.map((f) => ({ atMs: lab.clock.epochMs + f.at, bytes: encodeFrame(f.frame) })))
}

export const tcpdumpCommand: Command = {
  name: 'tcpdump',
  notInBusybox: true,
  summary: 'capture frames on an interface (-i IF -nn -e -v -c N -T vxlan -w FILE); Ctrl+C stops it',
  availableOn: ['node', 'pod', 'container', 'external'],
  /**
   * Where no one can press Ctrl+C (a script, a pipe, the CLI), tcpdump shows the frames of the
   * line that last sent traffic and stops as if interrupted after the last one.
   */
  run(argv, ctx) {
    const c = prepare(argv, ctx)
    if ('exitCode' in c) return c
    // The kernel runs the filter before counting, so "received by filter" counts only the
    // packets it let through.
    const passed = ctx.lab.capture.framesOf(ctx.lab.capture.batch).filter((f) => c.receives(f) && c.filter(f))
    const matched = passed.slice(0, Number.isFinite(c.limit) ? c.limit : undefined)
    const stats = statistics(matched.length, passed.length)
    if (c.file !== undefined) {
      ctx.writeFile(c.file, pcapOf(ctx.lab, matched))
      return { stdout: '', stderr: `${c.banner}${stats}`, exitCode: 0 }
    }
    // -c ends the capture by itself; otherwise the learner "pressed Ctrl-C" after the last frame.
    const interrupted = matched.length < c.limit
    return {
      stdout: matched.map(c.line).join('') + (interrupted ? '\n' : ''),
      stderr: c.banner + stats,
      exitCode: 0
    }
  },
  spawn(argv, ctx, io) {
    const c = prepare(argv, ctx)
    if ('exitCode' in c) return c
    const kept: CapturedFrame[] = []
    let received = 0
    let captured = 0
    let running = true
    const stop = (interrupted: boolean): void => {
      if (!running) return
      running = false
      ctx.lab.capture.listeners.delete(listen)
      if (c.file !== undefined) {
        try {
          ctx.writeFile(c.file, pcapOf(ctx.lab, kept))
        } catch (e) {
          io.write('stderr', `tcpdump: ${e instanceof Error ? e.message : String(e)}\n`)
          io.exit(1)
          return
        }
      } else if (interrupted) io.write('stdout', '\n')
      io.write('stderr', statistics(captured, received))
      io.exit(0)
    }
    const listen = (f: CapturedFrame): void => {
      if (!c.receives(f) || !c.filter(f)) return
      received++
      captured++
      if (c.file !== undefined) kept.push(f)
      else io.write('stdout', c.line(f))
      if (captured >= c.limit) stop(false)
    }
    io.write('stderr', c.banner)
    ctx.lab.capture.listeners.add(listen)
    // tcpdump's handler for SIGINT and SIGTERM prints the statistics and exits 0.
    return { signal: () => stop(true) }
  }
}

const PACKET_TYPES = [
  'vxlan',
  'udp',
  'rtp',
  'rtcp',
  'snmp',
  'tftp',
  'vat',
  'wb',
  'aodv',
  'carp',
  'cnfp',
  'lmp',
  'pgm',
  'pgm_zmtp1',
  'radius',
  'resp',
  'rpc',
  'syslog',
  'tcp',
  'zmtp1',
  'domain',
  'quic'
]
