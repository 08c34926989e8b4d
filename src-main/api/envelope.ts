import { errorReasonSchema, type ErrorReason } from './error-reasons.ts'

/**
 * Machine-readable error codes; the renderer localises each one (a test holds it to that), the
 * message is for logs and authors.
 */
export const apiErrorCodes = [
  'invalid_input',
  'not_found',
  'unknown_method',
  'unauthorized',
  /** A valid token that may not do this (a learner on an instructor call or another learner's data). */
  'forbidden',
  /** The class has this lesson locked for now. */
  'lesson_locked',
  /** Too many attempts (joining a class); retry after the Retry-After header's seconds. */
  'rate_limited',
  'payload_too_large',
  /**
   * The learner asked the lab for what a prediction they have not locked in yet asks them to
   * foresee (tracing its packet); allowed once the prediction is made.
   */
  'prediction_pending',
  /** The lab stopped the request: over its CPU budget or memory; the lab goes on without it. */
  'lab_stopped',
  'store_unavailable',
  'internal'
] as const
export type ApiErrorCode = (typeof apiErrorCodes)[number]

export interface ApiErrorBody {
  code: ApiErrorCode
  message: string
  /** With `rate_limited`: seconds to wait (also sent as `Retry-After`). */
  retryAfterSeconds?: number
  /** What was wrong, as an id and parameters the renderer words in the learner's language. */
  reason?: ErrorReason
}

/** What every transport returns for every call. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody }

export class ApiError extends Error {
  readonly code: ApiErrorCode
  readonly retryAfterSeconds: number | undefined
  readonly reason: ErrorReason | undefined

  constructor(
    code: ApiErrorCode,
    message: string,
    extra: { reason?: ErrorReason; retryAfterSeconds?: number } = {}
  ) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.retryAfterSeconds = extra.retryAfterSeconds
    this.reason = extra.reason
  }
}

/**
 * The envelope's error for a refusal. A reason whose parameters do not fit its schema is left
 * out (and logged): the renderer then shows the English message rather than a broken sentence.
 */
export function errorBodyOf(error: ApiError): ApiErrorBody {
  const body: ApiErrorBody = { code: error.code, message: error.message }
  if (error.retryAfterSeconds !== undefined) body.retryAfterSeconds = error.retryAfterSeconds
  if (error.reason !== undefined) {
    const checked = errorReasonSchema.safeParse(error.reason)
    if (checked.success) body.reason = checked.data
    else console.error(`refusal "${error.message}" has an invalid reason:`, checked.error.message)
  }
  return body
}
