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
}

/** What every transport returns for every call. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody }

export class ApiError extends Error {
  readonly code: ApiErrorCode
  readonly retryAfterSeconds: number | undefined

  constructor(code: ApiErrorCode, message: string, retryAfterSeconds?: number) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.retryAfterSeconds = retryAfterSeconds
  }
}
