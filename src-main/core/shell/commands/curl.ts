/**
 * `curl` 7.88.1 against the lab's apps: one whole TCP connection through the packet engine
 * (handshake, request, the app's answer, the close), then the answer printed. Output goes to a terminal, so there is no progress meter (curl shows it only
 * when stdout is redirected). Error texts and exit codes are curl's: 7 refused/unreachable,
 * 28 timeouts, 6 resolve failures, 2 usage, 3 bad URL.
 */

import { OutputBuilder } from '../command.ts'
import type { Command, CommandContext, CommandOutput, TimeoutSignal } from '../command.ts'
import { killedStatus, signalled, waitFor } from '../timeout-signal.ts'
import { CONNECT_ERROR_TEXT, connectTcp, kernelGiveUpMs } from '../tcp-connect.ts'
import { formatIpv4, parseInetAton, randomInt } from '../../net/index.ts'
import { getaddrinfo } from '../dns-resolver.ts'
import { filesByName } from '../resolve.ts'
import { formatIpv6, parseIpv6 } from '../../net/ipv6.ts'
import { lookupIpv6 } from './ip-inet6.ts'
import type { Prober } from './ping.ts'

const TRY = "curl: try 'curl --help' or 'curl --manual' for more information\n"

/**
 * How late the kernel's last SYN timer fires: the further out a timer, the coarser the level of
 * the timer wheel it sits in. curl 7.88 measured 130917 ms for the 127 s give-up and 3051 ms for
 * the 3 s of tcp_syn_retries=1 on real namespaces: up to a 32nd of the wait.
 */
const giveUpSlackMs = (giveUpMs: number): number => Math.ceil(giveUpMs / 32)

interface CurlOptions {
  silent: boolean
  showError: boolean
  verbose: boolean
  include: boolean
  maxTime?: number
  connectTimeout?: number
  head: boolean
  urls: string[]
}

/** Options taking a value, by short and long name. */
const WITH_ARG: Record<string, keyof CurlOptions> = {
  '-m': 'maxTime',
  '--max-time': 'maxTime',
  '--connect-timeout': 'connectTimeout'
}
const FLAGS: Record<string, keyof CurlOptions> = {
  '-s': 'silent',
  '--silent': 'silent',
  '-S': 'showError',
  '--show-error': 'showError',
  '-v': 'verbose',
  '--verbose': 'verbose',
  '-i': 'include',
  '--include': 'include',
  '-I': 'head',
  '--head': 'head'
}
/** Accepted and without effect in the lab (no redirects, no TLS, no files). */
const HARMLESS = new Set([
  '-L',
  '--location',
  '-k',
  '--insecure',
  '-f',
  '--fail',
  '-4',
  '--ipv4',
  '--no-progress-meter'
])

type Parsed = { ok: true; opts: CurlOptions } | { ok: false; out: CommandOutput }

function parse(argv: readonly string[]): Parsed {
  const opts: CurlOptions = {
    silent: false,
    showError: false,
    verbose: false,
    include: false,
    head: false,
    urls: []
  }
  const usage = (msg: string): Parsed => ({
    ok: false,
    out: { stdout: '', stderr: `curl: ${msg}\n${TRY}`, exitCode: 2 }
  })
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? ''
    if (a === '--') {
      opts.urls.push(...argv.slice(i + 1))
      break
    }
    if (!a.startsWith('-') || a === '-') {
      opts.urls.push(a)
      continue
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      const name = eq < 0 ? a : a.slice(0, eq)
      const key = WITH_ARG[name]
      if (key) {
        const value = eq < 0 ? argv[++i] : a.slice(eq + 1)
        if (value === undefined) return usage(`option ${name}: requires parameter`)
        const n = Number(value)
        if (!/^\d+(\.\d+)?$/.test(value) || Number.isNaN(n))
          return usage(`option ${name}: expected a proper numerical parameter`)
        ;(opts as unknown as Record<string, number>)[key] = n
        continue
      }
      const flag = FLAGS[name]
      if (flag) (opts as unknown as Record<string, boolean>)[flag] = true
      else if (!HARMLESS.has(name)) return usage(`option ${name}: is unknown`)
      continue
    }
    // A cluster of short flags; a value-taking letter consumes the rest or the next word.
    for (let j = 1; j < a.length; j++) {
      const letter = `-${a[j] ?? ''}`
      const key = WITH_ARG[letter]
      if (key) {
        const rest = a.slice(j + 1)
        const value = rest !== '' ? rest : argv[++i]
        if (value === undefined) return usage(`option ${letter}: requires parameter`)
        if (!/^\d+(\.\d+)?$/.test(value))
          return usage(`option ${letter}: expected a proper numerical parameter`)
        ;(opts as unknown as Record<string, number>)[key] = Number(value)
        break
      }
      const flag = FLAGS[letter]
      if (flag) (opts as unknown as Record<string, boolean>)[flag] = true
      else if (!HARMLESS.has(letter)) return usage(`option ${letter}: is unknown`)
    }
  }
  if (opts.urls.length === 0) return { ok: false, out: { stdout: '', stderr: TRY, exitCode: 2 } }
  return { ok: true, opts }
}

