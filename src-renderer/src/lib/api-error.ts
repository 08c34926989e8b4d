import type { ApiErrorCode } from '../../../src-main/api/envelope.ts'
// The compiled messages themselves rather than i18n/index.ts: this module holds no reactive state,
// so it also runs outside Svelte's compiler (the tests that hold every code to a message).
import * as m from './i18n/paraglide/messages.js'

/** The host's codes, and `network`: the call never reached the host (or no answer came back). */
export type CallErrorCode = ApiErrorCode | 'network'

/**
 * An API failure on the renderer side. `message` is what the learner reads, in their language
 * (so even code that shows `error.message` shows a sentence of the app's); `detail` keeps the
 * host's own words, for logs and as the part of the sentence that names what to fix.
 */
export class ApiCallError extends Error {
  readonly code: CallErrorCode
  readonly detail: string
  readonly retryAfterSeconds: number | undefined

  constructor(code: CallErrorCode, detail: string, retryAfterSeconds?: number) {
    super(detail)
    this.name = 'ApiCallError'
    this.code = code
    this.detail = detail
    this.retryAfterSeconds = retryAfterSeconds
    this.message = errorText(this)
  }
}

/** Whether a call failed because Podnet Lab could not be reached, not because it said no. */
export function isConnectionLost(error: unknown): boolean {
  return error instanceof ApiCallError && error.code === 'network'
}

/**
 * One sentence per code. The host's detail is kept where it names what to fix (a field, a scenario
 * line, a name); it is left out where it only repeats the code or describes the host's insides.
 */
const sentences = {
  invalid_input: (e) => m.error_invalid_input({ detail: e.detail }),
  not_found: (e) => m.error_not_found({ detail: e.detail }),
  unknown_method: (e) => m.error_unknown_method({ detail: e.detail }),
  unauthorized: () => m.error_unauthorized(),
  forbidden: (e) => m.error_forbidden({ detail: e.detail }),
  lesson_locked: () => m.error_lesson_locked(),
  prediction_pending: () => m.error_prediction_pending(),
  // The host sends the wait with every refusal; a minute is only a fallback for one that did not.
  rate_limited: (e) => m.error_rate_limited({ seconds: Math.max(1, Math.ceil(e.retryAfterSeconds ?? 60)) }),
  payload_too_large: () => m.error_payload_too_large(),
  lab_stopped: () => m.error_lab_stopped(),
  store_unavailable: (e) => m.error_store_unavailable({ detail: e.detail }),
  internal: () => m.error_internal(),
  network: () => m.error_network()
} satisfies Record<CallErrorCode, (error: ApiCallError) => string>

/**
 * What the learner reads for anything a call threw, in the current language: an API failure as
 * its code's sentence, anything else (a fault in the page itself) as such, never as bare text.
 */
export function errorText(error: unknown): string {
  if (error instanceof ApiCallError) return sentences[error.code](error)
  return m.error_unexpected({ detail: error instanceof Error ? error.message : String(error) })
}
