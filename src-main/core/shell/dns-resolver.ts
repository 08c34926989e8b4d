/**
 * The client side of DNS in the lab: /etc/resolv.conf as the target reads it (a learner may have
 * rewritten it), one query as one UDP datagram through the packet engine, and glibc's stub
 * resolver — the ndots rule, the search-list walk, its retries and when it gives up — which
 * `getent`, `curl` and `ping` go through. Captured from glibc 2.36 against a DNS server in real
 * namespaces (test/conformance/cluster-dns.test.ts).
 */

import type { Trace } from '../engine/trace.ts'
import type { DnsMessage, DnsRcode, DnsType } from '../net/dns-message.ts'
import { randomInt } from '../net/index.ts'
import type { CommandContext } from './command.ts'
import { EPHEMERAL_HIGH, EPHEMERAL_LOW } from '../engine/walk.ts'
import type { Prober } from './commands/ping.ts'
import { resolveHost } from './resolve.ts'
import { readVirtualFile } from './virtual-files.ts'
import { signalled, waitFor } from './timeout-signal.ts'

export interface ResolverConfig {
  readonly search: readonly string[]
  /** The first nameserver; glibc falls back to the local host when none is listed. */
  readonly nameserver: string
  readonly ndots: number
  readonly timeoutMs: number
  readonly attempts: number
}

/** resolv.conf(5) as glibc reads it: the last `search` wins, options override the defaults. */
export function readResolvConf(ctx: CommandContext): ResolverConfig {
  const file = readVirtualFile(ctx, '/etc/resolv.conf')
  let search: string[] = []
  let nameserver: string | undefined
  let ndots = 1
  let timeout = 5
  let attempts = 2
  for (const line of file.ok ? file.text.split('\n') : []) {
    const [key, ...words] = line.trim().split(/\s+/)
    if (key === 'search' || key === 'domain') search = words
    else if (key === 'nameserver' && nameserver === undefined && words[0] !== undefined) nameserver = words[0]
    else if (key === 'options')
      for (const w of words) {
        const m = /^(ndots|timeout|attempts):(\d+)$/.exec(w)
        if (!m) continue
        const n = Number(m[2])
        if (m[1] === 'ndots') ndots = Math.min(n, 15)
        else if (m[1] === 'timeout') timeout = Math.max(1, Math.min(n, 30))
        else attempts = Math.max(1, Math.min(n, 5))
      }
  }
  return { search, nameserver: nameserver ?? '127.0.0.1', ndots, timeoutMs: timeout * 1000, attempts }
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
  ctx.countPacket?.()
  const trace = probe(ctx.lab, {
    proto: 'udp',
    from: ctx.target.name,
    to: server,
    port: 53,
    sourcePort,
    dns: query
  })
  const o = trace.outcome
  if (o.kind === 'reply' && o.dns && o.dns.id === query.id) return { kind: 'answer', reply: o.dns, trace }
  if (o.kind === 'icmp-error' && o.type === 3 && o.code === 3) return { kind: 'connection refused', trace }
  waitFor(ctx, waitMs)
  return { kind: 'timed out', trace }
}

/** What glibc's resolver made of a name. */
export type GlibcResult =
  | { readonly ok: true; readonly name: string; readonly addresses: readonly string[] }
  | { readonly ok: false; readonly reason: 'not-found' | 'try-again' }

type QueryOutcome =
  { kind: 'found'; addresses: string[] } | { kind: 'empty'; rcode: DnsRcode } | { kind: 'unreachable' }

/**
 * res_send for one name: each query type once per attempt; an attempt is repeated when the
 * server failed (SERVFAIL, REFUSED), refused the datagram or did not answer. getaddrinfo sends
 * A and AAAA from one socket; gethostbyname2 opens a socket per query.
 */
function resSend(
  ctx: CommandContext,
  probe: Prober,
  conf: ResolverConfig,
  name: string,
  types: readonly DnsType[],
  sharedSocket: boolean
): QueryOutcome {
  const queries = types.map((t) => dnsQuery(ctx, name, t, false))
  let port = ephemeralPort(ctx)
  let last: QueryOutcome = { kind: 'unreachable' }
  for (let attempt = 0; attempt < conf.attempts; attempt++) {
    const addresses: string[] = []
    let rcode: DnsRcode = 'NOERROR'
    let failed = false
    for (const q of queries) {
      if (!sharedSocket) port = ephemeralPort(ctx)
      const r = exchange(ctx, probe, conf.nameserver, q, port, conf.timeoutMs)
      if (signalled(ctx) !== undefined) return { kind: 'unreachable' }
      if (r.kind !== 'answer') {
        failed = true
        continue
      }
      const reply = r.reply
      if (reply.rcode === 'SERVFAIL' || reply.rcode === 'REFUSED') failed = true
      else if (reply.rcode === 'NXDOMAIN') rcode = 'NXDOMAIN'
      for (const a of reply.answers) if (a.type === 'A') addresses.push(a.address)
      if (failed && reply.rcode !== 'NOERROR') rcode = reply.rcode
    }
    if (addresses.length > 0) return { kind: 'found', addresses }
    last = failed && rcode === 'NOERROR' ? { kind: 'unreachable' } : { kind: 'empty', rcode }
    if (!failed) return last
  }
  return last
}

/**
 * res_search: every candidate name in turn until one has addresses; a name that does not exist,
 * has no such record or drew SERVFAIL moves on to the next, while a server that does not answer
 * at all ends the walk (glibc's TRY_AGAIN without an answer).
 */
export function glibcResolve(
  ctx: CommandContext,
  probe: Prober,
  name: string,
  types: readonly DnsType[],
  sharedSocket: boolean
): GlibcResult {
  const conf = readResolvConf(ctx)
  let servfail = false
  for (const candidate of searchCandidates(name, conf)) {
    const r = resSend(ctx, probe, conf, candidate, types, sharedSocket)
    if (r.kind === 'found') return { ok: true, name: candidate.replace(/\.$/, ''), addresses: r.addresses }
    if (r.kind === 'unreachable') return { ok: false, reason: 'try-again' }
    if (r.rcode === 'SERVFAIL' || r.rcode === 'REFUSED') servfail = true
  }
  return { ok: false, reason: servfail ? 'try-again' : 'not-found' }
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
  const local = resolveHost(ctx, name)
  if (local !== undefined) return { ok: true, name, addresses: [local] }
  return glibcResolve(ctx, probe, name, ipv4Only ? ['A'] : ['A', 'AAAA'], true)
}
