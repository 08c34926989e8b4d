/**
 * BusyBox's nslookup (networking/nslookup.c, 1.35 and 1.36), which a busybox pod runs in the
 * Kubernetes DNS guides. It has a resolver of its own: every query — A and AAAA for each
 * search domain, or the PTR of an address — leaves one socket at once, the answers are printed
 * as they come, a failed one as `** server can't find`, and any failure makes the exit status 1.
 * A name with a dot, or one asked of a given server, is asked only as written. Captured from
 * Debian's busybox 1.35 against a DNS server in real namespaces.
 */

import type { CommandContext, CommandOutput } from '../command.ts'
import { OutputBuilder } from '../command.ts'
import type { DnsMessage, DnsRecord, DnsType } from '../../net/dns-message.ts'
import { reverseName } from '../../net/dns-message.ts'
import { parseIpv4 } from '../../net/index.ts'
import { parseIpv6 } from '../../net/ipv6.ts'
import {
  arrival,
  dnsQuery,
  ephemeralPort,
  getaddrinfo,
  readResolvConf,
  sendDnsDatagram,
  type ExchangeResult
} from '../dns-resolver.ts'
import { killedStatus, waitFor } from '../timeout-signal.ts'
import { advanceClock } from '../../engine/probe.ts'
import { BUSYBOX_BANNER } from './wget-busybox.ts'
import type { Prober } from './ping.ts'

const USAGE =
  `${BUSYBOX_BANNER}\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\n` +
  'Query DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any\n'

/** The applet's types in the order it asks them, whatever order the options gave. */
const QUERY_TYPES = ['SOA', 'NS', 'A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'PTR', 'ANY'] as const
const LAB_TYPES: readonly string[] = ['SOA', 'A', 'AAAA', 'MX', 'PTR'] satisfies DnsType[]

const OPTIONS = ['type', 'querytype', 'port', 'retry', 'debug', 't', 'timeout'] as const

interface Request {
  readonly host: string
  readonly server: string | undefined
  readonly types: readonly DnsType[]
  readonly timeoutMs: number
  readonly retries: number
}

interface Query {
  readonly name: string
  readonly message: DnsMessage
  answered: boolean
}

const fail = (stderr: string): CommandOutput => ({ stdout: '', stderr, exitCode: 1 })

/** index_in_substrings: an exact name, or the one name the text begins. */
function optionIndex(text: string): number {
  if (text === '') return -1
  const exact = OPTIONS.indexOf(text as (typeof OPTIONS)[number])
  if (exact >= 0) return exact
  const prefixed = OPTIONS.flatMap((o, i) => (o.startsWith(text) ? [i] : []))
  return prefixed.length === 1 ? prefixed[0]! : -1
}

/** xatou_range's checks on a number option. */
function number(text: string, max: number): number | string {
  if (!/^\d+$/.test(text)) return `nslookup: invalid number '${text}'\n`
  const n = Number(text)
  return n >= 1 && n <= max ? n : `nslookup: number ${text} is not in 1..${max} range\n`
}

function parse(argv: readonly string[]): Request | CommandOutput {
  const types = new Set<string>()
  let timeoutS = 5
  let retries = 2
  let i = 0
  for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
    const [key, value = ''] = argv[i]!.slice(1).split(/=(.*)/s)
    const option = OPTIONS[optionIndex(key!)]
    if (option === undefined) return fail(USAGE)
    if (option === 'type' || option === 'querytype') {
      const type = QUERY_TYPES.find((t) => t === value.toUpperCase())
      if (type === undefined) return fail(`nslookup: invalid query type "${value}"\n`)
      if (!LAB_TYPES.includes(type))
        return fail(`nslookup: the lab's nslookup asks for SOA, A, AAAA, MX and PTR records, not ${type}\n`)
      types.add(type)
    } else if (option === 'port' && value !== '53')
      return fail("nslookup: the lab's nslookup asks DNS servers on port 53 only\n")
    else if (option === 'debug') return fail("nslookup: the lab's nslookup has no -debug\n")
    else if (option === 'retry' || option === 't' || option === 'timeout') {
      const n = number(value, option === 'retry' ? 2147483647 : 2147483)
      if (typeof n === 'string') return fail(n)
      if (option === 'retry') retries = n
      else timeoutS = n
    }
  }
  const [host, server, extra] = argv.slice(i)
  if (host === undefined || extra !== undefined) return fail(USAGE)
  return {
    host,
    server,
    types: QUERY_TYPES.filter((t) => types.has(t)) as DnsType[],
    timeoutMs: timeoutS * 1000,
    retries
  }
}

