/**
 * The client side of DNS in the lab: /etc/resolv.conf as the target reads it (a learner may have
 * rewritten it), one query as one UDP datagram through the packet engine, and glibc's stub
 * resolver — the ndots rule, the search-list walk, its retries and when it gives up — which
 * `getent`, `curl` and `ping` go through. Captured from glibc 2.36 against a DNS server in real
 * namespaces (test/conformance/cluster-dns-resolves-as-glibc-and-bind-tools-do.test.ts).
 */

import type { Trace } from '../engine/trace.ts'
import { reverseName, type DnsMessage, type DnsRcode, type DnsType } from '../net/dns-message.ts'
import { formatIpv4, parseInetAton, randomInt } from '../net/index.ts'
import type { CommandContext } from './command.ts'
import { EPHEMERAL_HIGH, EPHEMERAL_LOW } from '../engine/walk.ts'
import { advanceClock, advanceClockTo } from '../engine/probe.ts'
import type { Prober } from './commands/ping.ts'
import { filesByAddress, filesByName } from './resolve.ts'
import { readVirtualFile } from './virtual-files.ts'
import { signalled, waitFor } from './timeout-signal.ts'

/**
 * How res_send sends a name's A and AAAA queries: both from one socket by one sendmmsg before
 * it reads either answer, or (resolv.conf's `single-request`) the AAAA once the A is answered,
 * from the same socket or (`single-request-reopen`) from a new one.
 */
export type QueryPairing = 'sendmmsg' | 'single-request' | 'single-request-reopen'

export interface ResolverConfig {
  readonly search: readonly string[]
  /** The first nameserver; glibc falls back to the local host when none is listed. */
  readonly nameserver: string
  readonly ndots: number
  readonly timeoutMs: number
  readonly attempts: number
  readonly pairing: QueryPairing
}

/** resolv.conf(5) as glibc reads it: the last `search` wins, options override the defaults. */
export function readResolvConf(ctx: CommandContext): ResolverConfig {
  const file = readVirtualFile(ctx, '/etc/resolv.conf')
  let search: string[] = []
  let nameserver: string | undefined
  let ndots = 1
  let timeout = 5
  let attempts = 2
  let singleRequest = false
  let reopen = false
  for (const line of file.ok ? file.text.split('\n') : []) {
    const [key, ...words] = line.trim().split(/\s+/)
    if (key === 'search' || key === 'domain') search = words
    else if (key === 'nameserver' && nameserver === undefined && words[0] !== undefined) nameserver = words[0]
    else if (key === 'options')
      for (const w of words) {
        if (w === 'single-request') singleRequest = true
        if (w === 'single-request-reopen') reopen = true
        const m = /^(ndots|timeout|attempts):(\d+)$/.exec(w)
        if (!m) continue
        const n = Number(m[2])
        if (m[1] === 'ndots') ndots = Math.min(n, 15)
        else if (m[1] === 'timeout') timeout = Math.max(1, Math.min(n, 30))
        else attempts = Math.max(1, Math.min(n, 5))
      }
  }
  const pairing = reopen ? 'single-request-reopen' : singleRequest ? 'single-request' : 'sendmmsg'
  return {
    search,
    nameserver: nameserver ?? '127.0.0.1',
    ndots,
    timeoutMs: timeout * 1000,
    attempts,
    pairing
  }
}

/**
 * The names a resolver tries, in order: a name ending in a dot only as written; one with at
 * least `ndots` dots as written first, then with each search domain; any other name with each
 * search domain first and as written last — why `example.com` costs four rounds of queries in
 * a pod.
 */
export function searchCandidates(name: string, conf: ResolverConfig): string[] {
  if (name.endsWith('.')) return [name]
  const withDomains = conf.search.map((d) => `${name}.${d.replace(/\.$/, '')}.`)
  const dots = name.split('.').length - 1
  return dots >= conf.ndots ? [`${name}.`, ...withDomains] : [...withDomains, `${name}.`]
}

export type ExchangeResult =
  | { readonly kind: 'answer'; readonly reply: DnsMessage; readonly trace: Trace }
  | { readonly kind: 'timed out' | 'connection refused'; readonly trace: Trace }

/** A new query with a random id, as every resolver makes them. */
export function dnsQuery(
  ctx: CommandContext,
  name: string,
  type: DnsType,
  edns: boolean,
  id = randomInt(ctx.lab.rng, 0, 65535)
): DnsMessage {
  return {
    id,
    response: false,
    authoritative: false,
    recursionDesired: true,
    recursionAvailable: false,
    rcode: 'NOERROR',
    question: { name, type },
    answers: [],
    authority: [],
    ...(edns ? { edns: { udpSize: 1232, cookie: true } } : {})
  }
}

