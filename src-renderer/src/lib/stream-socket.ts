import type { ApiErrorBody } from '../../../src-main/api/envelope.ts'
import type {
  streamBearerPrefix,
  streamCloseCodes,
  StreamClientMessage,
  streamPath,
  streamProtocol,
  StreamServerMessage
} from '../../../src-main/api/streams.ts'

/**
 * The page's stream connection as the app shows it: `idle` (no subscription, no socket),
 * `connecting` (the first time), `open`, `reconnecting` (lost; subscriptions wait and are
 * renewed once it is back), `unauthorized` (the host refused the token; the subscriptions ended
 * with an `unauthorized` error).
 */
export type StreamConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'unauthorized'

// The host's constants (api/streams.ts), written out because the renderer imports only types;
// the annotations make a change on the host side a type error here.
const protocol: typeof streamProtocol = 'podnet-streams.v1'
const bearerPrefix: typeof streamBearerPrefix = 'bearer.'
const path: typeof streamPath = '/api/streams'
const unauthorizedClose: (typeof streamCloseCodes)['unauthorized'] = 4401

/** The part of the browser's WebSocket this client uses; tests pass the `ws` package's. */
export interface SocketLike {
  readonly readyState: number
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

export type SocketFactory = (url: string, protocols: string[]) => SocketLike

export interface StreamSocketOptions {
  /** The socket's address, e.g. `ws://127.0.0.1:4317/api/streams`. */
  url: () => string
  /** The token to offer (`bearer.<token>`); read at every (re)connect. */
  token: () => string | null
  socket?: SocketFactory
  /** The host refused the token (close code 4401), with its reason. */
  onUnauthorized?: (reason: string) => void
  /** Waits between attempts after a loss: doubling from `initialMs` up to `maxMs`, with jitter. */
  backoff?: { initialMs: number; maxMs: number }
  /** How long a socket without subscriptions stays open, in case the page subscribes again. */
  idleCloseMs?: number
}

interface Entry {
  stream: string
  input: unknown
  onEvent: (event: unknown) => void
  onError: (error: ApiErrorBody) => void
  onEnd: (() => void) | undefined
}

const OPEN = 1

/** `ws://host/api/streams` for a page served from `http://host/…` (wss for https). */
export function streamSocketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`
}

/**
 * One WebSocket per page for every subscription the page holds (api/streams.ts's protocol):
 * opened lazily on the first subscribe, reopened with backoff after a loss, every open
 * subscription renewed on the new socket (streams such as the dashboard start again with a
 * snapshot, so nothing is missed), closed a while after the last unsubscribe.
 */
export class StreamSocket {
  readonly #options: StreamSocketOptions
  readonly #entries = new Map<string, Entry>()
  readonly #listeners = new Set<(state: StreamConnectionState) => void>()
  #socket: SocketLike | null = null
  #state: StreamConnectionState = 'idle'
  #failures = 0
  #lastId = 0
  #retryTimer: ReturnType<typeof setTimeout> | null = null
  #idleTimer: ReturnType<typeof setTimeout> | null = null

  constructor(options: StreamSocketOptions) {
    this.#options = options
  }

  get state(): StreamConnectionState {
    return this.#state
  }

  /** Calls `listener` with the state now and at every change; returns how to stop. */
  onState(listener: (state: StreamConnectionState) => void): () => void {
    this.#listeners.add(listener)
    listener(this.#state)
    return () => this.#listeners.delete(listener)
  }

  subscribe(
    stream: string,
    input: unknown,
    onEvent: (event: unknown) => void,
    onError: (error: ApiErrorBody) => void,
    onEnd?: () => void
  ): () => void {
    const id = String(++this.#lastId)
    this.#entries.set(id, { stream, input, onEvent, onError, onEnd })
    this.#clearIdle()
    if (this.#socket?.readyState === OPEN) this.#send({ op: 'subscribe', id, stream, input })
    else if (!this.#socket && this.#retryTimer === null) this.#connect()
    return () => {
      if (!this.#entries.delete(id)) return
      if (this.#socket?.readyState === OPEN) this.#send({ op: 'unsubscribe', id })
      if (this.#entries.size === 0) this.#idleSoon()
    }
  }

  /** The page's token changed (a learner joined): reconnect with it, keeping the subscriptions. */
  reconnect(): void {
    this.#drop()
    this.#failures = 0
    if (this.#entries.size > 0) this.#connect()
    else this.#setState('idle')
  }

  #connect(): void {
    this.#clearRetry()
    const token = this.#options.token()
    const protocols = token ? [protocol, `${bearerPrefix}${token}`] : [protocol]
    let socket: SocketLike
    try {
      socket = (this.#options.socket ?? browserSocket)(this.#options.url(), protocols)
    } catch {
      // A token that cannot travel as a protocol value is no token of this host.
      return this.#unauthorized('this token is not valid for this host')
    }
    this.#socket = socket
    this.#setState(this.#failures === 0 && this.#state !== 'reconnecting' ? 'connecting' : 'reconnecting')
    socket.onopen = () => {
      if (this.#socket !== socket) return
      this.#failures = 0
      this.#setState('open')
      for (const [id, entry] of this.#entries)
        this.#send({ op: 'subscribe', id, stream: entry.stream, input: entry.input })
      if (this.#entries.size === 0) this.#idleSoon()
    }
    socket.onmessage = (event) => {
      if (this.#socket === socket && typeof event.data === 'string') this.#receive(event.data)
    }
    socket.onerror = () => {}
    socket.onclose = (event) => {
      if (this.#socket !== socket) return
      this.#socket = null
      if (event.code === unauthorizedClose) return this.#unauthorized(event.reason)
      if (this.#entries.size === 0) return this.#setState('idle')
      this.#retry()
    }
  }

  #receive(text: string): void {
    let message: StreamServerMessage
    try {
      message = JSON.parse(text) as StreamServerMessage
    } catch {
      return
    }
    const entry = this.#entries.get(message.id)
    // Events still in flight for a subscription the page already gave up.
    if (!entry) return
    if ('event' in message) return entry.onEvent(message.event)
    this.#entries.delete(message.id)
    if ('error' in message) entry.onError(message.error)
    else entry.onEnd?.()
    if (this.#entries.size === 0) this.#idleSoon()
  }

  #retry(): void {
    const { initialMs, maxMs } = this.#options.backoff ?? { initialMs: 500, maxMs: 30_000 }
    const delay = Math.min(maxMs, initialMs * 2 ** this.#failures)
    this.#failures++
    this.#setState('reconnecting')
    // Jitter: after a host restart, a room full of pages does not come back in the same instant.
    this.#retryTimer = setTimeout(() => this.#connect(), delay * (0.5 + Math.random() / 2))
  }

  #unauthorized(reason: string): void {
    this.#drop()
    const ended = [...this.#entries.values()]
    this.#entries.clear()
    this.#setState('unauthorized')
    for (const entry of ended) entry.onError({ code: 'unauthorized', message: reason })
    this.#options.onUnauthorized?.(reason)
  }

  #idleSoon(): void {
    this.#clearIdle()
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null
      if (this.#entries.size > 0) return
      this.#drop()
      this.#setState('idle')
    }, this.#options.idleCloseMs ?? 10_000)
  }

  /** Forgets the socket (and any pending attempt) without touching the subscriptions. */
  #drop(): void {
    this.#clearRetry()
    this.#clearIdle()
    const socket = this.#socket
    this.#socket = null
    if (socket) socket.close(1000)
  }

  #send(message: StreamClientMessage): void {
    this.#socket?.send(JSON.stringify(message))
  }

  #setState(state: StreamConnectionState): void {
    if (state === this.#state) return
    this.#state = state
    for (const listener of [...this.#listeners]) listener(state)
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer)
    this.#retryTimer = null
  }

  #clearIdle(): void {
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer)
    this.#idleTimer = null
  }
}

function browserSocket(url: string, protocols: string[]): SocketLike {
  return new WebSocket(url, protocols) as unknown as SocketLike
}