/** make_ptr: the reverse name of an address the applet can read, IPv4-mapped ones under in-addr.arpa. */
function pointerName(host: string): string | undefined {
  const v6 = parseIpv6(host)
  if (v6 !== undefined) {
    const mapped = v6.slice(0, 12).every((b, i) => b === (i >= 10 ? 0xff : 0))
    return reverseName(mapped ? v6.slice(12).join('.') : host).replace(/\.$/, '')
  }
  return parseIpv4(host) === undefined ? undefined : reverseName(host).replace(/\.$/, '')
}

/** add_query_with_search: a name without a dot goes with each search domain, and never alone. */
function namesFor(host: string, type: DnsType, search: readonly string[]): string[] {
  if (type === 'PTR' || search.length === 0 || host.includes('.')) return [host]
  return search.map((domain) => `${host}.${domain}`)
}

function queriesFor(ctx: CommandContext, r: Request, search: readonly string[]): Query[] {
  const ptr = r.types.length === 0 ? pointerName(r.host) : undefined
  const asked: [string, DnsType][] =
    ptr !== undefined
      ? [[ptr, 'PTR']]
      : (r.types.length > 0 ? r.types : (['A', 'AAAA'] as const)).flatMap((t) =>
          namesFor(r.host, t, search).map((n): [string, DnsType] => [n, t])
        )
  return asked.map(([name, type]) => ({
    name,
    message: dnsQuery(ctx, name.endsWith('.') ? name : `${name}.`, type, false),
    answered: false
  }))
}

const bare = (name: string): string => (name === '.' ? name : name.replace(/\.$/, ''))

function recordText(r: DnsRecord): string {
  if (r.type === 'A') return `Name:\t${bare(r.name)}\nAddress: ${r.address}\n`
  if (r.type === 'PTR') return `${bare(r.name)}\tname = ${bare(r.target)}\n`
  const s = r.soa
  return (
    `${bare(r.name)}\n\torigin = ${bare(s.mname)}\n\tmail addr = ${bare(s.rname)}\n\tserial = ${s.serial}\n` +
    `\trefresh = ${s.refresh}\n\tretry = ${s.retry}\n\texpire = ${s.expire}\n\tminimum = ${s.minimum}\n`
  )
}

/** parse_reply: an empty answer prints only its authority note, as the applet does. */
function replyText(m: DnsMessage): string {
  return `${m.authoritative ? '' : 'Non-authoritative answer:\n'}${m.answers.map(recordText).join('')}`
}

interface NameServer {
  /** As given, which the `Server:` line repeats. */
  readonly name: string
  readonly address: string
}

/** xhost2sockaddr: an address or a name libc resolves, with `:PORT` allowed after it. */
function nameServer(ctx: CommandContext, probe: Prober, name: string): NameServer | string {
  const [, host = name, port] = /^([^:]*):(\d+)$/.exec(name) ?? []
  if (port !== undefined && Number(port) !== 53)
    return "nslookup: the lab's nslookup asks DNS servers on port 53 only\n"
  if (parseIpv4(host) !== undefined) return { name, address: host }
  const found = getaddrinfo(ctx, probe, host, true)
  return found.ok ? { name, address: found.addresses[0]! } : `nslookup: bad address '${name}'\n`
}

/** Between one query's write() and the next, as a capture on a busybox client sees them. */
const WRITE_GAP_MS = 0.005

