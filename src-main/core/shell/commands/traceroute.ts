/**
 * `traceroute` 2.1.2 (Debian 12): probes with TTL 1, 2, … through the packet engine, printing
 * who answered each (ICMP time exceeded from routers, port unreachable / reply from the
 * destination). UDP to 33434+ by default, `-T -p PORT` for TCP SYN, `-I` for ICMP echo. Up to
 * `-N` (16) probes are in flight at once, so probes past the destination reach it too and spend
 * its ICMP error bucket, as on a real namespace.
 */

import type { Command, CommandContext, CommandOutput } from '../command.ts'
import type { ProbeSpec, Trace } from '../../engine/trace.ts'
import { resolveHost } from '../resolve.ts'
import type { Prober } from './ping.ts'
import { killedStatus, waitFor } from '../timeout-signal.ts'

const USAGE = `Usage:
  traceroute [ -46dFITnreAUDV ] [ -f first_ttl ] [ -g gate,... ] [ -i device ] [ -m max_ttl ] [ -N squeries ] [ -p port ] [ -t tos ] [ -l flow_label ] [ -w MAX,HERE,NEAR ] [ -q nqueries ] [ -s src_addr ] [ -z sendwait ] [ --fwmark=num ] host [ packetlen ]
Options:
  -4                          Use IPv4
  -6                          Use IPv6
  -d  --debug                 Enable socket level debugging
  -F  --dont-fragment         Do not fragment packets
  -f first_ttl  --first=first_ttl
                              Start from the first_ttl hop (instead from 1)
  -g gate,...  --gateway=gate,...
                              Route packets through the specified gateway
                              (maximum 8 for IPv4 and 127 for IPv6)
  -I  --icmp                  Use ICMP ECHO for tracerouting
  -T  --tcp                   Use TCP SYN for tracerouting (default port is 80)
  -i device  --interface=device
                              Specify a network interface to operate with
  -m max_ttl  --max-hops=max_ttl
                              Set the max number of hops (max TTL to be
                              reached). Default is 30
  -N squeries  --sim-queries=squeries
                              Set the number of probes to be tried
                              simultaneously (default is 16)
  -n                          Do not resolve IP addresses to their domain names
  -p port  --port=port        Set the destination port to use. It is either
                              initial udp port value for "default" method
                              (incremented by each probe, default is 33434), or
                              initial seq for "icmp" (incremented as well,
                              default from 1), or some constant destination
                              port for other methods (with default of 80 for
                              "tcp", 53 for "udp", etc.)
  -t tos  --tos=tos           Set the TOS (IPv4 type of service) or TC (IPv6
                              traffic class) value for outgoing packets
  -l flow_label  --flowlabel=flow_label
                              Use specified flow_label for IPv6 packets
  -w MAX,HERE,NEAR  --wait=MAX,HERE,NEAR
                              Wait for a probe no more than HERE (default 3)
                              times longer than a response from the same hop,
                              or no more than NEAR (default 10) times than some
                              next hop, or MAX (default 5.0) seconds (float
                              point values allowed too)
  -q nqueries  --queries=nqueries
                              Set the number of probes per each hop. Default is
                              3
  -r                          Bypass the normal routing and send directly to a
                              host on an attached network
  -s src_addr  --source=src_addr
                              Use source src_addr for outgoing packets
  -z sendwait  --sendwait=sendwait
                              Minimal time interval between probes (default 0).
                              If the value is more than 10, then it specifies a
                              number in milliseconds, else it is a number of
                              seconds (float point values allowed too)
  -e  --extensions            Show ICMP extensions (if present), including MPLS
  -A  --as-path-lookups       Perform AS path lookups in routing registries and
                              print results directly after the corresponding
                              addresses
  -M name  --module=name      Use specified module (either builtin or external)
                              for traceroute operations. Most methods have
                              their shortcuts (\`-I' means \`-M icmp' etc.)
  -O OPTS,...  --options=OPTS,...
                              Use module-specific option OPTS for the
                              traceroute module. Several OPTS allowed,
                              separated by comma. If OPTS is "help", print info
                              about available options
  --sport=num                 Use source port num for outgoing packets. Implies
                              \`-N 1'
  --fwmark=num                Set firewall mark for outgoing packets
  -U  --udp                   Use UDP to particular port for tracerouting
                              (instead of increasing the port per each probe),
                              default port is 53
  -UL                         Use UDPLITE for tracerouting (default dest port
                              is 53)
  -D  --dccp                  Use DCCP Request for tracerouting (default port
                              is 33434)
  -P prot  --protocol=prot    Use raw packet of protocol prot for tracerouting
  --mtu                       Discover MTU along the path being traced. Implies
                              \`-F -N 1'
  --back                      Guess the number of hops in the backward path and
                              print if it differs
  -V  --version               Print version info and exit
  --help                      Read this help and exit

Arguments:
+     host          The host to traceroute to
      packetlen     The full packet length (default is the length of an IP
                    header plus 40). Can be ignored or increased to a minimal
                    allowed value
`

