/**
 * netcat-openbsd 1.219 as Debian 12 ships it: port lists and ranges scanned in order, messages
 * only with -v (name lookups and usage errors always), and the exit status of the last port it
 * connected to (TCP: 0 once any port answered).
 */

import { OutputBuilder } from '../command.ts'
import type { CommandContext, CommandOutput, TimeoutSignal } from '../command.ts'
import { getaddrinfo } from '../dns-resolver.ts'
import { serviceName, servicePort } from '../etc-services.ts'
import { CONNECT_ERROR_TEXT, connectTcp } from '../tcp-connect.ts'
import { killedStatus, signalled, waitFor } from '../timeout-signal.ts'
import { parseInetAton } from '../../net/index.ts'
import { utf8Length } from '../../net/utf8.ts'
import type { Prober } from './ping.ts'

const USAGE = `usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]
\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]
\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]
\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]
\t  [destination] [port]
`

/** The lab's answer to `nc HOST PORT` with nothing piped in: it has no keyboard to read from. */
export const NO_TYPING =
  'nc: Podnet Lab cannot type into a live connection. Pipe the data in (echo hi | nc HOST PORT) or scan with -z.\n'

interface Options {
  zero: boolean
  verbose: boolean
  udp: boolean
  numeric: boolean
  waitS?: number
  args: string[]
}

/** Flags that change nothing the lab shows (address family, no DNS for the port, …). */
const HARMLESS = new Set(['4', 'N', 'd', 'D', 'C', 'F', 'S', 'k', 'r', 't', 'Z'])
const WITH_ARG = new Set(['I', 'i', 'M', 'm', 'O', 'P', 'p', 'q', 's', 'T', 'V', 'W', 'w', 'X', 'x'])

type Parsed = { ok: true; opts: Options } | { ok: false; out: CommandOutput }

const fail = (stderr: string): Parsed => ({ ok: false, out: { stdout: '', stderr, exitCode: 1 } })

function parse(argv: readonly string[]): Parsed {
  const opts: Options = { zero: false, verbose: false, udp: false, numeric: false, args: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') {
      opts.args.push(...argv.slice(i + 1))
      break
    }
    if (!a.startsWith('-') || a === '-') {
      opts.args.push(a)
      continue
    }
    for (let j = 1; j < a.length; j++) {
      const letter = a[j]!
      if (WITH_ARG.has(letter)) {
        const rest = a.slice(j + 1)
        const value = rest !== '' ? rest : argv[++i]
        if (value === undefined) return fail(`nc: option requires an argument -- '${letter}'\n${USAGE}`)
        if (letter === 'w') {
          if (!/^\d+$/.test(value)) return fail(`nc: timeout invalid: ${value}\n`)
          opts.waitS = Number(value)
        }
        break
      }
      if (letter === 'z') opts.zero = true
      else if (letter === 'v') opts.verbose = true
      else if (letter === 'u') opts.udp = true
      else if (letter === 'n') opts.numeric = true
      else if (letter === 'l' || letter === 'U' || letter === '6') {
        // Listening and other families need a second terminal the lab does not have.
        return fail(`nc: -${letter} is not simulated in Podnet Lab: the lab's apps are the servers.\n`)
      } else if (!HARMLESS.has(letter)) return fail(`nc: invalid option -- '${letter}'\n${USAGE}`)
    }
  }
  if (opts.args.length === 0) return fail(USAGE)
  if (opts.args.length === 1) return fail('nc: missing port number\n')
  return { ok: true, opts }
}

/** build_ports: each argument a port, a service name or a low-high range, in order. */
function ports(args: readonly string[], proto: 'tcp' | 'udp'): number[] | string {
  const one = (text: string): number | string => {
    if (/^\d+$/.test(text)) {
      const n = Number(text)
      if (n < 1) return `port number too small: ${text}`
      if (n > 65535) return `port number too large: ${text}`
      return n
    }
    return servicePort(text, proto) ?? `port number invalid: ${text}`
  }
  const list: number[] = []
  for (const arg of args) {
    const range = /^([^-]+)-([^-]+)$/.exec(arg)
    if (range) {
      const lo = one(range[1]!)
      const hi = one(range[2]!)
      if (typeof lo === 'string') return lo
      if (typeof hi === 'string') return hi
      for (let p = Math.min(lo, hi); p <= Math.max(lo, hi); p++) list.push(p)
    } else {
      const p = one(arg)
      if (typeof p === 'string') return p
      list.push(p)
    }
  }
  return list
}

