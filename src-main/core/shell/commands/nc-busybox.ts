/**
 * BusyBox 1.36 `nc` (networking/nc_bloaty.c, the image's NC_110_COMPAT build): one host and one
 * port, `HOST (IP:PORT) open` with -v, a refusal printed only with -vv (a scan's one -v keeps
 * refusals quiet), other failures with -v; exit 1 on any failure.
 */

import { OutputBuilder } from '../command.ts'
import type { CommandContext, CommandOutput } from '../command.ts'
import { getaddrinfo } from '../dns-resolver.ts'
import { servicePort } from '../etc-services.ts'
import { CONNECT_ERROR_TEXT, connectTcp } from '../tcp-connect.ts'
import { killedStatus, signalled, waitFor } from '../timeout-signal.ts'
import { utf8Length } from '../../net/utf8.ts'
import { NO_TYPING, udpRefused } from './nc-openbsd.ts'
import type { Prober } from './ping.ts'
import { BUSYBOX_BANNER } from './wget-busybox.ts'

const USAGE = `${BUSYBOX_BANNER}

Usage: nc [OPTIONS] HOST PORT  - connect
nc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen

\t-e PROG\tRun PROG after connect (must be last)
\t-l\tListen mode, for inbound connects
\t-lk\tWith -e, provides persistent server
\t-p PORT\tLocal port
\t-s ADDR\tLocal address
\t-w SEC\tTimeout for connects and final net reads
\t-i SEC\tDelay interval for lines sent
\t-n\tDon't do DNS resolution
\t-u\tUDP mode
\t-b\tAllow broadcasts
\t-v\tVerbose
\t-o FILE\tHex dump traffic
\t-z\tZero-I/O mode (scanning)
`

/** The port udptest's TCP "ping" aims at, which is normally refused (nc_bloaty.c SLEAZE_PORT). */
const SLEAZE_PORT = 31337
/** How long that TCP ping may take. */
const SLEAZE_WAIT_MS = 5000

interface Options {
  zero: boolean
  verbose: number
  udp: boolean
  waitS: number
  args: string[]
}

type Parsed = { ok: true; opts: Options } | { ok: false; out: CommandOutput }

function parse(argv: readonly string[]): Parsed {
  const opts: Options = { zero: false, verbose: 0, udp: false, waitS: 0, args: [] }
  const usage = (msg: string): Parsed => ({
    ok: false,
    out: { stdout: '', stderr: `${msg}${USAGE}`, exitCode: 1 }
  })
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (!a.startsWith('-') || a === '-') {
      opts.args.push(a)
      continue
    }
    for (let j = 1; j < a.length; j++) {
      const letter = a[j]!
      if ('psiow'.includes(letter)) {
        const rest = a.slice(j + 1)
        const value = rest !== '' ? rest : argv[++i]
        if (value === undefined) return usage(`nc: option requires an argument: ${letter}\n`)
        if (letter === 'w') {
          if (!/^\d+$/.test(value))
            return { ok: false, out: { stdout: '', stderr: `nc: invalid number '${value}'\n`, exitCode: 1 } }
          opts.waitS = Number(value)
        }
        break
      }
      if (letter === 'z') opts.zero = true
      else if (letter === 'v') opts.verbose++
      else if (letter === 'u') opts.udp = true
      else if (letter === 'l' || letter === 'e') {
        return {
          ok: false,
          out: {
            stdout: '',
            stderr: `nc: -${letter} is not simulated in Podnet Lab: the lab's apps are the servers.\n`,
            exitCode: 1
          }
        }
      } else if (letter !== 'n' && letter !== 'b' && letter !== 'k')
        return usage(`nc: unrecognized option: ${letter}\n`)
    }
  }
  if (opts.args.length === 0 || opts.args.length > 2) return usage('')
  return { ok: true, opts }
}

