import { z } from 'zod'
import { describeIssues, internalErrorMessage, invalidInput, runMethod } from './dispatch.ts'
import { ApiError, errorBodyOf, type ApiErrorBody, type Envelope } from './envelope.ts'
import { reason } from './error-reasons.ts'
import {
  isStreamName,
  streamClientMessageSchema,
  streamContract,
  streamLimits,
  streamNames,
  type StreamHandler,
  type StreamHandlers,
  type StreamName,
  type StreamServerMessage,
  type StreamSpec,
  type Subscription
} from './streams.ts'

/** Where one subscription's messages go; the transport turns each into a wire message for its id. */
export interface StreamSink {
  event: (event: unknown) => void
  /** The stream failed; nothing follows. */
  error: (error: ApiErrorBody) => void
  /** The stream ended by itself; nothing follows. */
  end: () => void
}

const subscriptionSchema = z.custom<Subscription>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { unsubscribe?: unknown }).unsubscribe === 'function',
  'a stream handler must return { unsubscribe }'
)

function logStream(stream: string, what: string, detail: unknown): void {
  console.error(`${stream} ${what}:`, detail instanceof Error ? (detail.stack ?? detail.message) : detail)
}

/**
 * The one pipeline every subscription runs through, whatever the transport: the input is validated
 * and the handler started through `runMethod` (so refusals and failures answer exactly as a
 * method's would), then every event the handler emits is validated against the stream's schema
 * before it reaches the sink. An invalid event is logged, never sent, and ends the stream with an
 * `internal` error. The subscription handed back stops the handler once, however the stream ended.
 */
export async function runStream(
  stream: string,
  spec: StreamSpec,
  handler: StreamHandler<StreamName>,
  rawInput: unknown,
  sink: StreamSink
): Promise<Envelope<Subscription>> {
  let over = false
  let stopRequested = false
  let started: Subscription | null = null
  const stop = (): void => {
    stopRequested = true
    const running = started
    started = null
    if (!running) return
    try {
      running.unsubscribe()
    } catch (error) {
      logStream(stream, 'failed to stop', error)
    }
  }
  const finish = (message: () => void): void => {
    if (over) return
    over = true
    message()
    stop()
  }
  const context = {
    emit: (event: unknown): void => {
      if (over) return
      const checked = spec.event.safeParse(event)
      if (!checked.success) {
        logStream(stream, 'emitted an invalid event, not sent', describeIssues(checked.error))
        finish(() => sink.error({ code: 'internal', message: internalErrorMessage }))
        return
      }
      sink.event(checked.data)
    },
    end: (error?: ApiError): void => {
      if (error?.code === 'internal') logStream(stream, 'failed', error)
      finish(() =>
        error
          ? sink.error(
              error.code === 'internal'
                ? { code: 'internal', message: internalErrorMessage }
                : errorBodyOf(error)
            )
          : sink.end()
      )
    }
  }
  const answer = await runMethod(
    stream,
    { input: spec.input, output: subscriptionSchema },
    (input) => (handler as (input: unknown, c: typeof context) => unknown)(input, context),
    rawInput
  )
  if (!answer.ok) {
    over = true
    return answer as Envelope<Subscription>
  }
  started = answer.value as Subscription
  // The stream may have ended while it started (an invalid first event): stop it now.
  if (stopRequested || over) stop()
  return {
    ok: true,
    value: {
      unsubscribe: () => {
        over = true
        stop()
      }
    }
  }
}

/** Opens one subscription on a host's stream handlers; the caller has already been authorised. */
export function openStream(
  handlers: StreamHandlers,
  stream: string,
  rawInput: unknown,
  sink: StreamSink
): Promise<Envelope<Subscription>> {
  if (!isStreamName(stream)) {
    return Promise.resolve({
      ok: false,
      error: { code: 'unknown_method', message: `stream: no stream named "${stream.slice(0, 100)}"` }
    })
  }
  return runStream(
    stream,
    streamContract[stream],
    handlers[stream] as StreamHandler<StreamName>,
    rawInput,
    sink
  )
}

/**
 * A complete handler map from the streams a host serves; the others refuse every subscription
 * with `unknown_method` (the desktop window has no class dashboard, a host without a classroom
 * neither).
 */
