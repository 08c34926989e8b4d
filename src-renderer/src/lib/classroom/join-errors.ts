import { ApiCallError, errorText } from '../api.ts'
import { m } from '../i18n/index.ts'

/**
 * What the join form says when the host refuses: the learner typed the code off a projector, so
 * a wrong code and a closed class each get their own plain sentence, not the host's wording.
 */
export function joinErrorText(error: unknown): string {
  if (!(error instanceof ApiCallError)) return errorText(error)
  switch (error.code) {
    case 'not_found':
      return error.reason?.id === 'seat_code_unknown' ? m.join_error_seat() : m.join_error_code()
    case 'unauthorized':
    case 'forbidden':
      return m.join_error_closed()
    case 'rate_limited':
      return m.join_error_rate_limited()
    case 'network':
      return m.join_error_unreachable()
    default:
      return errorText(error)
  }
}
