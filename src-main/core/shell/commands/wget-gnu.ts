/**
 * GNU Wget 1.21.3 (Debian 12) with stderr not a terminal: the dot progress and its log lines,
 * retries on a timeout with a growing pause, and its exit codes (1 generic, 2 usage, 4 network
 * failure, 8 server error). Checked against the real wget on namespaces (test/conformance).
 */

import { OutputBuilder } from '../command.ts'
import type { CommandContext, CommandOutput, TimeoutSignal } from '../command.ts'
import { getaddrinfo } from '../dns-resolver.ts'
import { getopt, type OptionSpec } from '../getopt.ts'
import {
  headerValue,
  parseHttpAnswer,
  parseHttpUrl,
  remoteFileName,
  writeDownloads,
  urlText,
  type HttpUrl
} from '../http-client.ts'
import { labDateTime } from '../lab-time.ts'
import { CONNECT_ERROR_TEXT, connectTcp, type ConnectErrno } from '../tcp-connect.ts'
import { killedStatus, msBeforeSignal, signalled, waitFor } from '../timeout-signal.ts'
import { randomInt } from '../../net/index.ts'
import { parseInetAton } from '../../net/index.ts'
import type { Prober } from './ping.ts'

const USAGE = "Usage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n"
const DEFAULT_TRIES = 20
/** --waitretry's default: the pause after the nth failed try is n seconds, up to this. */
const WAIT_RETRY_S = 10
/** --read-timeout's default. */
const READ_TIMEOUT_S = 900

/**
 * retryable_socket_connect_error: without --retry-connrefused a refusal or a missing route ends
 * the retrieval at once; other failures are tried again.
 */
