import type { StoreError } from '../store/index.ts'
import { ApiError } from './envelope.ts'
import { reason, type ErrorReason } from './error-reasons.ts'

/** The refusal for a learner id with no profile, whichever method names it. */
export function unknownLearner(learnerId: string): ApiError {
  return new ApiError('not_found', `no learner profile with id "${learnerId}"`, {
    reason: reason('learner_unknown', { learnerId })
  })
}

/** A class method only a joined learner may call, called with the instructor's token. */
export function learnerTokenNeeded(method: string): ApiError {
  return new ApiError('forbidden', `${method} needs a learner token from class:join`, {
    reason: reason('learner_token_needed', { method })
  })
}

/** An instructor's method called with a learner token. */
export function instructorOnly(method: string): ApiError {
  return new ApiError('forbidden', `${method} is for the instructor; a learner token cannot call it`, {
    reason: reason('instructor_only', { method })
  })
}

const reasonOfStoreError = {
  'not-found': 'store_not_found',
  conflict: 'store_conflict',
  invalid: 'store_invalid',
  'read-only': 'store_read_only',
  'disk-full': 'store_disk_full',
  'schema-too-new': 'store_schema_too_new',
  busy: 'store_busy',
  io: 'store_io'
} as const satisfies Record<StoreError['code'], ErrorReason['id']>

/** A store failure's reason: the store's own sentence names files the learner need not read. */
export function storeErrorReason(code: StoreError['code']): ErrorReason {
  return reason(reasonOfStoreError[code], {})
}
