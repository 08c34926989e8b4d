/** Machine-readable error codes; the renderer localises them, the message is for logs and authors. */
export type ApiErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'unknown_method'
  | 'unauthorized'
  | 'payload_too_large'
  | 'store_unavailable'
  | 'internal'

export interface ApiErrorBody {
  code: ApiErrorCode
  message: string
}

/** What every transport returns for every call. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody }

export class ApiError extends Error {
  readonly code: ApiErrorCode

  constructor(code: ApiErrorCode, message: string) {
    super(message)
    this.name = 'ApiError'
    this.code = code
  }
}