/**
 * What a datagram to the port meets: an ICMP port unreachable makes the socket's next write
 * fail with ECONNREFUSED; anything else (an answer, silence) looks the same to the sender.
 */
export function udpRefused(ctx: CommandContext, probe: Prober, ip: string, port: number): boolean {
  ctx.countPacket?.()
  const trace = probe(ctx.lab, { proto: 'udp', from: ctx.target.name, to: ip, port, size: 1 })
  const o = trace.outcome
  return (o.kind === 'icmp-error' && o.type === 3 && o.code === 3) || o.kind === 'refused'
}

export function runOpenbsdNc(argv: readonly string[], ctx: CommandContext, probe: Prober): CommandOutput {
  const p = parse(argv)
  if (!p.ok) return p.out
  const o = p.opts
  const [host = '', ...portArgs] = o.args
  const proto = o.udp ? 'udp' : 'tcp'
  const list = ports(portArgs, proto)
  if (typeof list === 'string') return { stdout: '', stderr: `nc: ${list}\n`, exitCode: 1 }
  if (!o.zero && ctx.stdin === '') return { stdout: '', stderr: NO_TYPING, exitCode: 1 }
  const out = new OutputBuilder()
  const numeric = parseInetAton(host) !== undefined
  const resolved =
    o.numeric && !numeric
      ? { ok: false as const, reason: 'not-found' as const }
      : getaddrinfo(ctx, probe, host, true)
  const killedResolving = signalled(ctx)
  if (killedResolving !== undefined) return out.result(killedStatus(killedResolving))
  if (!resolved.ok) {
    const why =
      resolved.reason === 'not-found' ? 'Name or service not known' : 'Temporary failure in name resolution'
    return { stdout: '', stderr: `nc: getaddrinfo for host "${host}" port ${list[0]}: ${why}\n`, exitCode: 1 }
  }
  const ip = resolved.addresses[0]!
  const who = numeric ? ip : `${host} (${ip})`
  let exitCode = 1
  let killedBy: TimeoutSignal | undefined
  const verbose = (text: string): void => {
    if (o.verbose) out.err(text)
  }
  const succeeded = (port: number): void =>
    verbose(`Connection to ${who} ${port} port [${proto}/${serviceName(port, proto) ?? '*'}] succeeded!\n`)
  for (const port of list) {
    if (o.udp) {
      // UDP connect() always succeeds; -z then writes four datagrams, and a port unreachable
      // from one makes a later write fail. Data goes out as one datagram, which an echo app
      // sends back; nc then waits -w seconds for more.
      exitCode = 0
      if (!o.zero) {
        ctx.countPacket?.()
        const trace = probe(ctx.lab, {
          proto: 'udp',
          from: ctx.target.name,
          to: ip,
          port,
          size: utf8Length(ctx.stdin)
        })
        succeeded(port)
        if (trace.outcome.kind === 'reply') out.out(ctx.stdin)
        killedBy = waitFor(ctx, (o.waitS ?? 0) * 1000)
        if (killedBy !== undefined) break
        continue
      }
      let refused = false
      for (let k = 0; k < 4 && !refused; k++) refused = udpRefused(ctx, probe, ip, port)
      if (refused) exitCode = 1
      else succeeded(port)
      continue
    }
    const conn = connectTcp(ctx, probe, {
      ip,
      port,
      ...(o.waitS === undefined || o.waitS === 0 ? {} : { limitMs: o.waitS * 1000 }),
      ...(o.zero ? { payload: '' } : { payload: ctx.stdin })
    })
    if (conn.kind === 'killed') {
      killedBy = conn.signal
      break
    }
    if (conn.kind === 'failed') {
      verbose(`nc: connect to ${who} port ${port} (tcp) failed: ${CONNECT_ERROR_TEXT[conn.errno]}\n`)
      continue
    }
    if (conn.kind === 'no-reply') {
      killedBy = waitFor(ctx, Math.max(0, conn.trace.at + conn.waitedMs - ctx.lab.clock.nowMs))
      if (killedBy !== undefined) break
      verbose(
        conn.byKernel
          ? `nc: connect to ${who} port ${port} (tcp) failed: Connection timed out\n`
          : `nc: connect to ${who} port ${port} (tcp) timed out: Operation now in progress\n`
      )
      continue
    }
    exitCode = 0
    succeeded(port)
    if (!o.zero) out.out(conn.answer)
  }
  return out.result(killedBy === undefined ? exitCode : killedStatus(killedBy))
}
