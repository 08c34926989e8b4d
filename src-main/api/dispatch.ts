import type { z } from 'zod'
import { contract, type Contract, type MethodOutput } from './contract.ts'
import { StoreError } from '../store/index.ts'
import { ApiError, type ApiErrorBody, type ApiErrorCode, type Envelope } from './envelope.ts'
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
    return { ok: false, error: { code: 'invalid_input', message: describeIssues(parsed.error) } }
  }
  try {
    const value: unknown = await handler(parsed.data)
    const checked = spec.output.safeParse(value)
    if (!checked.success) {
      return internalError(method, `produced an invalid result: ${describeIssues(checked.error)}`)
    }
    return { ok: true, value: checked.data }
  } catch (error) {
    if (error instanceof ApiError) {
      const body: ApiErrorBody = { code: error.code, message: error.message }
      if (error.retryAfterSeconds !== undefined) body.retryAfterSeconds = error.retryAfterSeconds
      return { ok: false, error: body }
    }
    if (error instanceof StoreError)
      return { ok: false, error: { code: apiCodeOfStoreError[error.code], message: error.message } }
    return internalError(method, error)
  }
}

/** The main contract's entry point: both transports call it for every main-contract method. */
export function dispatch(handlers: Handlers, method: string, rawInput: unknown): Promise<Envelope<unknown>> {
  if (!isMethodName(method)) {
    return Promise.resolve({
      ok: false,
      error: { code: 'unknown_method', message: `no API method named "${method}"` }
    })
  }
  return runMethod(method, contract[method], handlers[method] as (input: unknown) => unknown, rawInput)
}