/** Letters that take a value, and the flags the lab accepts without a visible effect. */
const WITH_VALUE = new Set(['f', 'g', 'i', 'm', 'N', 'p', 't', 'l', 'w', 'q', 's', 'z', 'M', 'O', 'P'])
const FLAGS = new Set(['4', 'd', 'F', 'I', 'T', 'n', 'r', 'e', 'A', 'U', 'D'])

const ANNOTATION: Record<number, string> = { 0: '!N', 1: '!H', 2: '!P', 5: '!S', 9: '!X', 10: '!X', 13: '!X' }

const err = (stderr: string, exitCode: number): CommandOutput => ({ stdout: '', stderr, exitCode })

export function runTraceroute(argv: readonly string[], ctx: CommandContext, probe: Prober): CommandOutput {
  const values = new Map<string, string>()
  const flags = new Set<string>()
  const operands: { value: string; argc: number }[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? ''
    if (a === '--help') return err(USAGE, 0)
    if (a === '-V' || a === '--version')
      return {
        stdout:
          'Modern traceroute for Linux, version 2.1.2\nCopyright (c) 2016  Dmitry Butskoy,   License: GPL v2 or any later\n',
        stderr: '',
        exitCode: 0
      }
    if (!a.startsWith('-') || a === '-') {
      operands.push({ value: a, argc: i + 1 })
      continue
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j] ?? ''
      if (WITH_VALUE.has(c)) {
        const rest = a.slice(j + 1)
        const v = rest !== '' ? rest : argv[++i]
        if (v === undefined)
          return err(
            `Option \`-${c}' (argc ${i}) requires an argument: \`-${c} ${c === 'p' ? 'port' : 'value'}'\n`,
            2
          )
        values.set(c, v)
        break
      }
      if (!FLAGS.has(c)) return err(`Bad option \`-${c}' (argc ${i + 1})\n`, 2)
      flags.add(c)
    }
  }
  const host = operands[0]
  if (!host) return err(USAGE, 0)
  const num = (key: string, dflt: number, min: number, max: number, what: string): number | CommandOutput => {
    const v = values.get(key)
    if (v === undefined) return dflt
    const n = Number(v)
    if (!/^\d+$/.test(v) || n < min || n > max) return err(`${what}\n`, 2)
    return n
  }
  const maxHops = num(
    'm',
    30,
    1,
    255,
    `Cannot handle \`-m' option with arg \`${values.get('m') ?? ''}' (argc 2)`
  )
  if (typeof maxHops !== 'number') return maxHops
  const queries = num(
    'q',
    3,
    1,
    10,
    values.get('q') !== undefined && Number(values.get('q')) > 10
      ? 'no more than 10 probes per hop'
      : `Cannot handle \`-q' option with arg \`${values.get('q') ?? ''}' (argc 2)`
  )
  if (typeof queries !== 'number') return queries
  const first = num(
    'f',
    1,
    1,
    255,
    `Cannot handle \`-f' option with arg \`${values.get('f') ?? ''}' (argc 2)`
  )
  if (typeof first !== 'number') return first
  if (first > maxHops) return err('first hop out of range\n', 2)
  const waitText = values.get('w')
  if (waitText !== undefined && !/^\d*\.?\d+(,\d*\.?\d+){0,2}$/.test(waitText))
    return err(`Cannot handle \`-w' option with arg \`${waitText}' (argc 2)\n`, 2)
  const proto: ProbeSpec['proto'] = flags.has('T') ? 'tcp' : flags.has('I') ? 'icmp' : 'udp'
  const portText = values.get('p')
  if (portText !== undefined && !/^\d+$/.test(portText))
    return err(`Cannot handle \`-p' option with arg \`${portText}' (argc 2)\n`, 2)
  const basePort =
    portText !== undefined ? Number(portText) : proto === 'tcp' ? 80 : flags.has('U') ? 53 : 33434
  const ip = resolveHost(ctx, host.value)
  if (ip === undefined) {
    return err(
      `${host.value}: Temporary failure in name resolution\nCannot handle "host" cmdline arg \`${host.value}' on position 1 (argc ${host.argc})\n`,
      2
    )
  }
  const numeric = flags.has('n')
  const packetLen = operands[1] === undefined ? 60 : Math.max(Number(operands[1].value) || 60, 28)
  const simultaneous = num(
    'N',
    16,
    0,
    Number.MAX_SAFE_INTEGER,
    `Cannot handle \`-N' option with arg \`${values.get('N') ?? ''}' (argc 2)`
  )
  if (typeof simultaneous !== 'number') return simultaneous
  const header = `traceroute to ${host.value} (${ip}), ${maxHops} hops max, ${packetLen} byte packets`
  const [waitMax, waitHere, waitNear] = (waitText ?? '').split(',').map(Number)
  const wait = {
    maxMs: (waitMax ?? 5) * 1000 || 5000,
    here: waitHere ?? 3,
    near: waitNear ?? 10
  }
  const probes: SentProbe[] = []
  const send = (n: number): SentProbe | CommandOutput => {
    const ttl = Math.floor(n / queries) + 1
    // The default UDP method walks the port up with every probe, so no firewall rule can
    // single out "the traceroute port"; -T, -U and -I keep theirs.
    const port = proto === 'udp' && !flags.has('U') ? basePort + n - (first - 1) * queries : basePort
    // The probe's payload fills the packet to packetlen (60 bytes: 20 IP + 8 UDP/ICMP + 32).
    const size = proto === 'tcp' ? undefined : Math.max(0, packetLen - 28)
    ctx.countPacket?.()
    const trace: Trace = probe(ctx.lab, {
      proto,
      from: ctx.target.name,
      to: ip,
      ttl,
      ...(size === undefined ? {} : { size }),
      ...(proto === 'icmp' ? {} : { port })
    })
    const o = trace.outcome
    if (o.kind === 'local-error' && n === (first - 1) * queries)
      return {
        stdout: header,
        stderr: `\nconnect: ${o.errno === 'ENETUNREACH' ? 'Network is unreachable' : o.errno === 'EPERM' ? 'Operation not permitted' : 'No route to host'}\n`,
        exitCode: 1
      }
    const answered = o.kind !== 'local-error' && o.kind !== 'no-reply'
    // A send that failed is a star at once.
    return { ttl, sentAt: ctx.lab.clock.nowMs, trace, answered, done: o.kind !== 'no-reply' }
  }
  let stdout = header
  let lastAddr: string | undefined
  let errors = 0
  const print = (n: number, p: SentProbe): void => {
    const q = n % queries
    if (q === 0) {
      stdout += `\n${String(p.ttl).padStart(2)} `
      lastAddr = undefined
      errors = 0
    }
    const o = p.trace.outcome
    if (!p.answered || o.kind === 'local-error' || o.kind === 'no-reply') {
      stdout += ' *'
      return
    }
    if (o.from !== lastAddr) {
      stdout += numeric ? ` ${o.from}` : ` ${o.from} (${o.from})`
      lastAddr = o.from
    }
    stdout += `  ${(p.trace.rttMs ?? 0).toFixed(3)} ms`
    if (o.kind === 'icmp-error' && o.type === 3 && o.code !== 3) {
      stdout += o.code === 4 ? ` !F-${o.mtu ?? 0}` : ` ${ANNOTATION[o.code] ?? `!<${o.code}>`}`
      errors++
    }
  }
  const final = (p: SentProbe): boolean => {
    const o = p.trace.outcome
    return (
      o.kind === 'reply' || o.kind === 'refused' || (o.kind === 'icmp-error' && o.type === 3 && o.code === 3)
    )
  }
  // traceroute 2.1.2's loop: up to -N probes in flight, in TTL order; a probe's line is printed
  // once every probe before it is done, and the hop where the destination (or an unreachable
  // error on every probe) answered is the last.
  let start = (first - 1) * queries
  let end = maxHops * queries
  let finalHop = false
  while (start < end) {
    for (let p = probes[start]; start < end && p?.done; p = probes[start]) {
      print(start, p)
      if (final(p)) finalHop = true
      if (start % queries === queries - 1 && (finalHop || errors === queries)) end = start + 1
      start++
    }
    if (start >= end) break
    let inFlight = 0
    let sentSome = false
    // -N 0 still sends one.
    for (let n = start; n < end && inFlight < Math.max(1, simultaneous); n++) {
      const p = probes[n]
      if (p?.done) continue
      if (p === undefined) {
        const sent = send(n)
        if ('exitCode' in sent) return sent
        probes[n] = sent
        sentSome = true
      }
      inFlight++
    }
    if (sentSome) continue
    const waiting = probes.slice(start, end).filter((p): p is SentProbe => p !== undefined && !p.done)
    // Nothing more to send: wait for the first unanswered probe to expire, sooner when a probe
    // of its hop or a later one came back (-w MAX,HERE,NEAR).
    const expiry = (p: SentProbe): number => {
      let ms = wait.maxMs
      for (const other of probes) {
        if (!other?.answered || other.trace.rttMs === undefined) continue
        if (other.ttl === p.ttl) ms = Math.min(ms, wait.here * other.trace.rttMs)
        else if (other.ttl > p.ttl) ms = Math.min(ms, wait.near * other.trace.rttMs)
      }
      return p.sentAt + ms
    }
    const due = Math.min(...waiting.map(expiry))
    const signal = waitFor(ctx, Math.max(0, due - ctx.lab.clock.nowMs))
    if (signal !== undefined) return { stdout, stderr: '', exitCode: killedStatus(signal) }
    for (const p of waiting) if (expiry(p) <= ctx.lab.clock.nowMs) p.done = true
  }
  return { stdout: `${stdout}\n`, stderr: '', exitCode: 0 }
}

interface SentProbe {
  readonly ttl: number
  readonly sentAt: number
  readonly trace: Trace
  readonly answered: boolean
  done: boolean
}

export function tracerouteCommand(probe: Prober): Command {
  return {
    name: 'traceroute',
    summary: 'print the routers on the way (-n, -q N, -w s, -m max, -T -p PORT, -I)',
    sendsTraffic: true,
    run: (argv, ctx) => runTraceroute(argv, ctx, probe)
  }
}
