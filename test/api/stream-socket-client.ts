import { WebSocket, type ClientOptions } from 'ws'
import type { ApiErrorBody } from '../../src-main/api/envelope.ts'
import {
  streamBearerPrefix,
  streamPath,
  streamProtocol,
  type StreamClientMessage,
  type StreamServerMessage
} from '../../src-main/api/streams.ts'

/** How a stream socket ended: the close code and reason the client saw. */
export interface Closed {
  code: number
  reason: string
}

/**
 * A page's stream socket as a test drives it (Node 20 has no global WebSocket): the `ws` client,
 * offering the protocol and the token the way the renderer does, recording every message.
 */
export interface StreamClient {
  socket: WebSocket
  messages: StreamServerMessage[]
  /** Resolves once the socket is open; rejects with the HTTP status when the upgrade is refused. */
  opened: Promise<void>
  closed: Promise<Closed>
  send: (message: StreamClientMessage | Record<string, unknown>) => void
  subscribe: (id: string, stream: string, input: unknown) => void
  unsubscribe: (id: string) => void
  /** The first message (already received or still to come) that matches. */
  next: (match: (message: StreamServerMessage) => boolean, what?: string) => Promise<StreamServerMessage>
  /** The events of one subscription so far. */
  events: (id: string) => unknown[]
  close: () => Promise<Closed>
}

export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string
  ) {
    super(`upgrade refused with ${status}: ${body}`)
  }
}

export function openStreamSocket(
  origin: string,
  token: string | null,
  options: { protocols?: string[]; clientOptions?: ClientOptions } = {}
): StreamClient {
  const protocols = options.protocols ?? [streamProtocol, ...(token ? [`${streamBearerPrefix}${token}`] : [])]
  const socket = new WebSocket(
    `${origin.replace(/^http/, 'ws')}${streamPath}`,
    protocols,
    options.clientOptions
  )
  const messages: StreamServerMessage[] = []
  const waiting: { match: (m: StreamServerMessage) => boolean; resolve: (m: StreamServerMessage) => void }[] =
    []
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as StreamServerMessage
    messages.push(message)
    for (const w of [...waiting]) {
      if (w.match(message)) {
        waiting.splice(waiting.indexOf(w), 1)
        w.resolve(message)
      }
    }
  })
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('unexpected-response', (_request, response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => (body += chunk.toString()))
      response.on('end', () => reject(new UpgradeRefused(response.statusCode ?? 0, body)))
    })
    socket.once('error', reject)
  })
  opened.catch(() => {})
  const closed = new Promise<Closed>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  )
  const send = (message: unknown): void => socket.send(JSON.stringify(message))
  return {
    socket,
    messages,
    opened,
    closed,
    send,
    subscribe: (id, stream, input) => send({ op: 'subscribe', id, stream, input }),
    unsubscribe: (id) => send({ op: 'unsubscribe', id }),
    next: (match, what = 'a matching message') =>
      new Promise((resolve, reject) => {
        const seen = messages.find(match)
        if (seen) return resolve(seen)
        const timer = setTimeout(
          () => reject(new Error(`no ${what}; got ${JSON.stringify(messages).slice(0, 2000)}`)),
          10_000
        )
        waiting.push({
          match,
          resolve: (message) => {
            clearTimeout(timer)
            resolve(message)
          }
        })
      }),
    events: (id) =>
      messages.filter((m) => m.id === id && 'event' in m).map((m) => (m as { event: unknown }).event),
    close: () => {
      socket.close(1000)
      return closed
    }
  }
}

/** The message ending subscription `id` with an error, when one came. */
export const errorOf =
  (id: string) =>
  (message: StreamServerMessage): message is { id: string; error: ApiErrorBody } =>
    message.id === id && 'error' in message

export const endOf =
  (id: string) =>
  (message: StreamServerMessage): boolean =>
    message.id === id && 'end' in message

export const eventOf =
  (id: string, type?: string) =>
  (message: StreamServerMessage): boolean =>
    message.id === id &&
    'event' in message &&
    (type === undefined || (message.event as { type?: string }).type === type)

/** Polls until `read` answers `expected`, for state the host changes a moment after a message. */
export async function eventually<T>(read: () => T, expected: T, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (read() !== expected) {
    if (Date.now() > until) throw new Error(`still ${String(read())}, expected ${String(expected)}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