export function streamHandlersOf(served: Partial<StreamHandlers>): StreamHandlers {
  const unserved =
    (stream: StreamName): StreamHandler<StreamName> =>
    () => {
      throw new ApiError('unknown_method', `stream: this host does not serve ${stream}`, {
        reason: reason('method_unknown', { method: stream })
      })
    }
  const map: Record<string, unknown> = Object.fromEntries(
    streamNames.map((stream) => [stream, served[stream] ?? unserved(stream)])
  )
  return map as StreamHandlers
}

export interface StreamConnectionOptions {
  /** Authorises and opens one subscription for this connection's caller. */
  open: (stream: string, input: unknown, sink: StreamSink) => Promise<Envelope<Subscription>>
  /** Sends one message to the client; the transport drops it once the connection is gone. */
  send: (message: StreamServerMessage) => void
  maxSubscriptions?: number
}

interface Entry {
  subscription: Subscription | null
  over: boolean
}

/**
 * One client connection's subscriptions (a page's WebSocket, a window's MessagePort): reads the
 * client's messages, keeps each subscription under its id, caps how many are open, and stops
 * every one of them when the connection closes. Transport-free, so both transports share it.
 */
export class StreamConnection {
  readonly #options: StreamConnectionOptions
  readonly #entries = new Map<string, Entry>()
  #closed = false

  constructor(options: StreamConnectionOptions) {
    this.#options = options
  }

  /** Subscriptions open (or opening) now. */
  get size(): number {
    return this.#entries.size
  }

  /**
   * Handles one message from the client. Returns why the connection should be closed when the
   * message is not the protocol at all (nothing to answer it with), else null.
   */
  receive(raw: unknown): string | null {
    if (this.#closed) return null
    const parsed = streamClientMessageSchema.safeParse(raw)
    if (!parsed.success) {
      const id = (raw as { id?: unknown } | null)?.id
      if (typeof id === 'string' && id.length > 0 && id.length <= 64) {
        this.#options.send({
          id,
          error: invalidInput('streams', parsed.error)
        })
        return null
      }
      return 'expected {"op":"subscribe"|"unsubscribe","id":…}'
    }
    const message = parsed.data
    if (message.op === 'unsubscribe') {
      const entry = this.#entries.get(message.id)
      // Already over (ended, failed): the client will hear or has heard that instead.
      if (!entry) return null
      this.#stop(message.id, entry)
      this.#options.send({ id: message.id, end: true })
      return null
    }
    const { id } = message
    if (this.#entries.has(id)) {
      this.#options.send({
        id,
        error: { code: 'invalid_input', message: `id: subscription "${id}" is already open` }
      })
      return null
    }
    const max = this.#options.maxSubscriptions ?? streamLimits.subscriptionsPerConnection
    if (this.#entries.size >= max) {
      this.#options.send({
        id,
        error: {
          code: 'invalid_input',
          message: `at most ${max} subscriptions may be open on one connection; unsubscribe one first`
        }
      })
      return null
    }
    const entry: Entry = { subscription: null, over: false }
    this.#entries.set(id, entry)
    const over = (message: StreamServerMessage): void => {
      if (entry.over) return
      entry.over = true
      if (this.#entries.get(id) === entry) this.#entries.delete(id)
      if (!this.#closed) this.#options.send(message)
    }
    const sink: StreamSink = {
      event: (event) => {
        if (!entry.over && !this.#closed) this.#options.send({ id, event })
      },
      error: (error) => over({ id, error }),
      end: () => over({ id, end: true })
    }
    this.#options.open(message.stream, message.input, sink).then(
      (answer) => {
        if (!answer.ok) return over({ id, error: answer.error })
        if (entry.over || this.#closed) answer.value.unsubscribe()
        else entry.subscription = answer.value
      },
      (error: unknown) => {
        logStream(message.stream, 'failed to open', error)
        over({ id, error: { code: 'internal', message: internalErrorMessage } })
      }
    )
    return null
  }

  /** The connection is gone: every subscription stops, nothing more is sent. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    for (const [id, entry] of [...this.#entries]) this.#stop(id, entry)
  }

  #stop(id: string, entry: Entry): void {
    entry.over = true
    if (this.#entries.get(id) === entry) this.#entries.delete(id)
    entry.subscription?.unsubscribe()
    entry.subscription = null
  }
}
