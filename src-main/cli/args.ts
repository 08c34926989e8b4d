import { parseArgs } from 'node:util'
import type { ParseArgsConfig } from 'node:util'

export type ParsedArgs<T extends NonNullable<ParseArgsConfig['options']>> =
  | {
      readonly ok: true
      readonly values: ReturnType<
        typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>
      >['values']
      readonly positionals: string[]
    }
  | { readonly ok: false; readonly message: string }

/**
 * `node:util` parseArgs with its exceptions turned into a message: a usage error must name
 * what was wrong (`Unknown option '--foo'`), never print a stack.
 */
export function parseCli<T extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: T
): ParsedArgs<T> {
  try {
    const r = parseArgs({ args: [...args], options, allowPositionals: true, strict: true })
    return { ok: true, values: r.values, positionals: r.positionals }
  } catch (e) {
    const message = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e)
    return { ok: false, message }
  }
}