export function runBusyboxNc(argv: readonly string[], ctx: CommandContext, probe: Prober): CommandOutput {
  const p = parse(argv)
  if (!p.ok) return p.out
  const o = p.opts
  const [host = '', portText] = o.args
  const proto = o.udp ? 'udp' : 'tcp'
  // bb_lookup_port: a number up to 65535, else a service name; no port at all is port 0.
  const port =
    portText === undefined
      ? 0
      : /^\d+$/.test(portText) && Number(portText) <= 65535
        ? Number(portText)
        : servicePort(portText, proto)
  if (port === undefined) return { stdout: '', stderr: `nc: bad port '${portText}'\n`, exitCode: 1 }
  const resolved = getaddrinfo(ctx, probe, host, true)
  const killedResolving = signalled(ctx)
  if (killedResolving !== undefined)
    return { stdout: '', stderr: '', exitCode: killedStatus(killedResolving) }
  if (!resolved.ok) return { stdout: '', stderr: `nc: bad address '${host}'\n`, exitCode: 1 }
  if (!o.zero && ctx.stdin === '') return { stdout: '', stderr: NO_TYPING, exitCode: 1 }
  const ip = resolved.addresses[0]!
  const dotted = `${ip}:${port}`
  const out = new OutputBuilder()
  const failed = (errno: keyof typeof CONNECT_ERROR_TEXT): CommandOutput => {
    if (o.verbose > 1 || (o.verbose === 1 && errno !== 'ECONNREFUSED'))
      out.err(`nc: ${host} (${dotted}): ${CONNECT_ERROR_TEXT[errno]}\n`)
    return out.result(1)
  }
  const open = (): void => {
    if (o.verbose > 0) out.err(`${host} (${dotted}) open\n`)
  }
  if (o.udp) {
    if (!o.zero) {
      ctx.countPacket?.()
      const trace = probe(ctx.lab, {
        proto: 'udp',
        from: ctx.target.name,
        to: ip,
        port,
        size: utf8Length(ctx.stdin)
      })
      open()
      if (trace.outcome.kind === 'reply') out.out(ctx.stdin)
      const killed = waitFor(ctx, o.waitS * 1000)
      return out.result(killed === undefined ? 0 : killedStatus(killed))
    }
    // udptest: one datagram, a pause (-w, else a TCP connect to a port that refuses), then a
    // second write, which fails once a port unreachable has come back.
    const refused = udpRefused(ctx, probe, ip, port)
    if (o.waitS > 0) {
      const killed = waitFor(ctx, o.waitS * 1000)
      if (killed !== undefined) return out.result(killedStatus(killed))
    } else {
      const ping = connectTcp(ctx, probe, { ip, port: SLEAZE_PORT, limitMs: SLEAZE_WAIT_MS })
      if (ping.kind === 'killed') return out.result(killedStatus(ping.signal))
      if (ping.kind === 'no-reply') {
        const killed = waitFor(ctx, Math.max(0, ping.trace.at + ping.waitedMs - ctx.lab.clock.nowMs))
        if (killed !== undefined) return out.result(killedStatus(killed))
      }
    }
    if (refused) return failed('ECONNREFUSED')
    udpRefused(ctx, probe, ip, port)
    open()
    return out.result(0)
  }
  const conn = connectTcp(ctx, probe, {
    ip,
    port,
    ...(o.waitS > 0 ? { limitMs: o.waitS * 1000 } : {}),
    payload: o.zero ? '' : ctx.stdin
  })
  if (conn.kind === 'killed') return out.result(killedStatus(conn.signal))
  if (conn.kind === 'failed') return failed(conn.errno)
  if (conn.kind === 'no-reply') {
    const killed = waitFor(ctx, Math.max(0, conn.trace.at + conn.waitedMs - ctx.lab.clock.nowMs))
    if (killed !== undefined) return out.result(killedStatus(killed))
    return failed('ETIMEDOUT')
  }
  open()
  if (!o.zero) out.out(conn.answer)
  return out.result(0)
}
