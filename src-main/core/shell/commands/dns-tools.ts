/**
 * The DNS tools of Debian 12: `dig`, `nslookup` and `host` from bind9-dnsutils 9.18, and glibc's
 * `getent hosts`. Every query is a UDP datagram through the packet engine to the nameserver the
 * target's /etc/resolv.conf names (in a pod, the kube-dns ClusterIP), so it is DNATed, tracked
 * by conntrack and seen by tcpdump like any other packet. Outputs were captured from the real
 * tools against a DNS server in real namespaces.
 */

import type { Command, CommandContext, CommandOutput } from '../command.ts'
import { OutputBuilder } from '../command.ts'
import type { DnsMessage, DnsType } from '../../net/dns-message.ts'
import { dnsWireLength, reverseName } from '../../net/dns-message.ts'
import { formatIpv4, parseInetAton, parseIpv4 } from '../../net/index.ts'
import { formatIpv6, parseIpv6 } from '../../net/ipv6.ts'
import {
  dnsQuery,
  ephemeralPort,
  exchange,
  glibcResolve,
  readResolvConf,
  reverseLookup,
  searchCandidates,
  type ExchangeResult,
  type GlibcResult
} from '../dns-resolver.ts'
import type { AddressFamily } from '../hosts-file.ts'
import { questionLine, rcodeText, recordData, recordLine } from '../dns-text.ts'
import { filesByName } from '../resolve.ts'
import { getaddrinfoAll } from '../getaddrinfo.ts'
import type { Prober } from './ping.ts'
import { killedStatus, signalled } from '../timeout-signal.ts'
import { dialectOf } from '../dialect.ts'
import { runBusyboxNslookup } from './nslookup-busybox.ts'

const DIG_VERSION = '9.18.49-1~deb12u3-Debian'
const TYPES: readonly DnsType[] = ['A', 'AAAA', 'SOA', 'PTR']
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `;; WHEN:` as dig prints it, from the lab's clock (strftime "%a %b %d %H:%M:%S %Z %Y", UTC). */
function when(ctx: CommandContext): string {
  const d = new Date(ctx.lab.clock.epochMs + ctx.lab.clock.nowMs)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
}

function commsError(server: string, r: ExchangeResult): string {
  return `;; communications error to ${server}#53: ${r.kind === 'connection refused' ? 'connection refused' : 'timed out'}\n`
}

/** BIND's tools try a query up to `tries` times, each from a new socket, until one is answered. */
function askBind(
  ctx: CommandContext,
  probe: Prober,
  server: string,
  query: DnsMessage,
  tries: number,
  out: OutputBuilder
): { reply: DnsMessage; rttMs: number } | undefined {
  for (let i = 0; i < tries; i++) {
    const r = exchange(ctx, probe, server, query, ephemeralPort(ctx), 5000)
    if (r.kind === 'answer') return { reply: r.reply, rttMs: r.trace.rttMs ?? 0 }
    if (signalled(ctx) !== undefined) return undefined
    out.out(commsError(server, r))
  }
  return undefined
}

function digFlags(m: DnsMessage): string {
  const f = ['qr']
  if (m.authoritative) f.push('aa')
  if (m.recursionDesired) f.push('rd')
  if (m.recursionAvailable) f.push('ra')
  return f.join(' ')
}

function digAnswer(m: DnsMessage, rttMs: number, server: string, ctx: CommandContext): string {
  const lines = [';; Got answer:']
  if (/(^|\.)local\.$/.test(m.question.name))
    lines.push(
      ';; WARNING: .local is reserved for Multicast DNS',
      ';; You are currently testing what happens when an mDNS query is leaked to DNS'
    )
  lines.push(
    `;; ->>HEADER<<- opcode: QUERY, status: ${m.rcode}, id: ${m.id}`,
    `;; flags: ${digFlags(m)}; QUERY: 1, ANSWER: ${m.answers.length}, AUTHORITY: ${m.authority.length}, ADDITIONAL: ${m.edns ? 1 : 0}`
  )
  if (m.recursionDesired && !m.recursionAvailable)
    lines.push(';; WARNING: recursion requested but not available')
  lines.push('')
  if (m.edns) lines.push(';; OPT PSEUDOSECTION:', `; EDNS: version: 0, flags:; udp: ${m.edns.udpSize}`)
  lines.push(';; QUESTION SECTION:', questionLine(m), '')
  if (m.answers.length > 0) lines.push(';; ANSWER SECTION:', ...m.answers.map(recordLine), '')
  if (m.authority.length > 0) lines.push(';; AUTHORITY SECTION:', ...m.authority.map(recordLine), '')
  lines.push(
    `;; Query time: ${Math.round(rttMs)} msec`,
    `;; SERVER: ${server}#53(${server}) (UDP)`,
    `;; WHEN: ${when(ctx)}`,
    `;; MSG SIZE  rcvd: ${dnsWireLength(m)}`,
    '',
    ''
  )
  return lines.join('\n')
}

