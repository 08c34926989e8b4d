import {
  classroomCaller,
  isClassroomMethodName,
  learnerOpenMethods,
  learnerScopedMethods
} from '../api/classroom-contract.ts'
import { dispatch, type Handlers } from '../api/dispatch.ts'
import { ApiError, type Envelope } from '../api/envelope.ts'
import { Classroom, type Caller } from './classroom.ts'
import { sameSecret } from './secrets.ts'

export interface GatewayOptions {
  handlers: Handlers
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

const unauthorized = (message: string): GatewayAnswer => ({
  envelope: { ok: false, error: { code: 'unauthorized', message } }
})
const forbidden = (message: string): GatewayAnswer => ({
  envelope: { ok: false, error: { code: 'forbidden', message } }
})

/**
 * Every API call of a transport goes through here: who is calling (instructor token, learner
 * token, or nobody), whether they may call this method with this input, then the call itself.
 * The security rules of docs/classroom.md live in this one function so both transports share them.
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
      return member
        ? { kind: 'learner', member, token: bearer }
        : 'this learner token is not valid (the class was closed or deleted); join again with the class code'
    }
    return 'this token is not valid for this host'
  }

  async call(method: string, body: unknown, bearer: string | null, address: string): Promise<GatewayAnswer> {
    const caller = this.caller(bearer)
    if (typeof caller === 'string' && caller !== 'anonymous') return unauthorized(caller)
    const { classroom } = this.options

    if (classroom && isClassroomMethodName(method)) {
      const who = classroomCaller[method]
      if (who !== 'anyone') {
        if (caller === 'anonymous')
          return unauthorized(`${method} needs a token: the instructor's, or a learner's from class:join`)
        if (who === 'instructor' && caller.kind !== 'instructor')
          return forbidden(`${method} is for the instructor; a learner token cannot call it`)
        if (who === 'learner' && caller.kind !== 'learner')
          return forbidden(`${method} needs a learner token from class:join`)
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
    if (caller.kind === 'instructor') return { envelope: await dispatch(this.options.handlers, method, body) }

    if (!learnerMethods.has(method)) return forbidden(`${method} is not available to a learner token`)
    try {
      classroom!.authorizeLearnerCall(caller.member, body)
    } catch (error) {
      if (error instanceof ApiError)
        return { envelope: { ok: false, error: { code: error.code, message: error.message } } }
      throw error
    }
    const envelope = await dispatch(this.options.handlers, method, body)
    if (envelope.ok) classroom!.observe(caller.member, method, envelope.value)
    return { envelope }
  }
}