export function ephemeralPort(ctx: CommandContext): number {
  return randomInt(ctx.lab.rng, EPHEMERAL_LOW, EPHEMERAL_HIGH)
}

/**
 * One datagram to the server and what came back: the answer, ICMP port unreachable (a Service
 * without endpoints is rejected so), or nothing, after which the lab's clock moves on by the
 * time the resolver waited.
 */
export function exchange(
  ctx: CommandContext,
  probe: Prober,
  server: string,
  query: DnsMessage,
  sourcePort: number,
  waitMs: number
): ExchangeResult {
  const r = sendDnsDatagram(ctx, probe, server, query, sourcePort, false)
  if (r.kind === 'timed out') waitFor(ctx, waitMs)
  return r
}

/** One datagram to the server and what came back, without waiting out a silence. */
export function sendDnsDatagram(
  ctx: CommandContext,
  probe: Prober,
  server: string,
  query: DnsMessage,
  sourcePort: number,
  readsAnswerLater: boolean
): ExchangeResult {
  ctx.countPacket?.()
  const trace = probe(ctx.lab, {
    proto: 'udp',
    from: ctx.target.name,
    to: server,
    port: 53,
    sourcePort,
    dns: query,
    ...(readsAnswerLater ? { readsAnswerLater } : {})
  })
  const o = trace.outcome
  if (o.kind === 'reply' && o.dns && o.dns.id === query.id) return { kind: 'answer', reply: o.dns, trace }
  if (o.kind === 'icmp-error' && o.type === 3 && o.code === 3) return { kind: 'connection refused', trace }
  return { kind: 'timed out', trace }
}

/** When what came back reached the sender; undefined for a silence. */
export function arrival(r: ExchangeResult): number | undefined {
  return r.kind === 'timed out' ? undefined : r.trace.at + (r.trace.rttMs ?? 0)
}

/**
 * Time between the two datagrams of glibc's sendmmsg as a capture on the client sees them:
 * 30 to 80 µs with glibc 2.36 between namespaces, short of any answer's round trip.
 */
const SENDMMSG_GAP_MS = 0.04

/**
 * One attempt with A and AAAA sent together: both leave before either answer is read, and the
 * attempt lasts until both answers are in or the timeout, counted from the first send, is up.
 */
function sendTogether(
  ctx: CommandContext,
  probe: Prober,
  conf: ResolverConfig,
  queries: readonly DnsMessage[],
  port: number
): ExchangeResult[] {
  const lab = ctx.lab
  const start = lab.clock.nowMs
  const results: ExchangeResult[] = []
  for (const [i, q] of queries.entries()) {
    if (i > 0) advanceClock(lab, SENDMMSG_GAP_MS)
    results.push(sendDnsDatagram(ctx, probe, conf.nameserver, q, port, true))
  }
  const arrivals = results.map(arrival)
  if (arrivals.every((a) => a !== undefined)) {
    const last = Math.max(...arrivals)
    if (last > lab.clock.nowMs) advanceClockTo(lab, last)
  } else waitFor(ctx, start + conf.timeoutMs - lab.clock.nowMs)
  return results
}

/**
 * One attempt with one query after the other, each once the one before it was answered; a
 * silence ends the attempt when the timeout, counted from the first send, is up.
 */
function sendInTurn(
  ctx: CommandContext,
  probe: Prober,
  conf: ResolverConfig,
  queries: readonly DnsMessage[],
  port: number
): ExchangeResult[] {
  const start = ctx.lab.clock.nowMs
  const results: ExchangeResult[] = []
  for (const [i, q] of queries.entries()) {
    const from = i > 0 && conf.pairing === 'single-request-reopen' ? ephemeralPort(ctx) : port
    const r = sendDnsDatagram(ctx, probe, conf.nameserver, q, from, false)
    results.push(r)
    if (r.kind !== 'timed out') continue
    waitFor(ctx, start + conf.timeoutMs - ctx.lab.clock.nowMs)
    break
  }
  return results
}

/** What glibc's resolver made of a name. */
export type GlibcResult =
  | {
      readonly ok: true
      readonly name: string
      readonly addresses: readonly string[]
      /** The hostent's aliases, which only /etc/hosts gives here. */
      readonly aliases?: readonly string[]
    }
  | { readonly ok: false; readonly reason: 'not-found' | 'try-again' }

/** `found` holds the answers' data: addresses, or the names a PTR answer gives. */
type QueryOutcome =
  | { kind: 'found'; data: string[] }
  | { kind: 'empty'; rcode: DnsRcode }
  | { kind: 'unreachable'; refused: boolean }

/**
 * res_send for one name: each query type once per attempt, a pair as resolv.conf's options
 * say; an attempt is repeated when the server failed (SERVFAIL, REFUSED), refused the datagram
 * or did not answer. The next attempt uses the same socket, except after the kernel refused a
 * datagram or the server failed a lone query: glibc closes the socket then.
 */
