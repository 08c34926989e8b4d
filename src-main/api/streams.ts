import { z } from 'zod'
import {
  classEventSchema,
  classIdSchema,
  type classroomCaller,
  type ClassroomMethodName
} from './classroom-contract.ts'
import { labRefSchema, learnerIdSchema, targetNameSchema, terminalIdSchema } from './contract.ts'
import { lessonSessionViewSchema } from './lesson-view.schema.ts'
import type { ApiError, ApiErrorBody } from './envelope.ts'

/**
 * Streams: the contract's second kind beside request/response. A subscriber names a stream and
 * its input; the host sends it events until the subscriber unsubscribes, the stream ends by
 * itself, or it fails. Long-running things are streams: the classroom's live dashboard now, a
 * live `tcpdump`, `conntrack -E` or `ip monitor` in a lab later.
 *
 * Every stream has a name (`domain:verb`), a zod schema for its subscription input, one for the
 * events it emits, and who may subscribe. The host validates the input before the stream starts
 * and **every event before it leaves the host**: an event that does not match its schema is
 * logged, never sent, and ends the stream with an `internal` error.
 *
 * ## Wire protocol
 *
 * Both transports carry the same JSON messages: a WebSocket at `/api/streams` on the web host
 * (one per page, shared by every subscription of the page), a MessagePort per window in Electron.
 *
 * Client → host:
 * - `{"op":"subscribe","id":"7","stream":"class:events","input":{"classId":"cls_…"}}`
 * - `{"op":"unsubscribe","id":"7"}`
 *
 * Host → client, each naming the subscription it belongs to:
 * - `{"id":"7","event":{…}}` — one event, valid under the stream's event schema;
 * - `{"id":"7","error":{"code":"forbidden","message":"…"}}` — refused or failed; nothing follows;
 * - `{"id":"7","end":true}` — over: ended by the stream, or the answer to `unsubscribe`.
 *
 * Ids are the client's (1 to 64 characters); an id may be reused once its subscription is over.
 *
 * ## The web host's socket
 *
 * `GET /api/streams` with `Upgrade: websocket`, and `Sec-WebSocket-Protocol` listing
 * `podnet-streams.v1` and, when the page holds a token, `bearer.<token>` (browsers cannot set an
 * `Authorization` header on a WebSocket, and a token in the URL would end up in logs and
 * history). The host answers with `podnet-streams.v1`. `Host` and `Origin` are checked exactly as
 * for POSTs, at the upgrade (403). The token is checked once the socket is open, and again with
 * every heartbeat: an unknown or revoked token closes the socket with code 4401 and the reason,
 * which a page can read (it cannot read the status of a refused upgrade). Each subscription is
 * authorised on its own, by the same rules as calls (see `subscribers`).
 *
 * The host pings every 15 s and closes a socket that did not answer the previous ping. Close
 * codes: 1001 the host is closing; 1008 a message that is not the protocol; 1009 a message over
 * 64 KiB; 1013 the client reads too slowly; 4401 the token is not (or no longer) valid.
 */

export const streamNames = ['class:events', 'lab:terminal'] as const
export type StreamName = (typeof streamNames)[number]

export function isStreamName(name: string): name is StreamName {
  return (streamNames as readonly string[]).includes(name)
}

/**
 * Who may subscribe, in the classroom's words (`classroomCaller`):
 * - `instructor`: the instructor's (or the single-user host's) token only;
 * - `learner`: a learner token too, with its own `learnerId` in the input and only for lessons
 *   open in its class (the rules of `learnerScopedMethods`); the instructor always may;
 * - `anyone`: no token needed.
 * In Electron the app's own window may subscribe to every stream, as it may call every method.
 */
export type StreamSubscribers = (typeof classroomCaller)[ClassroomMethodName]

export interface StreamSpec {
  input: z.ZodType
  event: z.ZodType
  subscribers: StreamSubscribers
}

