/**
 * glibc `getopt_long` as the real tools use it: clustered short options (`-ivc`), arguments
 * attached or separate (`-n5`, `-n 5`), long options with `=` or a separate argument and
 * unambiguous prefixes, `--` ending options, and GNU argument permutation (operands may come
 * before options). Error texts are glibc's; each tool adds its own trailer.
 */

export interface OptionSpec {
  /** Short option letters; a following `:` means the option takes an argument (getopt syntax). */
  readonly short: string
  /** Long option name → the short letter (or key) it stands for and whether it takes an argument. */
  readonly long?: Readonly<Record<string, { readonly key: string; readonly arg: boolean }>>
  /** Stop at the first operand (POSIXLY_CORRECT / `+` optstring), as ping and kubectl exec need. */
  readonly stopAtOperand?: boolean
}

export interface ParsedOptions {
  /** Options in command-line order, each as its short letter or long key. */
  readonly options: readonly { readonly key: string; readonly value: string | undefined }[]
  readonly operands: readonly string[]
}

export type GetoptResult =
  { readonly ok: true; readonly value: ParsedOptions } | { readonly ok: false; readonly message: string }

export function getopt(prog: string, argv: readonly string[], spec: OptionSpec): GetoptResult {
  const options: { key: string; value: string | undefined }[] = []
  const operands: string[] = []
  const takesArg = (c: string): boolean | undefined => {
    const i = spec.short.indexOf(c)
    if (i < 0 || c === ':') return undefined
    return spec.short[i + 1] === ':'
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? ''
    if (a === '--') {
      operands.push(...argv.slice(i + 1))
      break
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      const name = a.slice(2, eq < 0 ? undefined : eq)
      const long = spec.long ?? {}
      const exact = long[name]
      const candidates = exact ? [name] : Object.keys(long).filter((k) => k.startsWith(name))
      if (candidates.length === 0) return { ok: false, message: `${prog}: unrecognized option '${a}'` }
      if (candidates.length > 1) {
        const list = candidates.map((c) => `'--${c}'`).join(' ')
        return {
          ok: false,
          message: `${prog}: option '${a.slice(0, eq < 0 ? undefined : eq)}' is ambiguous; possibilities: ${list}`
        }
      }
      const full = candidates[0] ?? name
      const def = long[full]
      if (!def) return { ok: false, message: `${prog}: unrecognized option '${a}'` }
      if (def.arg) {
        if (eq >= 0) options.push({ key: def.key, value: a.slice(eq + 1) })
        else if (i + 1 < argv.length) options.push({ key: def.key, value: argv[++i] })
        else return { ok: false, message: `${prog}: option '--${full}' requires an argument` }
      } else {
        if (eq >= 0) return { ok: false, message: `${prog}: option '--${full}' doesn't allow an argument` }
        options.push({ key: def.key, value: undefined })
      }
      continue
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j] ?? ''
        const arg = takesArg(c)
        if (arg === undefined) return { ok: false, message: `${prog}: invalid option -- '${c}'` }
        if (!arg) {
          options.push({ key: c, value: undefined })
          continue
        }
        if (j + 1 < a.length) options.push({ key: c, value: a.slice(j + 1) })
        else if (i + 1 < argv.length) options.push({ key: c, value: argv[++i] })
        else return { ok: false, message: `${prog}: option requires an argument -- '${c}'` }
        break
      }
      continue
    }
    operands.push(a)
    if (spec.stopAtOperand) {
      operands.push(...argv.slice(i + 1))
      break
    }
  }
  return { ok: true, value: { options, operands } }
}

/** Last value given for an option, as tools that let a later flag override an earlier one. */
export function lastValue(parsed: ParsedOptions, key: string): string | undefined {
  let v: string | undefined
  for (const o of parsed.options) if (o.key === key) v = o.value
  return v
}

export function has(parsed: ParsedOptions, key: string): boolean {
  return parsed.options.some((o) => o.key === key)
}