interface Url {
  scheme: string
  /** As curl names it in its messages: an IPv6 address without its brackets. */
  host: string
  /** The address a bracketed host writes, as inet_ntop prints it. */
  ipv6?: string
  port: number
  path: string
}

function parseUrl(raw: string): Url | string {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?(\[[^\]/?#]*\]|[^/:?#]*)(?::([^/?#]*))?([^#]*)/.exec(raw)
  if (!m) return 'URL rejected: Malformed input to a URL function'
  const scheme = (m[1] ?? 'http').toLowerCase()
  if (scheme !== 'http' && scheme !== 'https')
    return `Protocol "${scheme}" not supported or disabled in libcurl`
  const written = m[2] ?? ''
  if (written === '') return 'URL rejected: No host part in the URL'
  const bracketed = written.startsWith('[') ? parseIpv6(written.slice(1, -1)) : undefined
  if (written.startsWith('[') && bracketed === undefined)
    return 'URL rejected: Malformed input to a URL function'
  const ipv6 = bracketed === undefined ? undefined : formatIpv6(bracketed)
  // curl's URL parser rewrites an address in any inet_aton form as a dotted quad.
  const address = parseInetAton(written)
  const host = ipv6 ?? (address === undefined ? written : formatIpv4(address))
  const portText = m[3]
  if (portText !== undefined && portText !== '' && !/^\d+$/.test(portText))
    return 'URL rejected: Port number was not a decimal number between 0 and 65535'
  const port = portText === undefined || portText === '' ? (scheme === 'https' ? 443 : 80) : Number(portText)
  if (port > 65535) return 'URL rejected: Port number was not a decimal number between 0 and 65535'
  const path = m[4] === undefined || m[4] === '' ? '/' : m[4].startsWith('?') ? `/${m[4]}` : m[4]
  return { scheme, host, port, path, ...(ipv6 === undefined ? {} : { ipv6 }) }
}

/**
 * What connecting to an IPv6 address of the lab gives: the host's own addresses refuse, as no
 * app of the lab listens on IPv6; without a default route nothing else is reachable. `undefined`:
 * the address is across a link, which the lab does not simulate.
 */
function ipv6ConnectError(ctx: CommandContext, address: string): string | undefined {
  const found = lookupIpv6(ctx.lab, ctx.lab.netns.get(ctx.target.netns)!, parseIpv6(address)!)
  if (found.kind === 'local') return 'Connection refused'
  return found.kind === 'unreachable' ? 'Network is unreachable' : undefined
}

export function runCurl(argv: readonly string[], ctx: CommandContext, probe: Prober): CommandOutput {
  const p = parse(argv)
  if (!p.ok) return p.out
  const o = p.opts
  const out = new OutputBuilder()
  let exitCode = 0
  const showErrors = !o.silent || o.showError
  // curl catches neither TERM nor INT: `timeout`'s signal ends it where it is.
  let killedBy: TimeoutSignal | undefined
  o.urls.forEach((raw, index) => {
    if (killedBy !== undefined) return
    const fail = (code: number, msg: string): void => {
      exitCode = code
      if (showErrors) out.err(`curl: (${code}) ${msg}\n`)
    }
    const limits = [o.maxTime, o.connectTimeout].filter((x): x is number => x !== undefined && x > 0)
    const limitMs = limits.length > 0 ? Math.min(...limits) * 1000 : undefined
    const url = parseUrl(raw)
    if (typeof url === 'string') {
      fail(url.startsWith('Protocol') ? 1 : 3, url)
      return
    }
    const started = ctx.lab.clock.nowMs
    const ipv4Only = argv.includes('-4') || argv.includes('--ipv4')
    // curl answers localhost itself with both loopback addresses, whatever /etc/hosts says;
    // for other names getaddrinfo reads the hosts file for both families before asking DNS.
    const localhost = /^(.+\.)?localhost$/i.test(url.host)
    const hostsIpv6 = url.ipv6 === undefined && !localhost ? filesByName(ctx, url.host, 'inet6') : undefined
    const onlyIpv6 =
      url.ipv6 !== undefined ||
      (!ipv4Only && hostsIpv6 !== undefined && filesByName(ctx, url.host, 'inet') === undefined)
    const ipv6 = ipv4Only
      ? []
      : url.ipv6 !== undefined
        ? [url.ipv6]
        : localhost
          ? ['::1']
          : (hostsIpv6?.addresses ?? [])
    const verbose = (line: string): void => {
      if (o.verbose) out.err(`${line}\n`)
    }
    /** Happy eyeballs: once IPv4 is refused curl tries the IPv6 addresses, which refuse too. */
    const tryIpv6 = (): void => {
      for (const address of ipv6) {
        const why = ipv6ConnectError(ctx, address)
        if (why === undefined) {
          out.err(`curl: Podnet Lab does not simulate IPv6 between hosts; ${address} was not tried.\n`)
          continue
        }
        verbose(`*   Trying [${address}]:${url.port}...`)
        // connect() fails at once without a route; curl words that apart from a refusal.
        verbose(
          why === 'Network is unreachable'
            ? `* Immediate connect fail for ${address}: ${why}`
            : `* connect to ${address} port ${url.port} failed: ${why}`
        )
      }
    }
    const failed = (ms: number): void => {
      verbose(
        `* Failed to connect to ${url.host} port ${url.port} after ${ms} ms: Couldn't connect to server`
      )
      verbose(`* Closing connection ${index}`)
      fail(7, `Failed to connect to ${url.host} port ${url.port} after ${ms} ms: Couldn't connect to server`)
    }
    if (onlyIpv6) {
      tryIpv6()
      failed(0)
      return
    }
    const resolved = getaddrinfo(ctx, probe, url.host, ipv4Only)
    killedBy = signalled(ctx)
    if (killedBy !== undefined) return
    if (!resolved.ok) {
      const waited = ctx.lab.clock.nowMs - started
      if (limitMs !== undefined && waited >= limitMs)
        fail(28, `Resolving timed out after ${limitMs} milliseconds`)
      else fail(6, `Could not resolve host: ${url.host}`)
      return
    }
    const ip = resolved.addresses[0]!
    verbose(`*   Trying ${ip}:${url.port}...`)
    const hostHeader = url.port === 80 ? url.host : `${url.host}:${url.port}`
    const request = [
      `${o.head ? 'HEAD' : 'GET'} ${url.path} HTTP/1.1`,
      `Host: ${hostHeader}`,
      'User-Agent: curl/7.88.1',
      'Accept: */*',
      ''
    ]
    // Over https the first bytes would be a TLS ClientHello, which the lab's apps do not model:
    // the connection stops at the handshake.
    const conn = connectTcp(ctx, probe, {
      ip,
      port: url.port,
      ...(limitMs === undefined ? {} : { limitMs }),
      ...(url.scheme === 'http' ? { payload: request.map((l) => `${l}\r\n`).join('') } : {})
    })
    const refused = (ms: number, why: string, immediate = false): void => {
      // An error connect() itself returns (no route) is worded apart from one that comes later.
      verbose(
        immediate
          ? `* Immediate connect fail for ${ip}: ${why}`
          : `* connect to ${ip} port ${url.port} failed: ${why}`
      )
      if (why === 'Connection refused') tryIpv6()
      failed(ms)
    }
    switch (conn.kind) {
      case 'killed':
        killedBy = conn.signal
        return
      case 'failed':
        refused(conn.ms, CONNECT_ERROR_TEXT[conn.errno], conn.immediate)
        return
      case 'no-reply': {
        const giveUpMs = kernelGiveUpMs(ctx)
        // curl notices its own deadline a millisecond or two after it passes. The engine has
        // moved the clock to the last SYN it sent; the wait ends here.
        const ms =
          limitMs === undefined
            ? giveUpMs + randomInt(ctx.lab.rng, 0, giveUpSlackMs(giveUpMs))
            : Math.floor(limitMs) + randomInt(ctx.lab.rng, 1, 2)
        killedBy = waitFor(ctx, Math.max(0, conn.trace.at + ms - ctx.lab.clock.nowMs))
        if (killedBy !== undefined) return
        if (limitMs === undefined) {
          verbose(`* connect to ${ip} port ${url.port} failed: Connection timed out`)
          verbose(
            `* Failed to connect to ${url.host} port ${url.port} after ${ms} ms: Couldn't connect to server`
          )
          verbose(`* Closing connection ${index}`)
          // The kernel's ETIMEDOUT: curl words it as a failed connect but exits 28 (checked
          // against curl 7.88.1 on a real namespace).
          fail(
            28,
            `Failed to connect to ${url.host} port ${url.port} after ${ms} ms: Couldn't connect to server`
          )
        } else if (o.maxTime !== undefined && o.maxTime * 1000 === limitMs) {
          verbose(`* Connection timed out after ${ms} milliseconds`)
          verbose(`* Closing connection ${index}`)
          fail(28, `Connection timed out after ${ms} milliseconds`)
        } else {
          verbose(`* Connection timed out after ${ms} milliseconds`)
          verbose(`* Closing connection ${index}`)
          fail(28, `Failed to connect to ${url.host} port ${url.port} after ${ms} ms: Timeout was reached`)
        }
        return
      }
      case 'connected':
        break
    }
    verbose(`* Connected to ${url.host} (${ip}) port ${url.port} (#${index})`)
    if (url.scheme === 'https') {
      // The lab's apps speak plain HTTP; OpenSSL reads "HTTP/1.1 400" as a bad record.
      fail(35, 'error:0A00010B:SSL routines::wrong version number')
      return
    }
    for (const line of request) verbose(`> ${line}\r`)
    const answer = conn.answer
    const split = answer.indexOf('\r\n\r\n')
    if (!answer.startsWith('HTTP/') || split < 0) {
      // An echo app sends the request back: curl sees no status line (HTTP/0.9).
      if (answer !== '') {
        fail(1, 'Received HTTP/0.9 when not allowed')
        verbose(`* Closing connection ${index}`)
      } else fail(52, 'Empty reply from server')
      return
    }
    const headers = [...answer.slice(0, split).split('\r\n'), '']
    const body = answer.slice(split + 4)
    for (const h of headers) verbose(`< ${h}\r`)
    if (o.include || o.head) out.out(headers.map((h) => `${h}\r\n`).join(''))
    if (!o.head) out.out(body)
    verbose(`* Closing connection ${index}`)
  })
  return out.result(killedBy === undefined ? exitCode : killedStatus(killedBy))
}

export function curlCommand(probe: Prober): Command {
  return {
    name: 'curl',
    notInBusybox: true,
    summary: 'HTTP request through the lab network (-s -S -m s -v -i)',
    sendsTraffic: true,
    run: (argv, ctx) => runCurl(argv, ctx, probe)
  }
}
