/**
 * BusyBox 1.36 `wget` (networking/wget.c) with stderr not a terminal: `Connecting to`, the
 * progress bar drawn once, and every failure a message and exit 1. -T (default 900 s) bounds
 * the connect; -t is accepted and ignored, as BusyBox does.
 */

import { OutputBuilder } from '../command.ts'
import type { CommandContext, CommandOutput, TimeoutSignal } from '../command.ts'
import { getaddrinfo } from '../dns-resolver.ts'
import { parseHttpAnswer, parseHttpUrl, remoteFileName, writeDownloads } from '../http-client.ts'
import { CONNECT_ERROR_TEXT, connectTcp } from '../tcp-connect.ts'
import { killedStatus, signalled, waitFor } from '../timeout-signal.ts'
import type { Prober } from './ping.ts'

export const BUSYBOX_BANNER = 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.'

const USAGE = `${BUSYBOX_BANNER}

Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]
\t[--post-data STR | --post-file FILE] [-Y on/off]
\t[--no-check-certificate] [-P DIR] [-U AGENT] [-T SEC] URL...

Retrieve files via HTTP or FTP

\t--spider\tOnly check URL existence: $? is 0 if exists
\t--header STR\tAdd STR (of form 'header: value') to headers
\t--post-data STR\tSend STR using POST method
\t--post-file FILE\tSend FILE using POST method
\t--no-check-certificate\tDon't validate the server's certificate
\t-c\t\tContinue retrieval of aborted transfer
\t-q\t\tQuiet
\t-P DIR\t\tSave to DIR (default .)
\t-S    \t\tShow server response
\t-T SEC\t\tNetwork read timeout is SEC seconds
\t-O FILE\t\tSave to FILE ('-' for stdout)
\t-o LOGFILE\tLog messages to FILE
\t-U STR\t\tUse STR for User-Agent header
\t-Y on/off\tUse proxy
`

const DEFAULT_TIMEOUT_S = 900

interface Options {
  quiet: boolean
  serverResponse: boolean
  spider: boolean
  output?: string
  timeoutS: number
  urls: string[]
}

type Parsed = { ok: true; opts: Options } | { ok: false; out: CommandOutput }

const die = (msg: string): CommandOutput => ({ stdout: '', stderr: `wget: ${msg}\n`, exitCode: 1 })

function parse(argv: readonly string[]): Parsed {
  const opts: Options = {
    quiet: false,
    serverResponse: false,
    spider: false,
    timeoutS: DEFAULT_TIMEOUT_S,
    urls: []
  }
  const bad = (msg: string): Parsed => ({
    ok: false,
    out: { stdout: '', stderr: `wget: ${msg}\n${USAGE}`, exitCode: 1 }
  })
  const timeout = (v: string): Parsed | undefined => {
    if (!/^\d+$/.test(v)) return { ok: false, out: die(`invalid number '${v}'`) }
    opts.timeoutS = Number(v)
    return undefined
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') {
      opts.urls.push(...argv.slice(i + 1))
      break
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      const name = eq < 0 ? a : a.slice(0, eq)
      const withArg = ['--output-document', '--timeout', '--tries'].includes(name)
      const value = withArg ? (eq < 0 ? argv[++i] : a.slice(eq + 1)) : undefined
      if (withArg && value === undefined) return bad(`option '${name}' requires an argument`)
      if (name === '--quiet') opts.quiet = true
      else if (name === '--server-response') opts.serverResponse = true
      else if (name === '--spider') opts.spider = true
      else if (name === '--output-document') opts.output = value
      else if (name === '--timeout') {
        const r = timeout(value!)
        if (r) return r
      } else if (name !== '--tries') return bad(`unrecognized option: ${a.slice(2)}`)
      continue
    }
    if (!a.startsWith('-') || a === '-') {
      opts.urls.push(a)
      continue
    }
    for (let j = 1; j < a.length; j++) {
      const letter = a[j]!
      if (letter === 'q') opts.quiet = true
      else if (letter === 'S') opts.serverResponse = true
      else if (letter === 'O' || letter === 'T' || letter === 't') {
        const rest = a.slice(j + 1)
        const value = rest !== '' ? rest : argv[++i]
        if (value === undefined) return bad(`option requires an argument: ${letter}`)
        if (letter === 'O') opts.output = value
        else if (letter === 'T') {
          const r = timeout(value)
          if (r) return r
        }
        break
      } else return bad(`unrecognized option: ${letter}`)
    }
  }
  if (opts.urls.length === 0) return { ok: false, out: { stdout: '', stderr: USAGE, exitCode: 1 } }
  return { ok: true, opts }
}

