import type { z } from 'zod'
import { contract, type Contract, type MethodOutput } from './contract.ts'
import { ApiError, type Envelope } from './envelope.ts'
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

/**
 * The single entry point of both transports: validate the input, run the handler, validate the
 * output (so an answer key or a stray field can never leak past the contract), wrap in the envelope.
 */
export async function dispatch(
  handlers: Handlers,
  method: string,
  rawInput: unknown
): Promise<Envelope<unknown>> {
  if (!isMethodName(method)) {
    return { ok: false, error: { code: 'unknown_method', message: `no API method named "${method}"` } }
  }
  const spec = contract[method]
  const parsed = spec.input.safeParse(rawInput ?? {})
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid_input', message: describeIssues(parsed.error) } }
  }
  try {
    const handler = handlers[method] as (input: unknown) => unknown
    const value: unknown = await handler(parsed.data)
    const checked = spec.output.safeParse(value)
    if (!checked.success) {
      return internalError(method, `produced an invalid result: ${describeIssues(checked.error)}`)
    }
    return { ok: true, value: checked.data }
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: { code: error.code, message: error.message } }
    return internalError(method, error)
  }
}