type Ended = { readonly replies: number; readonly failed: boolean } | { readonly killed: number }

/**
 * send_queries: every unanswered query is written again each retry interval until the timeout;
 * a SERVFAIL is asked again at once, a few times per round. The kernel's refusal of one datagram
 * fails the next write on the connected socket, or the read when it was the last one written.
 */
function sendQueries(
  ctx: CommandContext,
  probe: Prober,
  r: Request,
  server: NameServer,
  queries: readonly Query[],
  out: OutputBuilder
): Ended {
  const port = ephemeralPort(ctx)
  const retryMs = Math.floor(r.timeoutMs / r.retries)
  const start = ctx.lab.clock.nowMs
  let replies = 0
  let serverReplied = false
  let failed = false
  const write = (q: Query) => ({ q, r: sendDnsDatagram(ctx, probe, server.address, q.message, port, true) })
  while (ctx.lab.clock.nowMs - start < r.timeoutMs) {
    const sentAt = ctx.lab.clock.nowMs
    const waiting = queries.filter((q) => !q.answered)
    const sent: { q: Query; r: ExchangeResult }[] = []
    for (const [i, q] of waiting.entries()) {
      if (i > 0) advanceClock(ctx.lab, WRITE_GAP_MS)
      const s = write(q)
      sent.push(s)
      if (s.r.kind === 'connection refused' && i < waiting.length - 1) {
        out.err(`nslookup: write to '${server.name}': Connection refused\n`)
        return { replies: -1, failed }
      }
    }
    let servfailRetries = 2 * queries.length
    // Read in the order written: CoreDNS answers each query in a goroutine of its own, so
    // answers that arrive together come in no fixed order, and this one reads best.
    for (let k = 0; k < sent.length; k++) {
      const { q, r: result } = sent[k]!
      if (result.kind === 'timed out') continue
      const signal = waitFor(ctx, Math.max(0, arrival(result)! - ctx.lab.clock.nowMs))
      if (signal !== undefined) return { killed: killedStatus(signal) }
      if (result.kind !== 'answer') {
        out.err('nslookup: read: Connection refused\n')
        continue
      }
      if (!serverReplied) out.out(`Server:\t\t${server.name}\nAddress:\t${server.address}:53\n\n`)
      serverReplied = true
      const reply = result.reply
      if (reply.rcode === 'SERVFAIL' && servfailRetries > 0) {
        servfailRetries--
        sent.push(write(q))
        continue
      }
      q.answered = true
      if (reply.rcode !== 'NOERROR') {
        out.out(`** server can't find ${q.name}: ${reply.rcode}\n`)
        failed = true
      } else out.out(replyText(reply))
      out.out('\n')
      if (++replies === queries.length) return { replies, failed }
    }
    const signal = waitFor(ctx, Math.max(0, sentAt + retryMs - ctx.lab.clock.nowMs))
    if (signal !== undefined) return { killed: killedStatus(signal) }
  }
  return { replies, failed }
}

export function runBusyboxNslookup(
  argv: readonly string[],
  ctx: CommandContext,
  probe: Prober
): CommandOutput {
  const request = parse(argv)
  if (!('host' in request)) return request
  const conf = request.server === undefined ? readResolvConf(ctx) : undefined
  const server = nameServer(ctx, probe, request.server ?? conf!.nameserver)
  if (typeof server === 'string') return fail(server)
  const queries = queriesFor(ctx, request, conf?.search ?? [])
  const out = new OutputBuilder()
  const ended = sendQueries(ctx, probe, request, server, queries, out)
  if ('killed' in ended) return out.result(ended.killed)
  if (ended.replies <= 0) {
    out.out(';; connection timed out; no servers could be reached\n\n')
    return out.result(1)
  }
  const unanswered = queries.filter((q) => !q.answered)
  for (const q of unanswered) out.out(`*** Can't find ${q.name}: No answer\n`)
  if (unanswered.length > 0) out.out('\n')
  return out.result(ended.failed ? 1 : 0)
}