function usage(tool: string, text: string): CommandOutput {
  return { stdout: '', stderr: `${tool}: ${text}\n`, exitCode: 1 }
}

/** dig [@server] [-t type] name [type] [+short] [+[no]search] */
function runDig(argv: readonly string[], ctx: CommandContext, probe: Prober): CommandOutput {
  const conf = readResolvConf(ctx)
  let server = conf.nameserver
  let type: DnsType = 'A'
  let short = false
  let search = false
  let name: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a.startsWith('@')) server = a.slice(1)
    else if (a === '+short') short = true
    else if (a === '+noshort') short = false
    else if (a === '+search') search = true
    else if (a === '+nosearch') search = false
    else if (a === '-t') {
      const t = (argv[++i] ?? '').toUpperCase()
      if (!TYPES.includes(t as DnsType)) return usage('dig', `invalid type: ${argv[i] ?? ''}`)
      type = t as DnsType
    } else if (a === '-x') {
      // dig reverses the labels of whatever follows, an address or not.
      name = reverseName(argv[++i] ?? '')
      type = 'PTR'
    } else if (a.startsWith('+')) return usage('dig', `the lab's dig knows +short and +search, not ${a}`)
    else if (TYPES.includes(a.toUpperCase() as DnsType) && name !== undefined)
      type = a.toUpperCase() as DnsType
    else name = a
  }
  if (parseIpv4(server) === undefined) return usage('dig', `couldn't get address for '${server}': not found`)
  const out = new OutputBuilder()
  const header = `\n; <<>> DiG ${DIG_VERSION} <<>> ${argv.join(' ')}\n;; global options: +cmd\n`
  if (name === undefined) name = '.'
  const candidates = search ? searchCandidates(name, conf) : [name.endsWith('.') ? name : `${name}.`]
  let result: { reply: DnsMessage; rttMs: number } | undefined
  for (const candidate of candidates) {
    result = askBind(ctx, probe, server, dnsQuery(ctx, candidate, type, true), 3, out)
    // dig moves on to the next search domain only when a name does not exist.
    if (!result || result.reply.rcode !== 'NXDOMAIN') break
  }
  // dig catches timeout's signal and leaves quietly, with status 0 (checked on a real namespace).
  if (!result && signalled(ctx) !== undefined) return out.result(0)
  if (!result) {
    out.out(`${header};; no servers could be reached\n`)
    return { stdout: out.stdout, stderr: out.stderr, exitCode: 9 }
  }
  if (short) out.out(result.reply.answers.map((r) => `${recordData(r)}\n`).join(''))
  else out.out(`${header}${digAnswer(result.reply, result.rttMs, server, ctx)}`)
  return { stdout: out.stdout, stderr: out.stderr, exitCode: 0 }
}

/**
 * nslookup and host walk the search list as the stub resolver does, one type at a time, and
 * report the last name's failure; found, they look up the other types for the same name.
 */
function bindSearch(
  ctx: CommandContext,
  probe: Prober,
  server: string,
  name: string,
  tries: number,
  out: OutputBuilder
): { name: string; reply: DnsMessage } | { failed: DnsMessage } | undefined {
  let last: DnsMessage | undefined
  for (const candidate of searchCandidates(name, readResolvConf(ctx))) {
    const r = askBind(ctx, probe, server, dnsQuery(ctx, candidate, 'A', false), tries, out)
    if (!r) return undefined
    if (r.reply.rcode === 'NOERROR') return { name: candidate, reply: r.reply }
    last = r.reply
  }
  return last && { failed: last }
}

function runNslookup(argv: readonly string[], ctx: CommandContext, probe: Prober): CommandOutput {
  const [name, serverArg] = argv.filter((a) => !a.startsWith('-'))
  if (name === undefined)
    return usage('nslookup', "the lab's nslookup looks up one name: nslookup NAME [SERVER]")
  const server = serverArg ?? readResolvConf(ctx).nameserver
  const out = new OutputBuilder()
  if (isAddress(name)) return nslookupAddress(ctx, probe, server, name, out)
  const found = bindSearch(ctx, probe, server, name, 3, out)
  if (!found && signalled(ctx) !== undefined) {
    out.out('\n')
    return out.result(1)
  }
  if (!found) {
    out.out(';; no servers could be reached\n\n')
    return { stdout: out.stdout, stderr: out.stderr, exitCode: 1 }
  }
  out.out(`Server:\t\t${server}\nAddress:\t${server}#53\n\n`)
  if ('failed' in found) {
    out.out(`** server can't find ${name}: ${found.failed.rcode}\n\n`)
    return { stdout: out.stdout, stderr: out.stderr, exitCode: 1 }
  }
  if (!found.reply.authoritative) out.out('Non-authoritative answer:\n')
  for (const r of found.reply.answers)
    out.out(`Name:\t${r.name.replace(/\.$/, '')}\nAddress: ${recordData(r)}\n`)
  askBind(ctx, probe, server, dnsQuery(ctx, found.name, 'AAAA', false), 3, out)
  out.out('\n')
  return { stdout: out.stdout, stderr: out.stderr, exitCode: 0 }
}

