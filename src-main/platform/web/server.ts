import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs'
import type { IncomingMessage, IncomingHttpHeaders, Server } from 'node:http'
import { isIPv6 } from 'node:net'
import { hostname as osHostname, networkInterfaces } from 'node:os'
import fastifyStatic from '@fastify/static'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { internalErrorMessage, type Handlers } from '../../api/dispatch.ts'
import type { ApiErrorCode, Envelope } from '../../api/envelope.ts'
import { PRESENCE_CHECK_MS } from '../../api/presence.ts'
import { streamHandlersOf } from '../../api/stream-dispatch.ts'
import { streamLimits, type StreamHandlers } from '../../api/streams.ts'
import type { Classroom } from '../../classroom/classroom.ts'
import { Gateway } from '../../classroom/gateway.ts'
import { newInstructorToken } from '../../classroom/secrets.ts'
import { contentSecurityPolicy } from '../csp.ts'
import { writePrivateFile } from './private-file.ts'
import { serveStreamSockets, type Refusal } from './stream-socket.ts'

/**
 * How long a client may take and how many sockets it may hold. A client that opens sockets and
 * never finishes its request would otherwise keep each one (and a file descriptor) forever.
 */
export interface WebHostLimits {
  /** From the connection, or the end of the previous request, to the end of a request's headers. */
  headersTimeoutMs: number
  /** From the first byte of a request to the end of its body; a stalled upload is cut off after it. */
  requestTimeoutMs: number
  /** How long an idle keep-alive connection waits for its next request. */
  keepAliveTimeoutMs: number
  /**
   * A socket with no traffic either way for this long is closed. Stream sockets (WebSockets) are
   * kept by their heartbeat instead (api/streams.ts).
   */
  idleTimeoutMs: number
  /** Sockets one client address may hold at once: a class of 60 behind one NAT, six each, fits. */
  connectionsPerAddress: number
  /** Sockets the host holds at once, well below the process's file descriptor limit. */
  connections: number
  /** How often stream sockets are pinged; one that missed the previous ping is closed. */
  streamHeartbeatMs: number
}

export const defaultWebHostLimits: WebHostLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 12_000,
  keepAliveTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  connectionsPerAddress: 400,
  connections: 4_000,
  streamHeartbeatMs: streamLimits.heartbeatMs
}

/** How often Node looks for requests past their header or request timeout. */
const TIMEOUT_CHECK_MS = 1_000

export interface WebHostOptions {
  handlers: Handlers
  /**
   * The service's streams (api/streams.ts) served at `/api/streams`; the classroom's own stream,
   * `class:events`, comes with `classroom`. Streams given by neither refuse every subscription.
   */
  streams?: Partial<StreamHandlers>
  /** The built renderer (out/renderer). */
  rendererDir: string
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** Request bodies above this many bytes get 413. */
  bodyLimit?: number
  /** A fixed token (tests); otherwise the one in `tokenFile`, or a new one for this start. */
  token?: string
  /** Where the host keeps its token between starts (mode 0600), e.g. `<data dir>/host-token`. */
  tokenFile?: string
  /** Replace the token in `tokenFile` with a new one: every link handed out before stops working. */
  rotateToken?: boolean
  /**
   * Names the host answers to besides loopback, this machine's addresses and its host name (a
   * DNS name pointing at it, or a reverse proxy's). `Host` headers naming anything else are refused.
   */
  publicHosts?: readonly string[]
  limits?: Partial<WebHostLimits>
  /**
   * Serve a classroom (classroom-contract.ts): learners join with a code and call with their own
   * tokens. A learner without a token on a class host is sent to the join form.
   */
  classroom?: Classroom
  classroomMode?: boolean
}

export interface WebHost {
  /** The address to open, with `?token=`. */
  url: string
  /** The bare origin, e.g. http://127.0.0.1:4321 */
  origin: string
  token: string
  close: () => Promise<void>
}

const statusByCode: Record<ApiErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  lesson_locked: 403,
  prediction_pending: 409,
  rate_limited: 429,
  not_found: 404,
  unknown_method: 404,
  payload_too_large: 413,
  lab_stopped: 422,
  internal: 500,
  store_unavailable: 503
}

/**
 * The `WWW-Authenticate` realm of a 401. The renderer reads it to tell a window opened without
 * the host's link (it says where to find it) from a learner who has not joined the class yet.
 */
export const hostRealm = 'podnet-lab'
export const classHostRealm = 'podnet-lab-class'

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\./.test(host)
}

