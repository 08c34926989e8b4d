/**
 * `ping` as iputils 20221126 prints it, driven by the packet engine: one ICMP echo probe per
 * `icmp_seq`. Without `-c` a real ping runs until Ctrl-C; the lab sends four, then prints the
 * statistics exactly as an interrupted ping does.
 */

import { OutputBuilder } from '../command.ts'
import type { Command, CommandContext, CommandOutput } from '../command.ts'
import type { Trace, TraceOutcome, ProbeSpec } from '../../engine/trace.ts'
import type { Lab } from '../../kube/lab.ts'
import { getopt } from '../getopt.ts'
import { randomInt } from '../../net/index.ts'
import { SHELL_LIMITS } from '../limits.ts'
import { filesByAddress, formatRtt } from '../resolve.ts'
import { reverseLookup } from '../dns-resolver.ts'
import { getaddrinfoAll } from '../getaddrinfo.ts'
import { parseIpv6 } from '../../net/ipv6.ts'
import { sourceFor } from '../../engine/probe.ts'
import { isLocalAddress } from '../../linux/ops.ts'
import { linkByName } from '../../linux/netns.ts'
import { formatIpv4, parseInetAton, parseIpv4, type Ipv4 } from '../../net/ipv4.ts'
import { killedStatus, signalled, waitFor } from '../timeout-signal.ts'
import { ipv6Ping } from './ping-inet6.ts'

/** How a command gets traffic into the lab: the engine's `sendProbe`, injected for tests. */
export type Prober = (lab: Lab, spec: ProbeSpec) => Trace

const DEFAULT_COUNT = 4

/**
 * A neighbour that fails frees its whole queue at once, and ping reads every error of that burst
 * before main_loop looks at -w again: errors this close to the first one come with it.
 */
const ERROR_BURST_MS = 1

/** iputils' MAXWAIT: how long ping waits for the last echo's answer when none came before (-W). */
const DEFAULT_LINGER_MS = 10_000

const USAGE = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -a                 use audible ping
  -A                 use adaptive ping
  -B                 sticky source address
  -c <count>         stop after <count> replies
  -C                 call connect() syscall on socket creation
  -D                 print timestamps
  -d                 use SO_DEBUG socket option
  -e <identifier>    define identifier for ping session, default is random for
                     SOCK_RAW and kernel defined for SOCK_DGRAM
                     Imply using SOCK_RAW (for IPv4 only for identifier 0)
  -f                 flood ping
  -h                 print help and exit
  -I <interface>     either interface name or address
  -i <interval>      seconds between sending each packet
  -L                 suppress loopback of multicast packets
  -l <preload>       send <preload> number of packages while waiting replies
  -m <mark>          tag the packets going out
  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>
  -n                 no dns name resolution
  -O                 report outstanding replies
  -p <pattern>       contents of padding byte
  -q                 quiet output
  -Q <tclass>        use quality of service <tclass> bits
  -s <size>          use <size> as number of data bytes to be sent
  -S <size>          use <size> as SO_SNDBUF socket option value
  -t <ttl>           define time to live
  -U                 print user-to-user latency
  -v                 verbose output
  -V                 print version and exit
  -w <deadline>      reply wait <deadline> in seconds
  -W <timeout>       time to wait for response

IPv4 options:
  -4                 use IPv4
  -b                 allow pinging broadcast
  -R                 record route
  -T <timestamp>     define timestamp, can be one of <tsonly|tsandaddr|tsprespec>

IPv6 options:
  -6                 use IPv6
  -F <flowlabel>     define flow label, default is random
  -N <nodeinfo opt>  use icmp6 node info query, try <help> as argument