const FINAL_CONNECT_ERRORS = new Set<ConnectErrno>(['ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'EINVAL'])

const EXIT = { generic: 1, usage: 2, network: 4, server: 8 } as const

interface Options {
  quiet: boolean
  serverResponse: boolean
  spider: boolean
  output?: string
  timeoutS?: number
  tries: number
  urls: string[]
}

type Parsed = { ok: true; opts: Options } | { ok: false; out: CommandOutput }

const usage = (msg: string, code: number): Parsed => ({
  ok: false,
  out: { stdout: '', stderr: `wget: ${msg}\n${USAGE}`, exitCode: code }
})

/** wget's time periods: a number with an optional s, m, h or d. */
function timePeriod(text: string): number | undefined {
  const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(text.trim())
  if (!m) return undefined
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd']
}

/** The options the lab's wget takes, as wget hands them to getopt_long. */
const OPTION_SPEC: OptionSpec = {
  short: 'qSO:T:t:',
  long: {
    quiet: { key: 'q', arg: false },
    'server-response': { key: 'S', arg: false },
    spider: { key: 'spider', arg: false },
    'output-document': { key: 'O', arg: true },
    timeout: { key: 'T', arg: true },
    'connect-timeout': { key: 'T', arg: true },
    tries: { key: 't', arg: true }
  }
}

function parse(argv: readonly string[]): Parsed {
  const parsed = getopt('wget', argv, OPTION_SPEC)
  if (!parsed.ok) return usage(parsed.message.replace(/^wget: /, ''), EXIT.usage)
  const opts: Options = {
    quiet: false,
    serverResponse: false,
    spider: false,
    tries: DEFAULT_TRIES,
    urls: [...parsed.value.operands]
  }
  for (const { key, value = '' } of parsed.value.options) {
    if (key === 'q') opts.quiet = true
    else if (key === 'S') opts.serverResponse = true
    else if (key === 'spider') opts.spider = true
    else if (key === 'O') opts.output = value
    else if (key === 'T') {
      const s = timePeriod(value)
      if (s === undefined)
        return {
          ok: false,
          out: {
            stdout: '',
            stderr: `wget: --timeout: Invalid time period ‘${value}’\n`,
            exitCode: EXIT.usage
          }
        }
      opts.timeoutS = s
    } else if (/^\d+$/.test(value)) opts.tries = Number(value)
    else if (value === 'inf') opts.tries = 0
  }
  if (opts.urls.length === 0) return usage('missing URL', EXIT.generic)
  return { ok: true, opts }
}

/** wget's print_decimal: seconds with the precision their size deserves. */
function decimal(n: number): string {
  if (n >= 9.95) return n.toFixed(0)
  if (n >= 0.95) return n.toFixed(1)
  if (n >= 0.001) return String(Number(n.toPrecision(1)))
  if (n >= 0.0005) return n.toFixed(3)
  return '0'
}

/** calc_rate: bytes per second in the largest unit (of 1024) that keeps it at least 1. */
function rate(bytes: number, secs: number): { value: number; unit: number } {
  let value = bytes / secs
  let unit = 0
  while (value >= 1024 && unit < 3) {
    value /= 1024
    unit++
  }
  return { value, unit }
}

const digits = (v: number): number => (v >= 99.95 ? 0 : v >= 9.995 ? 1 : 2)

/** retr_rate: `1.00 MB/s`. */
function rateText(bytes: number, secs: number): string {
  const r = rate(bytes, secs)
  return `${r.value.toFixed(digits(r.value))} ${['B/s', 'KB/s', 'MB/s', 'GB/s'][r.unit]}`
}

/**
 * The dot progress of a body under 1 KiB, which is all the lab's apps send: the row's offset,
 * the row's fifty dot places left blank, the percentage when the length is known, the rate and
 * the download time.
 */
function dotRow(bytes: number, total: number | undefined, secs: number): string {
  const r = rate(bytes, secs)
  const pct = total ? `${String(Math.floor((100 * bytes) / total)).padStart(3)}%` : ''
  const speed = `${r.value.toFixed(digits(r.value)).padStart(4)}${[' ', 'K', 'M', 'G'][r.unit]}`
  return `${'0'.padStart(6)}K${' '.repeat(55)}${pct} ${speed}=${decimal(secs)}s`
}

interface Totals {
  files: number
  bytes: number
  secs: number
}

/** One URL's retrieval; returns its exit code (0 when saved). */
function retrieve(
  raw: string,
  o: Options,
  ctx: CommandContext,
  probe: Prober,
  out: OutputBuilder,
  saved: Map<string, string>,
  totals: Totals
): number | { killed: TimeoutSignal } {
  const log = (text: string): void => {
    if (!o.quiet) out.err(text)
  }
  const url = parseHttpUrl(raw)
  if (url === undefined) {
    out.err(`${raw}: Unsupported scheme.\n`)
    return EXIT.generic
  }
  const shown = urlText(url)
  log(`--${labDateTime(ctx)}--  ${shown}\n`)
  const numeric = parseInetAton(url.host) !== undefined
  if (!numeric) log(`Resolving ${url.host} (${url.host})... `)
  const resolved = getaddrinfo(ctx, probe, url.host, true)
  const killedWhileResolving = signalled(ctx)
  if (killedWhileResolving !== undefined) return { killed: killedWhileResolving }
  if (!resolved.ok) {
    log(
      `failed: ${resolved.reason === 'not-found' ? 'Name or service not known' : 'Temporary failure in name resolution'}.\n`
    )
    log(`wget: unable to resolve host address ‘${url.host}’\n`)
    return EXIT.network
  }
  if (!numeric) log(`${resolved.addresses.join(', ')}\n`)
  const tries = o.tries === 0 ? Number.POSITIVE_INFINITY : o.tries
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) log(`--${labDateTime(ctx)}--  (try:${String(attempt).padStart(2)})  ${shown}\n`)
    const result = attemptOnce(url, resolved.addresses, o, ctx, probe, log, out, saved, totals)
    if (typeof result !== 'string') return result
    const unlimitedAndUnbounded =
      tries === Number.POSITIVE_INFINITY && msBeforeSignal(ctx) === Number.POSITIVE_INFINITY
    if (attempt >= tries || (unlimitedAndUnbounded && attempt >= DEFAULT_TRIES)) {
      log('Giving up.\n\n')
      return EXIT.network
    }
    log('Retrying.\n\n')
    const killed = waitFor(ctx, Math.min(attempt, WAIT_RETRY_S) * 1000)
    if (killed !== undefined) return { killed }
  }
}