export const streamContract = {
  /**
   * The instructor's live dashboard of one class (docs/classroom.md): first a `snapshot` event
   * carrying `class:dashboard`'s full answer, then deltas as learners work (apply them, or
   * subscribe again for a fresh snapshot). Never ends by itself.
   */
  'class:events': {
    /** `anonymous`: the projector's feed, with no name, seat code or student id in it. */
    input: z.strictObject({ classId: classIdSchema, anonymous: z.boolean().optional() }),
    event: classEventSchema,
    subscribers: 'instructor'
  },
  /**
   * A live terminal on one target of a lesson's lab or a free-play world. First `opened` with the
   * id that `lab:terminalInput` and `lab:terminalInterrupt` name; then what the terminal prints
   * between lines (a capture's packets as other terminals make traffic) and `ended` when a line
   * that waited is over; in a lesson `ended` carries the session, since the line may have passed
   * a task with no request on its way (a `timeout` that ran out). Unsubscribing closes the terminal and stops its captures; the stream
   * fails with `lab_stopped` when the lab is reset or its worker replaced. Only the learner who
   * opened it may type into it: its id is refused for anyone else, as an unknown one is.
   */
  'lab:terminal': {
    input: z.strictObject({ learnerId: learnerIdSchema, lab: labRefSchema, on: targetNameSchema }),
    event: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('opened'), terminalId: terminalIdSchema }),
      z.strictObject({ kind: z.literal('output'), stream: z.enum(['stdout', 'stderr']), text: z.string() }),
      z.strictObject({
        kind: z.literal('ended'),
        exitCode: z.number().int(),
        session: lessonSessionViewSchema.optional()
      })
    ]),
    subscribers: 'learner'
  }
} as const satisfies Record<StreamName, StreamSpec>

/** Who may subscribe to a stream (widened, so a caller checks every kind, not today's only). */
export function subscribersOf(stream: StreamName): StreamSubscribers {
  return streamContract[stream].subscribers
}

export type StreamContract = typeof streamContract
export type StreamInput<S extends StreamName> = z.input<StreamContract[S]['input']>
export type StreamEvent<S extends StreamName> = z.output<StreamContract[S]['event']>

/** What a stream handler hands back: how to stop it. Called once, whatever ended the stream. */
export interface Subscription {
  unsubscribe: () => void
}

export interface StreamContext<S extends StreamName> {
  /** Sends one event to the subscriber, once it passed the stream's event schema. */
  emit: (event: z.input<StreamContract[S]['event']>) => void
  /** Ends the stream from the host's side: the subscriber hears `end`, or the error given. */
  end: (error?: ApiError) => void
}

/** Serves one stream; `input` is already validated. Throw an ApiError to refuse the subscription. */
export type StreamHandler<S extends StreamName> = (
  input: z.output<StreamContract[S]['input']>,
  context: StreamContext<S>
) => Subscription | Promise<Subscription>

/** Every stream's handler, as `Handlers` holds every method's. */
export type StreamHandlers = { [S in StreamName]: StreamHandler<S> }

/** The `Sec-WebSocket-Protocol` naming this protocol; the host answers with it. */
export const streamProtocol = 'podnet-streams.v1'
/** The `Sec-WebSocket-Protocol` carrying the page's token: `bearer.<token>`. */
export const streamBearerPrefix = 'bearer.'
/** The web host's stream socket. */
export const streamPath = '/api/streams'

/** WebSocket close codes the host uses beyond the standard ones. */
export const streamCloseCodes = {
  /** The token is unknown, or no longer valid (the class was closed): do not reconnect with it. */
  unauthorized: 4401
} as const

export const streamLimits = {
  /** Subscriptions one connection may hold at once: several terminals and a dashboard fit. */
  subscriptionsPerConnection: 32,
  /** How often the host pings each socket; one that missed the previous ping is closed. */
  heartbeatMs: 15_000,
  /** Largest message a client may send. */
  messageBytes: 64 * 1024,
  /** Bytes queued for a client that reads too slowly before its socket is closed. */
  bufferedBytes: 8 * 1024 * 1024
} as const

const subscriptionIdSchema = z.string().min(1).max(64)

export const streamClientMessageSchema = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('subscribe'),
    id: subscriptionIdSchema,
    stream: z.string().max(100),
    input: z.unknown().optional()
  }),
  z.strictObject({ op: z.literal('unsubscribe'), id: subscriptionIdSchema })
])
export type StreamClientMessage = z.output<typeof streamClientMessageSchema>

export type StreamServerMessage =
  { id: string; event: unknown } | { id: string; error: ApiErrorBody } | { id: string; end: true }

/**
 * The typed subscribe both clients offer (the Electron preload's `window.podnet.subscribe` and the
 * renderer's WebSocket client): events in order, then at most one `onError` or `onEnd`. The
 * returned function unsubscribes; calling it after the stream is over does nothing.
 */
export type StreamSubscribe = <S extends StreamName>(
  stream: S,
  input: StreamInput<S>,
  onEvent: (event: StreamEvent<S>) => void,
  onError: (error: ApiErrorBody) => void,
  onEnd?: () => void
) => () => void

/** What the Electron preload adds to `window.podnet` beside the contract's methods. */
export interface StreamBridge {
  subscribe: StreamSubscribe
}