/** `Host`: a name, an IPv4 address or a bracketed IPv6 address, with an optional port. */
const hostHeaderPattern = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::\d{1,5})?$/

/**
 * The host name of a `Host` header or a `--public-host`, as browsers write it: lower case, IPv4
 * in dotted decimal (`127.1` is 127.0.0.1), IPv6 compressed and without brackets, no trailing
 * dot. Null when it is not a host name at all (user info, paths, spaces).
 */
export function normalHostname(value: string): string | null {
  if (!hostHeaderPattern.test(value)) return null
  let name: string
  try {
    name = new URL(`http://${value}`).hostname
  } catch {
    return null
  }
  if (name.startsWith('[')) name = name.slice(1, -1)
  return name.endsWith('.') ? name.slice(0, -1) : name
}

/** A name or address given on the command line (`--public-host`, `--host`): IPv6 without brackets too. */
export function normalPublicHost(name: string): string | null {
  return normalHostname(isIPv6(name) ? `[${name}]` : name)
}

const wildcardHosts = new Set(['0.0.0.0', '::'])

/** How long the machine's addresses and host name are trusted before they are read again. */
const MACHINE_NAMES_MAX_AGE_MS = 5_000

function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name)
}

export interface HostNameSources {
  /** os.networkInterfaces(): read again every few seconds, since addresses change (sleep, Wi-Fi). */
  interfaces?: () => Record<string, readonly { address: string }[] | undefined>
  hostname?: () => string
  now?: () => number
}

/**
 * The names this host answers to: loopback, the machine's current interface addresses, its host
 * name and `<host name>.local`, the address it was bound to and any public names it was given. A
 * page on another name that reaches the host (DNS rebinding) sends that name in `Host`.
 */
export class AllowedHosts {
  readonly #fixed = new Set<string>()
  readonly #sources: Required<HostNameSources>
  #machine = new Set<string>()
  #readAt = -Infinity

  constructor(bindHost: string, publicHosts: readonly string[], sources: HostNameSources = {}) {
    this.#sources = {
      interfaces: sources.interfaces ?? networkInterfaces,
      hostname: sources.hostname ?? osHostname,
      now: sources.now ?? Date.now
    }
    for (const name of [bindHost, ...publicHosts]) {
      const normal = normalPublicHost(name)
      if (normal !== null && !wildcardHosts.has(normal)) this.#fixed.add(normal)
    }
  }

  /** Whether a `Host` header names this host (the port, if any, is not looked at). */
  allows(hostHeader: string | undefined): boolean {
    const name = hostHeader === undefined ? null : normalHostname(hostHeader)
    if (name === null) return false
    if (isLoopbackName(name) || this.#fixed.has(name)) return true
    // The machine's names are read again every few seconds, so an address given up is soon
    // refused, and at most once a second for a name not found, so a flood of them costs little.
    const age = this.#sources.now() - this.#readAt
    if (age >= MACHINE_NAMES_MAX_AGE_MS || (age >= 1_000 && !this.#machine.has(name))) this.#readMachine()
    return this.#machine.has(name)
  }

  #readMachine(): void {
    const names = new Set<string>()
    for (const entries of Object.values(this.#sources.interfaces())) {
      for (const entry of entries ?? []) {
        const normal = normalPublicHost(entry.address)
        if (normal !== null) names.add(normal)
      }
    }
    const own = normalHostname(this.#sources.hostname())
    if (own !== null) {
      names.add(own)
      names.add(`${own}.local`)
    }
    this.#machine = names
    this.#readAt = this.#sources.now()
  }
}

/**
 * Whether `Origin` is the page's own origin on this host: the same host and port the request was
 * sent to (`Host`). The scheme is the Origin's own, since a TLS proxy may stand in front.
 */
export function isOwnOrigin(originHeader: string, hostHeader: string): boolean {
  try {
    const origin = new URL(originHeader)
    if (origin.protocol !== 'http:' && origin.protocol !== 'https:') return false
    return new URL(`${origin.protocol}//${hostHeader}`).origin === origin.origin
  } catch {
    return false
  }
}

/** Tokens the host writes itself: 32 base64url characters, never shorter. */
const tokenPattern = /^[A-Za-z0-9_-]{32,}$/

/**
 * The web host's token, kept in `path` (mode 0600) so the link it printed keeps working after a
 * restart. Created on first use; `rotate` replaces it, and every link handed out before stops
 * working. A file that does not hold a token is replaced too.
 */
export function hostToken(path: string, options: { rotate?: boolean } = {}): string {
  if (!options.rotate && existsSync(path)) {
    const text = readFileSync(path, 'utf8').trim()
    if (tokenPattern.test(text)) {
      if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600)
      return text
    }
  }
  const token = newInstructorToken()
  writePrivateFile(path, `${token}\n`)
  return token
}

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers['authorization']
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : null
}

/** A request header as one string; a repeated header is treated as missing. */
function headerOf(request: { headers: IncomingHttpHeaders }, name: string): string | undefined {
  const value = request.headers[name]
  return typeof value === 'string' ? value : undefined
}

/**
 * The host's checks of who sent a request, before it is read: it must name this host in `Host`
 * (DNS rebinding), and when it may change something (a POST, a stream socket) and carries an
 * `Origin`, that must be the host's own. Null when the request passes.
 */
function requestRefusal(
  request: { headers: IncomingHttpHeaders },
  allowedHosts: AllowedHosts,
  checkOrigin: boolean
): Refusal | null {
  const host = headerOf(request, 'host')
  if (!allowedHosts.allows(host)) {
    const name = (host === undefined ? '' : (normalHostname(host) ?? host)).slice(0, 100)
    return {
      status: 403,
      code: 'forbidden',
      message:
        host === undefined
          ? 'this host answers only requests that name it in a Host header'
          : `this host does not answer to the name "${name}" (Host header); a page that reaches it under ` +
            `another name may be trying DNS rebinding. To serve this name, start the host with --public-host ${name}`
    }
  }
  if (!checkOrigin) return null
  const origin = headerOf(request, 'origin')
  if (request.headers['origin'] !== undefined && (origin === undefined || !isOwnOrigin(origin, host!))) {
    return {
      status: 403,
      code: 'forbidden',
      message: `a page from ${String(origin ?? 'another origin').slice(0, 100)} may not call this host; only its own pages may`
    }
  }
  return null
}

/** Drops sockets beyond the caps: per client address, and for the whole host. */
function capConnections(server: Server, limits: WebHostLimits): void {
  server.maxConnections = limits.connections
  const open = new Map<string, number>()
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? ''
    const count = (open.get(address) ?? 0) + 1
    if (count > limits.connectionsPerAddress) {
      socket.destroy()
      return
    }
    open.set(address, count)
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1
      if (left > 0) open.set(address, left)
      else open.delete(address)
    })
  })
}