/** nslookup and host look an address up by its PTR, IPv6 ones too (BIND's get_reverse). */
const isAddress = (text: string): boolean => parseIpv4(text) !== undefined || parseIpv6(text) !== undefined

/** An address asks once for its reverse name, and nslookup prints no server then. */
function nslookupAddress(
  ctx: CommandContext,
  probe: Prober,
  server: string,
  ip: string,
  out: OutputBuilder
): CommandOutput {
  const r = askBind(ctx, probe, server, dnsQuery(ctx, reverseName(ip), 'PTR', false), 3, out)
  if (!r) {
    out.out(signalled(ctx) !== undefined ? '\n' : ';; no servers could be reached\n\n')
    return out.result(1)
  }
  if (r.reply.rcode !== 'NOERROR' || r.reply.answers.length === 0) {
    out.out(`** server can't find ${reverseName(ip).replace(/\.$/, '')}: ${r.reply.rcode}\n\n`)
    return out.result(1)
  }
  for (const a of r.reply.answers) out.out(`${a.name.replace(/\.$/, '')}\tname = ${recordData(a)}\n`)
  out.out('\n')
  return out.result(0)
}

/** `host ADDRESS`: the PTR of its reverse name, and no other type. */
function hostAddress(ctx: CommandContext, probe: Prober, server: string, ip: string): CommandOutput {
  const out = new OutputBuilder()
  const name = reverseName(ip)
  const r = askBind(ctx, probe, server, dnsQuery(ctx, name, 'PTR', false), 2, out)
  if (!r) {
    if (signalled(ctx) === undefined) out.out(';; no servers could be reached\n')
    return out.result(1)
  }
  if (r.reply.rcode !== 'NOERROR') {
    out.out(`Host ${name.replace(/\.$/, '')} not found: ${rcodeText(r.reply.rcode)}\n`)
    return out.result(1)
  }
  for (const a of r.reply.answers)
    out.out(`${a.name.replace(/\.$/, '')} domain name pointer ${recordData(a)}\n`)
  return out.result(0)
}

function runHost(argv: readonly string[], ctx: CommandContext, probe: Prober): CommandOutput {
  const [name, serverArg] = argv.filter((a) => !a.startsWith('-'))
  if (name === undefined) return usage('host', "the lab's host looks up one name: host NAME [SERVER]")
  const server = serverArg ?? readResolvConf(ctx).nameserver
  if (isAddress(name)) return hostAddress(ctx, probe, server, name)
  const out = new OutputBuilder()
  const found = bindSearch(ctx, probe, server, name, 2, out)
  if (!found && signalled(ctx) !== undefined) return out.result(1)
  if (!found) {
    out.out(';; no servers could be reached\n')
    return { stdout: out.stdout, stderr: out.stderr, exitCode: 1 }
  }
  if ('failed' in found) {
    out.out(`Host ${name} not found: ${rcodeText(found.failed.rcode)}\n`)
    return { stdout: out.stdout, stderr: out.stderr, exitCode: 1 }
  }
  for (const r of found.reply.answers) out.out(`${r.name.replace(/\.$/, '')} has address ${recordData(r)}\n`)
  // host asks for AAAA and MX too; the lab's names have neither, so nothing more is printed.
  askBind(ctx, probe, server, dnsQuery(ctx, found.name, 'AAAA', false), 2, out)
  askBind(ctx, probe, server, dnsQuery(ctx, found.name, 'MX', false), 2, out)
  return { stdout: out.stdout, stderr: out.stderr, exitCode: 0 }
}

/**
 * `getent hosts NAME`: gethostbyname2 for IPv6 first, then for IPv4 — two whole search-list
 * walks when the name has no AAAA record, which is why it sends twice the queries of curl.
 */
function hostsLookup(ctx: CommandContext, name: string, family: AddressFamily): GlibcResult | undefined {
  const h = filesByName(ctx, name, family)
  return h && { ok: true, ...h }
}

/** getent's inet_pton, IPv6 first, as inet_ntop prints the address back. */
function inetPton(key: string): string | undefined {
  const v6 = key.includes(':') ? parseIpv6(key) : undefined
  if (v6 !== undefined) return formatIpv6(v6)
  const v4 = parseIpv4(key)
  return v4 === undefined ? undefined : formatIpv4(v4)
}