/**
 * One try: connect to each address in turn, then the request and the answer. A number or a
 * signal ends the retrieval; 'retry' asks for another try.
 */
function attemptOnce(
  url: HttpUrl,
  addresses: readonly string[],
  o: Options,
  ctx: CommandContext,
  probe: Prober,
  log: (text: string) => void,
  out: OutputBuilder,
  saved: Map<string, string>,
  totals: Totals
): number | { killed: TimeoutSignal } | 'retry' {
  const numeric = parseInetAton(url.host) !== undefined
  const request = [
    `${o.spider ? 'HEAD' : 'GET'} ${url.path} HTTP/1.1`,
    `Host: ${url.port === 80 ? url.host : `${url.host}:${url.port}`}`,
    'User-Agent: Wget/1.21.3',
    'Accept: */*',
    'Accept-Encoding: identity',
    'Connection: Keep-Alive',
    '',
    ''
  ].join('\r\n')
  let answer: string | undefined
  let retry = false
  for (const ip of addresses) {
    log(`Connecting to ${numeric ? `${ip}:${url.port}` : `${url.host} (${url.host})|${ip}|:${url.port}`}... `)
    const conn = connectTcp(ctx, probe, {
      ip,
      port: url.port,
      ...(o.timeoutS === undefined ? {} : { limitMs: o.timeoutS * 1000 }),
      ...(url.scheme === 'http' ? { payload: request } : {})
    })
    if (conn.kind === 'killed') return { killed: conn.signal }
    if (conn.kind === 'connected') {
      log('connected.\n')
      answer = conn.answer
      break
    }
    if (conn.kind === 'no-reply') {
      const killed = waitFor(ctx, Math.max(0, conn.trace.at + conn.waitedMs - ctx.lab.clock.nowMs))
      if (killed !== undefined) return { killed }
      log('failed: Connection timed out.\n')
      retry = true
      continue
    }
    log(`failed: ${CONNECT_ERROR_TEXT[conn.errno]}.\n`)
    if (!FINAL_CONNECT_ERRORS.has(conn.errno)) retry = true
  }
  if (answer === undefined) return retry ? 'retry' : EXIT.network
  if (url.scheme === 'https') {
    // The lab's apps speak plain HTTP: OpenSSL reads their answer as a bad record.
    log('OpenSSL: error:0A00010B:SSL routines::wrong version number\nUnable to establish SSL connection.\n')
    return EXIT.network
  }
  log('HTTP request sent, awaiting response... ')
  if (answer === '') {
    log('No data received.\n')
    return 'retry'
  }
  const http = parseHttpAnswer(answer)
  if (http === undefined) {
    // An echo app sends the request back and keeps the connection open: wget reads it as an
    // HTTP/0.9 body until its read timeout.
    log('200 No headers, assuming HTTP/0.9\nLength: unspecified\n')
    const name = targetName(url, o, ctx, saved)
    log(`Saving to: ‘${name}’\n\n`)
    const killed = waitFor(ctx, (o.timeoutS ?? READ_TIMEOUT_S) * 1000)
    if (killed !== undefined) return { killed }
    const secs = randomInt(ctx.lab.rng, 4, 9) / 1e6
    log(`${dotRow(answer.length, undefined, secs)}\n\n`)
    log(
      `${labDateTime(ctx)} (${rateText(answer.length, secs)}) - Read error at byte ${answer.length} (Connection timed out).`
    )
    return 'retry'
  }
  if (o.serverResponse) {
    if (!o.quiet) out.err('\n')
    out.err([http.statusLine, ...http.headers].map((h) => `  ${h}\n`).join(''))
  } else log(`${http.status} ${http.reason}\n`)
  if (http.status >= 400) {
    if (o.spider) log('Remote file does not exist -- broken link!!!\n\n')
    else log(`${labDateTime(ctx)} ERROR ${http.status}: ${http.reason}.\n\n`)
    return EXIT.server
  }
  const lengthText = headerValue(http, 'Content-Length')
  const length = lengthText !== undefined && /^\d+$/.test(lengthText) ? Number(lengthText) : undefined
  const type = headerValue(http, 'Content-Type')
  log(`Length: ${length ?? 'unspecified'}${type === undefined ? '' : ` [${type}]`}\n`)
  if (o.spider) {
    log('Remote file exists.\n\n')
    return 0
  }
  const body = http.body
  const name = targetName(url, o, ctx, saved)
  log(`Saving to: ‘${name === '-' ? 'STDOUT' : name}’\n`)
  if (name === '-') out.out(body)
  else saved.set(name, (saved.get(name) ?? '') + body)
  const secs = randomInt(ctx.lab.rng, 4, 9) / 1e6
  const size = utf8Bytes(body)
  totals.files++
  totals.bytes += size
  totals.secs += secs
  log(`\n${dotRow(size, length, secs)}\n\n`)
  const counted = length === undefined ? `${size}` : `${size}/${length}`
  log(
    `${labDateTime(ctx)} (${rateText(size, secs)}) - ${name === '-' ? 'written to stdout' : `‘${name}’ saved`} [${counted}]\n\n`
  )
  return 0
}

