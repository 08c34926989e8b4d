import {
  classroomCaller,
  isClassroomMethodName,
  learnerOpenMethods,
  learnerScopedMethods
} from '../api/classroom-contract.ts'
import { dispatch, type Handlers } from '../api/dispatch.ts'
import { ApiError, errorBodyOf, type ApiErrorCode, type Envelope } from '../api/envelope.ts'
import { reason, type ErrorReason } from '../api/error-reasons.ts'
import { instructorOnly, learnerTokenNeeded } from '../api/refusals.ts'
import { openStream, type StreamSink } from '../api/stream-dispatch.ts'
import { isStreamName, subscribersOf, type StreamHandlers, type Subscription } from '../api/streams.ts'
import { Classroom, namedIn, type Caller } from './classroom.ts'
import { sameSecret } from './secrets.ts'

export interface GatewayOptions {
  handlers: Handlers
  /** Every stream's handler (api/streams.ts); the ones this host does not serve refuse. */
  streams: StreamHandlers
  /** Null when this host runs no classroom: only the main contract is served. */
  classroom: Classroom | null
  /**
   * The instructor's (or, without a classroom, the host's) token. Required even on loopback: any
   * web page the user visits can send requests to 127.0.0.1, so no caller is trusted for where
   * it calls from.
   */
  instructorToken: string
}

export interface GatewayAnswer {
  envelope: Envelope<unknown>
  /** Seconds for a `Retry-After` header (rate-limited joins). */
  retryAfter?: number
}

const learnerMethods = new Set<string>([...learnerScopedMethods, ...learnerOpenMethods])

const unauthorized = (message: string, why?: ErrorReason): GatewayAnswer => ({
  envelope: { ok: false, error: { code: 'unauthorized', message, ...(why ? { reason: why } : {}) } }
})

const seatMoved =
  'this learner token is not valid: its seat was opened in another browser or reset (or the class was deleted); get back in with the seat code'
const classClosed =
  'this learner token is not valid: the class was closed; join the current class with its code'
const forbidden = (error: ApiError): GatewayAnswer => ({
  envelope: { ok: false, error: errorBodyOf(error) }
})

/**
 * Every API call and every stream subscription of the web host goes through here: who is calling
 * (instructor token, learner token, or nobody), whether they may call this method or subscribe to
 * this stream with this input, then the call or the subscription itself. The security rules of
 * docs/classroom.md live in this one class so calls and streams share them.
 */
export class Gateway {
  constructor(private readonly options: GatewayOptions) {}

  /** Who a bearer token belongs to; a string is the reason it is refused. */
  caller(bearer: string | null): Caller | 'anonymous' | string {
    const { classroom, instructorToken } = this.options
    if (bearer === null || bearer === '') return 'anonymous'
    if (sameSecret(bearer, instructorToken)) return { kind: 'instructor' }
    if (classroom && Classroom.isLearnerToken(bearer)) {
      const member = classroom.identify(bearer)
      if (member === 'moved') return seatMoved
      if (member === 'closed') return classClosed
      return { kind: 'learner', member, token: bearer }
    }
    return 'this token is not valid for this host'
  }

  /**
   * Opens a subscription for the holder of `bearer`, by the stream's `subscribers` rule: the same
   * caller resolution as `call`, and for a learner the same checks as a learner-scoped method
   * (its own `learnerId`, which the input must name, and lessons open in its class).
   */
  async subscribe(
    stream: string,
    input: unknown,
    bearer: string | null,
    sink: StreamSink
  ): Promise<Envelope<Subscription>> {
    const refused = (code: ApiErrorCode, message: string): Envelope<Subscription> => ({
      ok: false,
      error: { code, message }
    })
    if (!isStreamName(stream))
      return refused('unknown_method', `stream: no stream named "${stream.slice(0, 100)}"`)
    const caller = this.caller(bearer)
    if (typeof caller === 'string' && caller !== 'anonymous') return refused('unauthorized', caller)
    const who = subscribersOf(stream)
    if (who !== 'anyone') {
      if (caller === 'anonymous')
        return refused(
          'unauthorized',
          `${stream} needs a token: the instructor's, or a learner's from class:join`
        )
      if (caller.kind === 'instructor') {
        try {
          this.options.classroom?.authorizeInstructorCall(stream, input)
        } catch (error) {
          if (error instanceof ApiError) return { ok: false, error: errorBodyOf(error) }
          throw error
        }
      }
      if (caller.kind === 'learner') {
        if (who === 'instructor')
          return refused(
            'forbidden',
            `${stream} is for the instructor; a learner token cannot subscribe to it`
          )
        if (namedIn(input).learnerIds.length === 0)
          return refused(
            'forbidden',
            `learnerId: a learner token subscribes to ${stream} with its own learnerId`
          )
        try {
          this.options.classroom!.authorizeLearnerCall(caller.member, input)
        } catch (error) {
          if (error instanceof ApiError) return { ok: false, error: errorBodyOf(error) }
          throw error
        }
      }
    }
    return openStream(this.options.streams, stream, input, sink)
  }

  async call(method: string, body: unknown, bearer: string | null, address: string): Promise<GatewayAnswer> {
    const caller = this.caller(bearer)
    if (typeof caller === 'string' && caller !== 'anonymous')
      return unauthorized(
        caller,
        caller === seatMoved
          ? reason('learner_seat_moved', {})
          : caller === classClosed
            ? reason('learner_class_closed', {})
            : undefined
      )
    const { classroom } = this.options

    if (classroom && isClassroomMethodName(method)) {
      const who = classroomCaller[method]
      if (who !== 'anyone') {
        if (caller === 'anonymous')
          return unauthorized(`${method} needs a token: the instructor's, or a learner's from class:join`)
        if (who === 'instructor' && caller.kind !== 'instructor') return forbidden(instructorOnly(method))
        if (who === 'learner' && caller.kind !== 'learner') return forbidden(learnerTokenNeeded(method))
      }
      const asCaller: Caller = caller === 'anonymous' ? { kind: 'instructor' } : caller
      const envelope = await classroom.call(
        method,
        body,
        who === 'anyone' ? { kind: 'instructor' } : asCaller,
        address
      )
      return envelope.ok || envelope.error.retryAfterSeconds === undefined
        ? { envelope }
        : { envelope, retryAfter: envelope.error.retryAfterSeconds }
    }

    if (caller === 'anonymous') {
      return unauthorized(
        this.options.classroom
          ? 'this host needs a token: the instructor URL, or join a class with its code'
          : 'this host needs its token: open the link with ?token=… it printed in the terminal that started it'
      )
    }
    if (caller.kind === 'instructor') {
      try {
        classroom?.authorizeInstructorCall(method, body)
      } catch (error) {
        if (error instanceof ApiError) return { envelope: { ok: false, error: errorBodyOf(error) } }
        throw error
      }
      return { envelope: await dispatch(this.options.handlers, method, body) }
    }

    if (!learnerMethods.has(method)) return forbidden(instructorOnly(method))
    try {
      classroom!.authorizeLearnerCall(caller.member, body)
    } catch (error) {
      if (error instanceof ApiError) return { envelope: { ok: false, error: errorBodyOf(error) } }
      throw error
    }
    const envelope = await dispatch(this.options.handlers, method, body)
    if (envelope.ok) classroom!.observe(caller.member, method, envelope.value, body)
    return { envelope }
  }
}