/** Logs what went wrong on the host; the caller only learns that something did. */
function logInternal(what: string, error: unknown): void {
  console.error(`web host: ${what}:`, error instanceof Error ? (error.stack ?? error.message) : error)
}

function buildApp(options: WebHostOptions, token: string, limits: WebHostLimits): FastifyInstance {
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 9 * 1024 * 1024,
    logger: false,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: TIMEOUT_CHECK_MS }
  })
  capConnections(app.server, limits)
  const realm = options.classroomMode ? classHostRealm : hostRealm
  const allowedHosts = new AllowedHosts(options.host ?? '127.0.0.1', options.publicHosts ?? [])

  const sendEnvelope = (reply: FastifyReply, envelope: Envelope<unknown>): FastifyReply => {
    const status = envelope.ok ? 200 : statusByCode[envelope.error.code]
    if (status === 401) reply.header('WWW-Authenticate', `Bearer realm="${realm}"`)
    return reply.code(status).type('application/json').send(envelope)
  }
  const refuse = (reply: FastifyReply, status: number, code: ApiErrorCode, message: string): FastifyReply =>
    reply.code(status).type('application/json').send({ ok: false, error: { code, message } })

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('Content-Security-Policy', contentSecurityPolicy)
    reply.header('X-Content-Type-Options', 'nosniff')
    reply.header('Referrer-Policy', 'no-referrer')
    return payload
  })

  // Before any route, static files included, and before a body is read. Stream sockets (an
  // upgrade, which never reaches these hooks) are checked by the same requestRefusal.
  app.addHook('onRequest', async (request, reply) => {
    const readOnly = request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS'
    const refusal = requestRefusal(request, allowedHosts, !readOnly)
    if (refusal) return refuse(reply, refusal.status, refusal.code, refusal.message)
    if (readOnly) return
    const type = headerOf(request, 'content-type')
    const mediaType = type?.split(';')[0]!.trim().toLowerCase()
    if (mediaType !== 'application/json') {
      return refuse(
        reply,
        415,
        'invalid_input',
        type === undefined
          ? `${request.method} bodies must be application/json; this request had no content-type`
          : `${request.method} bodies must be application/json, not "${type.slice(0, 100)}"`
      )
    }
  })

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    if (error.statusCode === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendEnvelope(reply, {
        ok: false,
        error: { code: 'payload_too_large', message: 'request body is larger than the host accepts' }
      })
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return refuse(reply, error.statusCode, 'invalid_input', error.message)
    }
    logInternal(`${request.method} ${request.url}`, error)
    return sendEnvelope(reply, { ok: false, error: { code: 'internal', message: internalErrorMessage } })
  })

  app.setNotFoundHandler((request, reply) => {
    const message = request.url.startsWith('/api/')
      ? `no API method at ${request.method} ${request.url}; methods are POST /api/<domain:verb>`
      : `not found: ${request.url}`
    return sendEnvelope(reply, { ok: false, error: { code: 'unknown_method', message } })
  })

  const classroom = options.classroom ?? null
  const streams = streamHandlersOf({ ...options.streams, ...classroom?.streams() })
  const gateway = new Gateway({ handlers: options.handlers, streams, classroom, instructorToken: token })

  app.post<{ Params: { method: string } }>('/api/:method', async (request, reply) => {
    const { method } = request.params
    // The idle limit is for clients gone quiet. While the host is still answering (a file dialog
    // the instructor keeps open for minutes) the silence is the host's own.
    const socket = request.raw.socket
    socket.setTimeout(0)
    const answer = await gateway
      .call(method, request.body, bearerOf(request), request.ip)
      .finally(() => socket.setTimeout(limits.idleTimeoutMs))
    if (answer.retryAfter !== undefined) reply.header('Retry-After', String(answer.retryAfter))
    const { envelope } = answer
    // dispatch() already hides what failed; the classroom's own handlers may not have.
    if (
      !envelope.ok &&
      envelope.error.code === 'internal' &&
      envelope.error.message !== internalErrorMessage
    ) {
      logInternal(`POST /api/${method}`, envelope.error.message)
      return sendEnvelope(reply, { ok: false, error: { code: 'internal', message: internalErrorMessage } })
    }
    return sendEnvelope(reply, envelope)
  })

  // Every page's subscriptions share one WebSocket (api/streams.ts); checked like a POST.
  const streamSockets = serveStreamSockets({
    server: app.server,
    refuse: (request: IncomingMessage) => requestRefusal(request, allowedHosts, true),
    invalidToken: (bearer) => {
      const caller = gateway.caller(bearer)
      return typeof caller === 'string' && caller !== 'anonymous' ? caller : null
    },
    subscribe: (stream, input, bearer, sink) => gateway.subscribe(stream, input, bearer, sink),
    heartbeatMs: limits.streamHeartbeatMs
  })
  // Open streams would keep the server from closing, and their handlers running: end them first.
  app.addHook('preClose', async () => {
    await streamSockets.close()
  })

  if (classroom) {
    const ticker = setInterval(() => classroom.tick(), PRESENCE_CHECK_MS)
    ticker.unref()
    app.addHook('preClose', async () => clearInterval(ticker))
  }

  if (!existsSync(options.rendererDir)) {
    throw new Error(`renderer not built: ${options.rendererDir} is missing (run npm run build)`)
  }
  void app.register(fastifyStatic, { root: options.rendererDir, index: 'index.html', wildcard: true })
  return app
}

/**
 * Serves the contract as `POST /api/<method>`, its streams on one WebSocket per page at
 * `/api/streams`, and the built renderer, on loopback unless told otherwise. Every API call needs the host's token, on loopback too: any web page the learner
 * visits can send requests to 127.0.0.1.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1'
  const token =
    options.token ??
    (options.tokenFile !== undefined
      ? hostToken(options.tokenFile, { rotate: options.rotateToken === true })
      : newInstructorToken())
  const app = buildApp(options, token, { ...defaultWebHostLimits, ...options.limits })
  try {
    await app.listen({ host, port: options.port ?? 0 })
  } catch (error) {
    // Nothing may keep running for a host that never started (its timers, the stream sockets).
    await app.close()
    throw error
  }
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('web host did not bind a TCP port')
  const shownHost = host.includes(':') ? `[${host}]` : host
  const origin = `http://${shownHost}:${address.port}`
  if (options.classroom) {
    options.classroom.origin = origin
    options.classroom.instructorToken = token
  }
  return {
    origin,
    url: `${origin}/?token=${token}`,
    token,
    close: () => app.close()
  }
}