For more details see ping(8).
`

const STRERROR: Partial<Record<string, string>> = {
  EPERM: 'Operation not permitted',
  ENETUNREACH: 'Network is unreachable',
  EACCES: 'Permission denied',
  EINVAL: 'Invalid argument'
}

/** gai_strerror for the ways a lookup fails: every name answered NXDOMAIN, or no usable answer. */
const RESOLVER_ERRORS = {
  'not-found': 'Name or service not known',
  'try-again': 'Temporary failure in name resolution'
} as const

/** What ping4_run says when connect() on its probe socket fails; EACCES is a route that prohibits. */
const CONNECT_ERRORS: Partial<Record<string, string>> = {
  ENETUNREACH: 'connect: Network is unreachable',
  EHOSTUNREACH: 'connect: No route to host',
  EINVAL: 'connect: Invalid argument',
  EACCES: 'Do you want to ping broadcast? Then -b. If not, check your local firewall rules'
}

/** ICMP destination-unreachable codes as iputils words them (ping4_print_icmp). */
const UNREACH: Record<number, string> = {
  0: 'Destination Net Unreachable',
  1: 'Destination Host Unreachable',
  2: 'Destination Protocol Unreachable',
  3: 'Destination Port Unreachable',
  5: 'Source Route Failed',
  6: 'Destination Net Unknown',
  7: 'Destination Host Unknown',
  9: 'Destination Net Prohibited',
  10: 'Destination Host Prohibited',
  13: 'Packet filtered'
}

function icmpErrorText(type: number, code: number, mtu: number | undefined): string {
  if (type === 3 && code === 4) return `Frag needed and DF set (mtu = ${mtu ?? 0})`
  if (type === 3) return UNREACH[code] ?? `Dest Unreachable, Bad Code: ${code}`
  if (type === 11) return code === 0 ? 'Time to live exceeded' : 'Frag reassembly time exceeded'
  return `Bad ICMP type: ${type}`
}

const fail = (stderr: string, exitCode: number): CommandOutput => ({ stdout: '', stderr, exitCode })

/** iputils' strtol-style integer argument check (`invalid argument: 'x'`, ranges). */
function intArg(value: string, min: number, max: bigint): number | string {
  if (!/^[+-]?\d+$/.test(value.trim())) return `ping: invalid argument: '${value}'\n`
  const n = BigInt(value.trim())
  if (n < BigInt(min) || n > max)
    return `ping: invalid argument: '${value}': out of range: ${min} <= value <= ${max}\n`
  return Number(n)
}

/** LONG_MAX and INT_MAX, the limits iputils checks its arguments against. */
const LONG_MAX = 9223372036854775807n
const INT_MAX = 2147483647n

/** `%g` as C prints it: six significant digits, no trailing zeros. */
function formatG(x: number): string {
  return String(Number(x.toPrecision(6)))
}

/**
 * `-I`: an address is bound to (bind()), anything else names the device the socket is bound to
 * (SO_BINDTODEVICE); what the banner then says, and the refusals, as iputils words them.
 */
function bindSocket(
  ctx: CommandContext,
  bindTo: string | undefined,
  dst: Ipv4
): { spec: Pick<ProbeSpec, 'bindDevice' | 'bindAddress'>; from: string; warning: string } | CommandOutput {
  if (bindTo === undefined) return { spec: {}, from: '', warning: '' }
  const ns = ctx.lab.netns.get(ctx.target.netns)!
  const address = parseIpv4(bindTo)
  if (address !== undefined) {
    if (!isLocalAddress(ns, address)) return fail('ping: bind: Cannot assign requested address\n', 2)
    return { spec: { bindAddress: bindTo }, from: `from ${bindTo} : `, warning: '' }
  }
  const link = linkByName(ns, bindTo)
  if (link === undefined) return fail(`ping: SO_BINDTODEVICE ${bindTo}: No such device\n`, 2)
  const source = sourceFor(ns, dst, link) ?? 0
  // iputils checks that the source the kernel chose is one of the device's own addresses.
  const onDevice = ns.addresses.some((a) => a.ifindex === link.ifindex && a.address === source)
  return {
    spec: { bindDevice: bindTo },
    from: `from ${formatIpv4(source)} ${bindTo}: `,
    warning: onDevice
      ? ''
      : `ping: Warning: source address might be selected on device other than: ${bindTo}\n`
  }
}

export function runPing(argv: readonly string[], ctx: CommandContext, probe: Prober): CommandOutput {
  const parsed = getopt('ping', argv, { short: '4bRT:6F:N:aABc:CdDe:fhHi:I:l:Lm:M:nOp:qQ:rs:S:t:UvVw:W:' })
  if (!parsed.ok) return fail(`${parsed.message}\n${USAGE}`, 2)
  let count: number | undefined
  let size = 56
  let ttl: number | undefined
  let interval = 1
  let deadline: number | undefined
  let lingerMs = DEFAULT_LINGER_MS
  /** -M: do sets DF and refuses to fragment, dont clears DF, want (the default) is the engine's default. */
  let pmtu: 'do' | 'dont' | 'want' = 'want'
  let quiet = false
  let numeric = false
  let bindTo: string | undefined
  let warnings = ''
  let family: 4 | 6 | undefined
  const lab = ctx.lab
  for (const { key, value = '' } of parsed.value.options) {
    switch (key) {
      case 'c': {
        const n = intArg(value, 1, LONG_MAX)
        if (typeof n === 'string') return fail(n, 1)
        count = n
        break
      }
      case 's': {
        const n = intArg(value, 0, INT_MAX)
        if (typeof n === 'string') return fail(n, 1)
        size = n
        break
      }
      case 't': {
        const n = intArg(value, 0, 255n)
        if (typeof n === 'string') return fail(n, 1)
        if (n === 0) return fail('ping: cannot set unicast time-to-live: Invalid argument\n', 2)
        ttl = n
        break
      }
      case 'w': {
        const n = intArg(value, 0, INT_MAX)
        if (typeof n === 'string') return fail(n, 1)
        // -w 0 sets no alarm at all.
        deadline = n === 0 ? undefined : n
        break
      }
      case 'i':
      case 'W': {
        const v = Number.parseFloat(value)
        if (Number.isNaN(v) || !/^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(value)) {
          // iputils still accepts these (as 0) and only warns.
          warnings += `ping: option argument contains garbage: ${value}\nping: this will become fatal error in the future\n`
        }
        const secs = Number.isNaN(v) ? 0 : v
        if (key === 'W' && secs < 0) return fail(`ping: bad linger time: ${value}\n`, 2)
        if (key === 'i') {
          // The interval becomes an int of milliseconds (INT_MAX / 1000 seconds at most).
          if (secs < 0 || secs > 2147483) return fail(`ping: bad timing interval: ${value}\n`, 2)
          interval = secs
        } else lingerMs = Math.trunc(secs * 1000)
        break
      }
      case 'M':
        if (value === 'do' || value === 'dont' || value === 'want') pmtu = value
        else if (value !== 'probe') return fail(`ping: invalid -M argument: ${value}\n`, 2)
        break
      case '4':
      case '6':
        family = key === '4' ? 4 : 6
        break
      case 'q':
        quiet = true
        break
      case 'n':
        numeric = true
        break
      case 'I':
        bindTo = value
        break
      case 'h':
        return { stdout: '', stderr: USAGE, exitCode: 2 }
      case 'V':
        return {
          stdout:
            'ping from iputils 20221126\nlibcap: yes, IDN: yes, NLS: no, error.h: yes, getrandom(): yes, __fpending(): yes\n',
          stderr: '',
          exitCode: 0
        }
      default:
        break
    }
  }
  const operands = parsed.value.operands
  if (operands.length === 0) return fail(`${warnings}ping: usage error: Destination address required\n`, 1)
  // iputils asks getaddrinfo for both families whatever -4 or -6 says, and takes the first
  // answer of the family asked for; every operand is resolved, the last is the destination.
  let named: { address: string; canonname: string } | undefined
  for (const name of operands) {
    named = undefined
    if (parseInetAton(name) !== undefined || parseIpv6(name.split('%')[0]!) !== undefined) continue
    const found = getaddrinfoAll(ctx, probe, name, { family: 'unspec', addrconfig: false })
    const signal = signalled(ctx)
    if (signal !== undefined) return { stdout: '', stderr: warnings, exitCode: killedStatus(signal) }
    if (!found.ok) return fail(`${warnings}ping: ${name}: ${RESOLVER_ERRORS[found.reason]}\n`, 2)
    const wanted = family === undefined ? undefined : family === 4 ? 'inet' : 'inet6'
    const i = found.answers.findIndex((t) => wanted === undefined || t.family === wanted)
    if (i === -1) return fail(`${warnings}ping: ${name}: Address family for hostname not supported\n`, 2)
    const t = found.answers[i]!
    named = { address: t.address, canonname: i === 0 ? found.canonname : '' }
  }
  const literal = named === undefined
  const destination = named?.address ?? operands[operands.length - 1]!
  const v6 = ipv6Ping(ctx, destination, literal ? family : undefined, bindTo)
  if (v6 !== undefined && 'exitCode' in v6) return fail(`${warnings}${v6.stderr}`, v6.exitCode)
  // A literal destination turns reverse lookups off as -n does.
  numeric ||= literal
  /** pr_addr: a sender by the name a reverse lookup (a PTR query per IPv4 packet) gives, when one does. */
  const sender = (ip: string): string => {
    if (numeric) return ip
    // The lab's DNS has no ip6.arpa zone: an IPv6 address has a name only in /etc/hosts.
    const name = ip.includes(':') ? filesByAddress(ctx, ip)?.name : reverseLookup(ctx, probe, ip)
    const found = typeof name === 'string' ? name : name?.ok ? name.name : undefined
    return found === undefined ? ip : `${found} (${ip})`
  }
  /** The name the banner and the statistics give: getaddrinfo's canonical name, or the address as written. */
  const hostname = named?.canonname ?? destination
  let banner: string
  let send: (spec: ProbeSpec) => Pick<Trace, 'outcome' | 'rttMs'>
  let bound: Pick<ProbeSpec, 'bindDevice' | 'bindAddress'> = {}
  let dest = destination
  if (v6 !== undefined) {
    warnings += v6.warning
    banner = `PING ${hostname}(${sender(v6.name)}) ${v6.from}${size} data bytes\n`
    send = v6.echo
  } else {
    if (literal) dest = formatIpv4(parseInetAton(destination)!)
    const binding = bindSocket(ctx, bindTo, parseIpv4(dest)!)
    if ('exitCode' in binding) return fail(`${warnings}${binding.stderr}`, binding.exitCode)
    warnings += binding.warning
    bound = binding.spec
    banner = `PING ${hostname} (${dest}) ${binding.from}${size}(${size + 28}) bytes of data.\n`
    send = (spec) => probe(lab, spec)
  }
  const asked =
    deadline === undefined
      ? (count ?? DEFAULT_COUNT)
      : // An echo leaves at each interval strictly before the deadline: -w 2 sends 2, -w 2 -i 0.5
        // sends 4 (the epsilon keeps 3 / 0.3 from counting as just over 10 intervals). -c then
        // counts answers, not echoes: pinger keeps sending until that many came in.
        Math.max(1, Math.ceil(deadline / Math.max(interval, 0.001) - 1e-9))
  // Beyond the lab's cap ping stops as if interrupted, after saying so.
  let total = Math.min(asked, SHELL_LIMITS.pingCount)
  const o = new OutputBuilder()
  o.err(warnings)
  const rtts: number[] = []
  let errors = 0
  // finish() prints cur_time - start_time, and pinger() moves cur_time only when it sends: the
  // time runs from the first echo to the last one sent, without the wait for its reply.
  const startedAt = lab.clock.nowMs
  let lastSentAt = startedAt
  /** When the latest reply or error reached ping: it exits then once every echo has one. */
  let lastAnsweredAt = startedAt
  /** With -w, main_loop ends as soon as an error has come in. */
  let firstErrorAt = Number.POSITIVE_INFINITY
  /** When each reply or error came in: the -c-th ends main_loop. */
  const answerTimes: number[] = []
  /** Which echo each of them answered, for the pipe (echoes in flight) finish() reports. */
  const answeredSeqs: number[] = []
  const sentTimes: number[] = []
  let endedEarly = false
  const alarmAt = deadline === undefined ? Number.POSITIVE_INFINITY : startedAt + deadline * 1000
  /** When each reply came in: those in by the last echo set schedule_exit's timer. */
  const replies: { at: number; rtt: number }[] = []
  let exitTimerAt = Number.POSITIVE_INFINITY
  const timed = size >= 16
  // One echo id per run, as the kernel gives one ping socket one id.
  const icmpId = randomInt(lab.rng, 1, 65535)
  for (let seq = 1; seq <= total; seq++) {
    lastSentAt = lab.clock.nowMs
    sentTimes.push(lastSentAt)
    const spec: ProbeSpec = {
      proto: 'icmp',
      from: ctx.target.name,
      to: dest,
      size,
      icmpId,
      seq,
      ...bound,
      ...(pmtu === 'want' ? {} : { dontFragment: pmtu === 'do' }),
      ...(ttl === undefined ? {} : { ttl })
    }
    // Beyond 65507 data bytes the datagram cannot exist; sendmsg fails silently for iputils,
    // which then just counts the echo as lost.
    if (size <= 65507) ctx.countPacket?.()
    const trace: Pick<Trace, 'outcome' | 'rttMs'> =
      size > 65507 ? { outcome: { kind: 'no-reply' } } : send(spec)
    if (seq === total && deadline === undefined) {
      const inByNow = replies.filter((r) => r.at <= lastSentAt).map((r) => r.rtt)
      exitTimerAt = lastSentAt + lingerAfterLastEcho(inByNow, interval, lingerMs)
    }
    const answeredAt = lastSentAt + (trace.rttMs ?? 0)
    // An answer that comes after ping has exited is never read: no line, no count, no lookup.
    const outcome: TraceOutcome =
      answeredAt > Math.min(alarmAt, firstErrorAt + ERROR_BURST_MS, exitTimerAt)
        ? { kind: 'no-reply' }
        : trace.outcome
    if (outcome.kind === 'reply' || outcome.kind === 'icmp-error' || outcome.kind === 'local-error') {
      lastAnsweredAt = Math.max(lastAnsweredAt, answeredAt)
      answerTimes.push(answeredAt)
      answeredSeqs.push(seq)
    }
    if (deadline !== undefined && (outcome.kind === 'icmp-error' || outcome.kind === 'local-error'))
      firstErrorAt = Math.min(firstErrorAt, answeredAt)
    if (seq === 1 && outcome.kind === 'local-error' && outcome.errno in CONNECT_ERRORS) {
      // connect() fails before anything is sent, so ping stops before its banner.
      return fail(`${warnings}ping: ${CONNECT_ERRORS[outcome.errno]}\n`, 2)
    }
    if (seq === 1) o.out(banner)
    switch (outcome.kind) {
      case 'reply': {
        const rtt = Math.round((trace.rttMs ?? 0) * 1000) / 1000
        rtts.push(rtt)
        replies.push({ at: answeredAt, rtt })
        // iputils names the sender before it knows whether the line is printed: -q still asks.
        const from = sender(outcome.from)
        if (!quiet)
          o.out(
            `${size + 8} bytes from ${from}: icmp_seq=${seq} ttl=${outcome.ttl}${timed ? ` time=${formatRtt(rtt)} ms` : ''}\n`
          )
        break
      }
      case 'icmp-error':
        errors++
        // iputils reports the failed sendmsg and then still reads the error the reject queued.
        if (outcome.sendErrno) o.err('ping: sendmsg: Operation not permitted\n')
        if (!quiet)
          o.out(
            `From ${sender(outcome.from)} icmp_seq=${seq} ${icmpErrorText(outcome.type, outcome.code, outcome.mtu)}\n`
          )
        break
      case 'local-error':
        errors++
        if (outcome.errno === 'EMSGSIZE')
          o.err(`ping: local error: message too long, mtu=${outcome.mtu ?? 0}\n`)
        else o.err(`ping: sendmsg: ${STRERROR[outcome.errno] ?? 'No route to host'}\n`)
        break
      case 'refused':
      case 'no-reply':
        break
    }
    if (seq < total) {
      // The next echo leaves an interval (plus the few milliseconds a real sender loses each
      // round) after this one, however long naming the sender took; a lookup that took longer
      // than the interval delays it, and pinger() sends it as soon as the lookup returns.
      const nextAt = lastSentAt + interval * 1000 + randomInt(lab.rng, 1, 4)
      if (Math.min(firstErrorAt, countReachedAt(answerTimes, count)) <= nextAt) {
        // main_loop has ended before the next echo is due: -w ends it at the first error, and
        // under -w the -c-th answer does.
        total = seq
        endedEarly = true
        break
      }
      let signal = waitFor(ctx, Math.max(0, nextAt - lab.clock.nowMs))
      if (signal === 'QUIT') {
        // iputils' SIGQUIT handler asks for a status line and the echoes go on.
        o.err(quitStatus(rtts, seq, timed))
        signal = waitFor(ctx, Math.max(0, nextAt - lab.clock.nowMs))
      }
      if (signal === 'INT' || signal === 'ALRM') {
        // iputils ends on SIGINT and SIGALRM through its handler: the statistics count the
        // echoes sent so far. Any other signal but QUIT kills it.
        total = seq
        break
      }
      if (signal !== undefined) return o.result(killedStatus(signal))
    }
  }
  if ((total === asked || endedEarly) && ctx.pendingSignal?.arrived !== true) {
    // main_loop ends once every echo has its reply or error, with -w at the first error; short
    // of that, -w's alarm ends it, or else the timer schedule_exit set at the last echo.
    const answered = rtts.length + errors >= total
    const exitsAt = Math.min(
      answered ? lastAnsweredAt : Number.POSITIVE_INFINITY,
      countReachedAt(answerTimes, count),
      alarmAt,
      errorBurstEndsAt(answerTimes, firstErrorAt),
      exitTimerAt
    )
    let signal = waitFor(ctx, Math.max(0, exitsAt - lab.clock.nowMs))
    if (signal === 'QUIT') {
      o.err(quitStatus(rtts, total, timed))
      signal = waitFor(ctx, Math.max(0, exitsAt - lab.clock.nowMs))
    }
    if (signal !== undefined && signal !== 'INT' && signal !== 'ALRM') return o.result(killedStatus(signal))
  }
  const received = rtts.length
  const loss = ((total - received) * 100) / total
  if (total < asked && !endedEarly && ctx.pendingSignal?.arrived !== true)
    o.err(
      `ping: stopped after ${total} of ${asked} echo requests (the lab sends at most ${SHELL_LIMITS.pingCount} per ping)\n`
    )
  o.out(`\n--- ${hostname} ping statistics ---\n`)
  o.out(
    `${total} packets transmitted, ${received} received,${errors > 0 ? ` +${errors} errors,` : ''} ${formatG(loss)}% packet loss, time ${Math.round(lastSentAt - startedAt)}ms\n`
  )
  const tail: string[] = []
  if (received > 0 && timed) {
    const us = rtts.map((r) => Math.round(r * 1000))
    const sum = us.reduce((a, b) => a + b, 0)
    const avg = sum / us.length
    const mdev = Math.sqrt(Math.max(0, us.reduce((a, b) => a + b * b, 0) / us.length - avg * avg))
    const ms = (v: number): string => (Math.floor(v) / 1000).toFixed(3)
    const min = us.reduce((a, b) => Math.min(a, b))
    const max = us.reduce((a, b) => Math.max(a, b))
    tail.push(`rtt min/avg/max/mdev = ${ms(min)}/${ms(avg)}/${ms(max)}/${ms(mdev)} ms`)
  }
  const pipe = pipeSize(answerTimes, answeredSeqs, sentTimes)
  if (pipe > 1) tail.push(`pipe ${pipe}`)
  if (tail.length > 0 || received === 0) o.out(`${tail.join(', ')}\n`)
  return o.result(received === 0 || (deadline !== undefined && received < (count ?? total)) ? 1 : 0)
}

/** When ping has read the burst of errors that came with the first one (never, with none). */
function errorBurstEndsAt(answerTimes: readonly number[], firstErrorAt: number): number {
  if (firstErrorAt === Number.POSITIVE_INFINITY) return firstErrorAt
  return Math.max(...answerTimes.filter((t) => t <= firstErrorAt + ERROR_BURST_MS))
}

/**
 * acknowledge()'s pipe: the most echoes that were out when one of them was answered, counting
 * from the answered one to the newest sent by then.
 */
function pipeSize(
  answerTimes: readonly number[],
  seqs: readonly number[],
  sentTimes: readonly number[]
): number {
  let pipe = 0
  answerTimes.forEach((at, i) => {
    const sentByThen = sentTimes.filter((t) => t <= at).length
    pipe = Math.max(pipe, sentByThen - seqs[i]! + 1)
  })
  return pipe
}

/** When the -c-th reply or error came in, and main_loop's count check ends it. */
function countReachedAt(answerTimes: readonly number[], count: number | undefined): number {
  if (count === undefined || answerTimes.length < count) return Number.POSITIVE_INFINITY
  return [...answerTimes].sort((a, b) => a - b)[count - 1]!
}

/**
 * How long schedule_exit's timer waits after the last echo: twice the longest round trip of the
 * replies in by then (an interval at least), -W (10 s) when none was.
 */
function lingerAfterLastEcho(rtts: readonly number[], interval: number, lingerMs: number): number {
  return rtts.length > 0 ? Math.max(2 * Math.max(...rtts), Math.trunc(interval * 1000)) : lingerMs
}

/**
 * iputils' status(): replies over echoes sent and, when echoes carry a timestamp, the round
 * trips in µs truncated to three decimals, `ewma` being its running average kept times 8.
 */
function quitStatus(rtts: readonly number[], sent: number, timed: boolean): string {
  const us = rtts.map((r) => Math.round(r * 1000))
  const loss = Math.floor(((sent - us.length) * 100) / sent)
  let line = `\r${us.length}/${sent} packets, ${loss}% loss`
  if (us.length > 0 && timed) {
    const ewma8 = us.reduce((acc, t) => (acc === 0 ? t * 8 : acc + t - Math.floor(acc / 8)), 0)
    const ms = (v: number): string => `${Math.floor(v / 1000)}.${String(v % 1000).padStart(3, '0')}`
    const avg = Math.floor(us.reduce((a, b) => a + b, 0) / us.length)
    line += `, min/avg/ewma/max = ${ms(Math.min(...us))}/${ms(avg)}/${ms(Math.floor(ewma8 / 8))}/${ms(Math.max(...us))} ms`
  }
  return `${line}\n`
}

export function pingCommand(probe: Prober): Command {
  return {
    name: 'ping',
    summary:
      'send ICMP echo requests (-c N, -s size, -M do, -t ttl, -W s, -i s); without -c the lab stops after 4',
    sendsTraffic: true,
    run: (argv, ctx) => runPing(argv, ctx, probe)
  }
}