/**
 * `getent ahosts[v4] NAME`: getaddrinfo with AI_ADDRCONFIG, as a stream, a datagram and a raw
 * socket would ask, the canonical name on the first line alone (getent.c ahosts_keys_int).
 */
function runAhosts(
  ctx: CommandContext,
  probe: Prober,
  database: 'ahosts' | 'ahostsv4',
  keys: readonly string[]
): CommandOutput {
  let stdout = ''
  let exitCode = 0
  for (const key of keys) {
    const found = getaddrinfoAll(ctx, probe, key, {
      family: database === 'ahosts' ? 'unspec' : 'inet',
      addrconfig: true
    })
    const signal = signalled(ctx)
    if (signal !== undefined) return { stdout, stderr: '', exitCode: killedStatus(signal) }
    if (!found.ok) {
      exitCode = 2
      continue
    }
    let canonname = found.canonname
    for (const t of found.answers)
      for (const socktype of ['STREAM', 'DGRAM', 'RAW']) {
        stdout += `${t.address.padEnd(15)} ${socktype.padEnd(6)} ${canonname}\n`
        canonname = ''
      }
  }
  return { stdout, stderr: '', exitCode }
}

function runGetent(argv: readonly string[], ctx: CommandContext, probe: Prober): CommandOutput {
  const [database, ...keys] = argv
  if (database === 'ahosts' || database === 'ahostsv4') return runAhosts(ctx, probe, database, keys)
  if (database !== 'hosts')
    return {
      stdout: '',
      stderr: `Unknown database: ${database ?? ''}\nTry \`getent --help' or \`getent --usage' for more information.\n`,
      exitCode: 1
    }
  let stdout = ''
  let exitCode = 0
  // getent prints one line per address of the hostent, in order, each with every name.
  const print = (h: { name: string; addresses: readonly string[]; aliases?: readonly string[] }): void => {
    const names = [h.name, ...(h.aliases ?? [])].join(' ')
    for (const a of h.addresses) stdout += `${a.padEnd(15)} ${names}\n`
  }
  for (const key of keys) {
    const address = inetPton(key)
    if (address !== undefined) {
      // An address is looked up by gethostbyaddr: /etc/hosts, then its PTR record.
      const found = reverseLookup(ctx, probe, address)
      const signal = signalled(ctx)
      if (signal !== undefined) return { stdout, stderr: '', exitCode: killedStatus(signal) }
      if (found.ok) print({ ...found, addresses: [address] })
      else exitCode = 2
      continue
    }
    // gethostbyname2 reads only digits and dots as an address: to it, 0x7f.1 is a name.
    if (/^[\d.]+$/.test(key) && parseInetAton(key) !== undefined) {
      print({ name: key, addresses: [formatIpv4(parseInetAton(key)!)] })
      continue
    }
    // Each family walks `files dns` in turn, so a name /etc/hosts gives only an IPv4 address
    // still costs an AAAA walk through DNS first.
    const v6 = hostsLookup(ctx, key, 'inet6') ?? glibcResolve(ctx, probe, key, ['AAAA'])
    const v4 =
      v6.ok || signalled(ctx) !== undefined
        ? v6
        : (hostsLookup(ctx, key, 'inet') ?? glibcResolve(ctx, probe, key, ['A']))
    const signal = signalled(ctx)
    if (signal !== undefined) return { stdout, stderr: '', exitCode: killedStatus(signal) }
    if (v4.ok) print(v4)
    else exitCode = 2
  }
  return { stdout, stderr: '', exitCode }
}

export function digCommand(probe: Prober): Command {
  return {
    name: 'dig',
    notInBusybox: true,
    summary: 'query DNS: dig [@server] name [type] [-x address] [+short] [+search]',
    sendsTraffic: true,
    run: (argv, ctx) => runDig(argv, ctx, probe)
  }
}

export function nslookupCommand(probe: Prober): Command {
  return {
    name: 'nslookup',
    summary: 'look a name up: nslookup [-type=T] name [server] (BusyBox nslookup in busybox)',
    sendsTraffic: true,
    run: (argv, ctx) =>
      dialectOf(ctx.target) === 'busybox'
        ? runBusyboxNslookup(argv, ctx, probe)
        : runNslookup(argv, ctx, probe)
  }
}

export function hostCommand(probe: Prober): Command {
  return {
    name: 'host',
    notInBusybox: true,
    summary: 'look a name up through the search list: host name [server]',
    sendsTraffic: true,
    run: (argv, ctx) => runHost(argv, ctx, probe)
  }
}

export function getentCommand(probe: Prober): Command {
  return {
    name: 'getent',
    notInBusybox: true,
    summary: 'resolve names as glibc does: getent hosts|ahosts|ahostsv4 name (files, then DNS)',
    sendsTraffic: true,
    run: (argv, ctx) => runGetent(argv, ctx, probe)
  }
}