function resSend(
  ctx: CommandContext,
  probe: Prober,
  conf: ResolverConfig,
  name: string,
  types: readonly DnsType[]
): QueryOutcome {
  const queries = types.map((t) => dnsQuery(ctx, name, t, false))
  let port = ephemeralPort(ctx)
  let last: QueryOutcome = { kind: 'unreachable', refused: false }
  for (let attempt = 0; attempt < conf.attempts; attempt++) {
    const results =
      queries.length > 1 && conf.pairing === 'sendmmsg'
        ? sendTogether(ctx, probe, conf, queries, port)
        : sendInTurn(ctx, probe, conf, queries, port)
    if (signalled(ctx) !== undefined) return { kind: 'unreachable', refused: false }
    const data: string[] = []
    let rcode: DnsRcode = 'NOERROR'
    let failed = results.length < queries.length
    let refused = false
    for (const r of results) {
      if (r.kind !== 'answer') {
        failed = true
        refused ||= r.kind === 'connection refused'
        continue
      }
      const reply = r.reply
      if (reply.rcode === 'SERVFAIL' || reply.rcode === 'REFUSED') failed = true
      else if (reply.rcode === 'NXDOMAIN') rcode = 'NXDOMAIN'
      for (const a of reply.answers)
        if (a.type === 'A') data.push(a.address)
        else if (a.type === 'PTR') data.push(a.target.replace(/\.$/, ''))
      if (failed && reply.rcode !== 'NOERROR') rcode = reply.rcode
    }
    if (data.length > 0) return { kind: 'found', data }
    last = failed && rcode === 'NOERROR' ? { kind: 'unreachable', refused } : { kind: 'empty', rcode }
    if (!failed) return last
    if (refused || (queries.length === 1 && rcode !== 'NOERROR')) port = ephemeralPort(ctx)
  }
  return last
}

/**
 * res_search: every candidate name in turn until one has addresses; a name that does not exist,
 * has no such record or drew SERVFAIL moves on to the next. A server that does not answer a
 * search-domain name at all ends the walk through the domains (glibc's TRY_AGAIN without an
 * answer), though the name as written is still asked if it was not yet; one whose host refused
 * the datagram ends the whole search.
 */
export function glibcResolve(
  ctx: CommandContext,
  probe: Prober,
  name: string,
  types: readonly DnsType[]
): GlibcResult {
  const conf = readResolvConf(ctx)
  const asWritten = name.endsWith('.') ? name : `${name}.`
  let servfail = false
  let unanswered = false
  let domainsAbandoned = false
  for (const candidate of searchCandidates(name, conf)) {
    const domain = candidate !== asWritten
    if (domain && domainsAbandoned) continue
    const r = resSend(ctx, probe, conf, candidate, types)
    if (r.kind === 'found') return { ok: true, name: candidate.replace(/\.$/, ''), addresses: r.data }
    if (r.kind === 'unreachable') {
      if (signalled(ctx) !== undefined || (domain && r.refused)) return { ok: false, reason: 'try-again' }
      unanswered = true
      domainsAbandoned ||= domain
    } else if (r.rcode === 'SERVFAIL' || r.rcode === 'REFUSED') servfail = true
  }
  return { ok: false, reason: servfail || unanswered ? 'try-again' : 'not-found' }
}

/**
 * getaddrinfo as curl calls it: /etc/hosts first, then DNS with A and AAAA from one socket
 * for each candidate name (A only for an IPv4-only caller such as `curl -4`).
 */
export function getaddrinfo(
  ctx: CommandContext,
  probe: Prober,
  name: string,
  ipv4Only: boolean
): GlibcResult {
  const literal = parseInetAton(name)
  if (literal !== undefined) return { ok: true, name, addresses: [formatIpv4(literal)] }
  const local = filesByName(ctx, name, 'inet')
  if (local !== undefined) return { ok: true, ...local }
  return glibcResolve(ctx, probe, name, ipv4Only ? ['A'] : ['A', 'AAAA'])
}

/**
 * gethostbyaddr and getnameinfo: /etc/hosts first, then one PTR query for the in-addr.arpa
 * name, without the search list; the first name the answer gives.
 */
export function reverseLookup(ctx: CommandContext, probe: Prober, ip: string): GlibcResult {
  const local = filesByAddress(ctx, ip)
  if (local !== undefined) return { ok: true, ...local }
  const r = resSend(ctx, probe, readResolvConf(ctx), reverseName(ip), ['PTR'])
  if (r.kind === 'found') return { ok: true, name: r.data[0]!, addresses: [ip] }
  return { ok: false, reason: r.kind === 'empty' && r.rcode !== 'SERVFAIL' ? 'not-found' : 'try-again' }
}