/** The progress bar once the body is in: the file's name, 100%, a full bar, the size, no time left. */
function progressLine(name: string, bytes: number): string {
  const base = name.split('/').pop() ?? name
  return `${base.padEnd(20).slice(0, 20)} 100% |${'*'.repeat(32)}| ${String(bytes).padStart(5)}  0:00:00 ETA\n`
}

/** One URL; undefined when it was fetched, else how wget ends. */
function fetchOne(
  raw: string,
  o: Options,
  ctx: CommandContext,
  probe: Prober,
  out: OutputBuilder,
  saved: Map<string, string>
): { code: number } | { killed: TimeoutSignal } | undefined {
  const fail = (msg: string): { code: number } => {
    out.err(`wget: ${msg}\n`)
    return { code: 1 }
  }
  const url = parseHttpUrl(raw)
  if (url === undefined) return fail(`not an http or ftp url: ${raw}`)
  const resolved = getaddrinfo(ctx, probe, url.host, true)
  const killedWhileResolving = signalled(ctx)
  if (killedWhileResolving !== undefined) return { killed: killedWhileResolving }
  if (!resolved.ok) return fail(`bad address '${url.host}'`)
  const ip = resolved.addresses[0]!
  const hostText = url.portText === undefined ? url.host : `${url.host}:${url.portText}`
  if (!o.quiet) out.err(`Connecting to ${hostText} (${ip}:${url.port})\n`)
  const request = [
    `GET ${url.path} HTTP/1.1`,
    `Host: ${hostText}`,
    'User-Agent: Wget',
    'Connection: close',
    '',
    ''
  ].join('\r\n')
  const limitMs = o.timeoutS * 1000
  const conn = connectTcp(ctx, probe, {
    ip,
    port: url.port,
    ...(limitMs > 0 ? { limitMs } : {}),
    ...(url.scheme === 'http' ? { payload: request } : {})
  })
  if (conn.kind === 'killed') return { killed: conn.signal }
  if (conn.kind === 'failed')
    return fail(`can't connect to remote host (${ip}): ${CONNECT_ERROR_TEXT[conn.errno]}`)
  if (conn.kind === 'no-reply') {
    const killed = waitFor(ctx, Math.max(0, conn.trace.at + conn.waitedMs - ctx.lab.clock.nowMs))
    if (killed !== undefined) return { killed }
    return conn.byKernel
      ? fail(`can't connect to remote host (${ip}): Connection timed out`)
      : fail('download timed out')
  }
  if (url.scheme === 'https') {
    out.err('wget: Podnet Lab does not simulate TLS: the apps answer plain HTTP only.\n')
    return { code: 1 }
  }
  if (conn.answer === '') return fail('error getting response')
  const http = parseHttpAnswer(conn.answer)
  if (http === undefined) {
    // An echo app sends the request back and keeps the connection open: no status line ever
    // comes, and the read timeout ends the wait.
    const killed = waitFor(ctx, limitMs)
    if (killed !== undefined) return { killed }
    return fail('download timed out')
  }
  if (o.serverResponse) out.err([http.statusLine, ...http.headers, ''].map((h) => `  ${h}\n`).join(''))
  if (http.status < 200 || http.status > 299) return fail(`server returned error: ${http.statusLine}`)
  if (o.spider) {
    if (!o.quiet) out.err('remote file exists\n')
    return undefined
  }
  const toStdout = o.output === '-'
  const name = o.output ?? remoteFileName(url)
  if (!toStdout && o.output === undefined && (saved.has(name) || ctx.readFile(name) !== undefined))
    return fail(`can't open '${name}': File exists`)
  if (!o.quiet) out.err(toStdout ? 'writing to stdout\n' : `saving to '${name}'\n`)
  if (toStdout) out.out(http.body)
  else saved.set(name, (saved.get(name) ?? '') + http.body)
  if (!o.quiet) {
    out.err(progressLine(name, new TextEncoder().encode(http.body).length))
    out.err(toStdout ? 'written to stdout\n' : `'${name}' saved\n`)
  }
  return undefined
}

export function runBusyboxWget(argv: readonly string[], ctx: CommandContext, probe: Prober): CommandOutput {
  const p = parse(argv)
  if (!p.ok) return p.out
  const out = new OutputBuilder()
  const saved = new Map<string, string>()
  let end: ReturnType<typeof fetchOne>
  for (const raw of p.opts.urls) {
    end = fetchOne(raw, p.opts, ctx, probe, out, saved)
    if (end !== undefined) break
  }
  writeDownloads(ctx, saved)
  if (end === undefined) return out.result(0)
  return out.result('killed' in end ? killedStatus(end.killed) : end.code)
}
