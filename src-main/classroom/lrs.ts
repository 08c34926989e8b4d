import xapiValidation from 'xapi-validation'
import { ApiError } from '../api/envelope.ts'

interface XapiWarning {
  path: string[]
  constructor: { name: string }
  typeName?: string
}

/** The package is CommonJS with `exports.default`; under Node's ESM interop that lands on `.default.default`. */
const validateStatement = ((xapiValidation as unknown as { default?: unknown }).default ??
  xapiValidation) as (statement: unknown) => XapiWarning[]

/** What is sent: any xAPI statement, checked by the validator; its id names it in errors. */
type Statement = { readonly id: string }

/** Statements per request: LRSs commonly cap a batch, and one huge body risks their size limit. */
const BATCH = 200

export interface LrsTarget {
  /** The LRS's xAPI endpoint; statements go to `<endpoint>/statements`. */
  endpoint: string
  username: string
  password: string
}

/** A type warning names the expected type; the others are named by their class (`RequiredWarning` → `required`). */
function describeWarning(warning: XapiWarning): string {
  const field = warning.path.join('.')
  if (warning.typeName) return `${field}: not a valid ${warning.typeName}`
  if (warning.constructor.name === 'NoIfiWarning')
    return `${field}: names no agent identifier (mbox, mbox_sha1sum, openid or account)`
  const kind = warning.constructor.name
    .replace(/Warning$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
  return `${field}: ${kind}`
}

/**
 * Checks every statement with the same xAPI validator the learner export is tested with, before
 * anything is sent: an LRS rejects a batch with one bad statement, and the batches sent before it
 * would leave a partial copy of the class there.
 */
export function checkStatements(statements: readonly Statement[]): void {
  for (const [index, statement] of statements.entries()) {
    const [first, ...rest] = validateStatement(statement)
    if (!first) continue
    const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : ''
    throw new ApiError(
      'invalid_input',
      `statements[${index}] (id ${statement.id}) is not a valid xAPI statement: ${describeWarning(first)}${more}; nothing was sent`
    )
  }
}

/**
 * Sends statements as the xAPI 1.0.3 spec's "Statement API" wants: POST a JSON array with Basic
 * credentials and the version header. Statement ids are hashes of their content, so resending is
 * harmless: the LRS keeps the first copy of each. Any non-2xx answer stops and is reported with the LRS's words.
 */
export async function sendToLrs(
  target: LrsTarget,
  statements: readonly Statement[]
): Promise<{ sent: number; status: number }> {
  checkStatements(statements)
  const url = `${target.endpoint.replace(/\/+$/, '')}/statements`
  const auth = Buffer.from(`${target.username}:${target.password}`, 'utf8').toString('base64')
  let status = 204
  let sent = 0
  for (let i = 0; i < statements.length; i += BATCH) {
    const batch = statements.slice(i, i + BATCH)
    let response: Response
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${auth}`,
          'content-type': 'application/json',
          'x-experience-api-version': '1.0.3'
        },
        body: JSON.stringify(batch),
        signal: AbortSignal.timeout(20_000)
      })
    } catch (error) {
      const reason =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error)
      throw new ApiError(
        'invalid_input',
        `endpoint: could not reach the LRS at ${url} (${reason}); ${sent} statements were sent before`
      )
    }
    status = response.status
    if (!response.ok) {
      const body = (await response.text()).slice(0, 300)
      throw new ApiError(
        'invalid_input',
        `endpoint: the LRS at ${url} answered ${response.status} ${response.statusText}${body ? `: ${body}` : ''}; ${sent} statements were sent before`
      )
    }
    await response.body?.cancel()
    sent += batch.length
  }
  return { sent, status }
}
