import type { z } from 'zod'
import { contract, type Contract, type MethodOutput } from './contract.ts'
import { StoreError } from '../store/index.ts'
import { ApiError, errorBodyOf, type ApiErrorBody, type ApiErrorCode, type Envelope } from './envelope.ts'
import { fieldOf, fieldProblemOf, reason } from './error-reasons.ts'
import { storeErrorReason } from './refusals.ts'
import { isMethodName, type MethodName } from './method-names.ts'

/** What service.ts implements: each method receives its already-validated input. */
export type Handlers = {
  [M in MethodName]: (input: z.output<Contract[M]['input']>) => Promise<MethodOutput<M>> | MethodOutput<M>
}

/** `lessonId: expected a kebab-case lesson id …` — the field first, so the learner sees what to fix. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.')
      return path ? `${path}: ${issue.message}` : issue.message
    })
    .join('; ')
}

/** A refused input: every issue in English for the log, the first one as the learner's reason. */
export function invalidInput(method: string, error: z.ZodError): ApiErrorBody {
  const first = error.issues[0]!
  return {
    code: 'invalid_input',
    message: describeIssues(error),
    reason: reason('field_invalid', { method, field: fieldOf(first), ...fieldProblemOf(first) })
  }
}

/**
 * What a caller learns of an unexpected failure. The real error (with its stack) goes to the
 * host's log: its message may name files, queries or internals no caller should see.
 */
export const internalErrorMessage = 'internal error; the host logged the details'

function internalError(method: string, detail: unknown): Envelope<unknown> {
  console.error(`${method} failed:`, detail instanceof Error ? (detail.stack ?? detail.message) : detail)
  return { ok: false, error: { code: 'internal', message: internalErrorMessage } }
}

const apiCodeOfStoreError = {
  'not-found': 'not_found',
  conflict: 'invalid_input',
  invalid: 'invalid_input',
  'read-only': 'store_unavailable',
  'disk-full': 'store_unavailable',
  'schema-too-new': 'store_unavailable',
  busy: 'store_unavailable',
  io: 'store_unavailable'
} as const satisfies Record<StoreError['code'], ApiErrorCode>

/** A method's schemas, from either contract. */
export interface MethodSpec {
  input: z.ZodType
  output: z.ZodType
}

/**
 * The one pipeline every method of both contracts (main and classroom) runs through, whatever
 * the transport: validate the input, run the handler, validate the output (so an answer key or
 * a stray field can never leak past the contract), wrap in the envelope. A full disk or a
 * duplicate name is the caller's to see in words; anything unexpected is logged, not shown.
 */
export async function runMethod(
  method: string,
  spec: MethodSpec,
  handler: (input: unknown) => unknown,
  rawInput: unknown
): Promise<Envelope<unknown>> {
  const parsed = spec.input.safeParse(rawInput ?? {})
  if (!parsed.success) {
    return { ok: false, error: invalidInput(method, parsed.error) }
  }
  try {
    const value: unknown = await handler(parsed.data)
    const checked = spec.output.safeParse(value)
    if (!checked.success) {
      return internalError(method, `produced an invalid result: ${describeIssues(checked.error)}`)
    }
    return { ok: true, value: checked.data }
  } catch (error) {
    // An `internal` ApiError (a lab worker's crash) carries a stack: the log's, not the caller's.
    if (error instanceof ApiError && error.code !== 'internal')
      return { ok: false, error: errorBodyOf(error) }
    if (error instanceof StoreError) {
      const body: ApiErrorBody = {
        code: apiCodeOfStoreError[error.code],
        message: error.message,
        reason: storeErrorReason(error.code)
      }
      return { ok: false, error: body }
    }
    return internalError(method, error)
  }
}

/** The main contract's entry point: both transports call it for every main-contract method. */
export function dispatch(handlers: Handlers, method: string, rawInput: unknown): Promise<Envelope<unknown>> {
  if (!isMethodName(method)) {
    return Promise.resolve({
      ok: false,
      error: {
        code: 'unknown_method',
        message: `no API method named "${method}"`,
        reason: reason('method_unknown', { method })
      }
    })
  }
  return runMethod(method, contract[method], handlers[method] as (input: unknown) => unknown, rawInput)
}