const utf8Bytes = (s: string): number => new TextEncoder().encode(s).length

/**
 * Where the body goes: -O's file (`-` for stdout), else the URL's file name, numbered `.1`,
 * `.2`, … past the files that already exist.
 */
function targetName(url: HttpUrl, o: Options, ctx: CommandContext, saved: Map<string, string>): string {
  if (o.output !== undefined) return o.output
  const base = remoteFileName(url)
  const taken = (n: string): boolean => saved.has(n) || ctx.readFile(n) !== undefined
  if (!taken(base)) return base
  for (let k = 1; ; k++) if (!taken(`${base}.${k}`)) return `${base}.${k}`
}

export function runGnuWget(argv: readonly string[], ctx: CommandContext, probe: Prober): CommandOutput {
  const p = parse(argv)
  if (!p.ok) return p.out
  const o = p.opts
  const out = new OutputBuilder()
  const saved = new Map<string, string>()
  const totals: Totals = { files: 0, bytes: 0, secs: 0 }
  const started = ctx.lab.clock.nowMs
  let exitCode = 0
  let killedBy: TimeoutSignal | undefined
  if (o.spider && !o.quiet) out.err('Spider mode enabled. Check if remote file exists.\n')
  for (const raw of o.urls) {
    const code = retrieve(raw, o, ctx, probe, out, saved, totals)
    if (typeof code !== 'number') {
      killedBy = code.killed
      break
    }
    // Of two failures the lower code is the one wget reports.
    if (code !== 0) exitCode = exitCode === 0 ? code : Math.min(exitCode, code)
  }
  // -O FILE takes every body, in order; the file exists even when nothing came.
  if (o.output !== undefined && o.output !== '-' && !o.spider) saved.set(o.output, saved.get(o.output) ?? '')
  writeDownloads(ctx, saved)
  if (killedBy !== undefined) return out.result(killedStatus(killedBy))
  if (o.urls.length > 1 && !o.quiet) {
    out.err(`FINISHED --${labDateTime(ctx)}--\n`)
    out.err(`Total wall clock time: ${decimal((ctx.lab.clock.nowMs - started) / 1000)}s\n`)
    if (totals.files > 0)
      out.err(
        `Downloaded: ${totals.files} files, ${totals.bytes} in 0s (${rateText(totals.bytes, totals.secs)})\n`
      )
  }
  return out.result(exitCode)
}
