/**
 * GNU grep's regular expressions (BRE by default, ERE with -E) translated to JavaScript
 * RegExp source, with GNU's error messages for malformed patterns. In a BRE `\( \) \{ \} \| \+ \?`
 * are operators and the bare characters are literals; in an ERE it is the other way round.
 *
 * The source uses only what RE2 also reads (its lookbehinds included), so grep can match it in
 * linear time; only back-references (`\1`) need a backtracking engine.
 */

export type RegexResult =
  | {
      readonly ok: true
      readonly source: string
      /** The pattern has back-references (`\1`…`\9`), which only a backtracking engine matches. */
      readonly backReferences: boolean
      /**
       * `source` with every back-reference widened to any text: free of back-references, it
       * matches every line `source` matches (and maybe more), so a linear-time engine can rule
       * lines out before a backtracking one looks at them. Equal to `source` without them.
       */
      readonly widened: string
    }
  | { readonly ok: false; readonly message: string }

/** GNU's RE_DUP_MAX: a larger count in `{…}` is "Regular expression too big". */
const DUP_MAX = 0x7fff

const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  cntrl: '\\x00-\\x1f\\x7f',
  print: ' -~',
  graph: '!-~'
}

const fail = (message: string): RegexResult => ({ ok: false, message })

export function translateRegex(pattern: string, extended: boolean): RegexResult {
  let out = ''
  let depth = 0
  /** Groups in the order they open, and whether each has closed (a back-reference needs that). */
  const open: number[] = []
  let groups = 0
  const closed = new Set<number>()
  /** Where in `out` each back-reference's two characters start. */
  const refs: number[] = []
  /** True where `*` would be literal (start of the expression or of a group/alternative). */
  let atStart = true
  let i = 0
  const n = pattern.length
  while (i < n) {
    const c = pattern[i] ?? ''
    if (c === '\\') {
      if (i + 1 >= n) return fail('Trailing backslash')
      const d = pattern[i + 1] ?? ''
      i += 2
      const op = (): boolean => !extended && '(){}|+?'.includes(d)
      if (op()) {
        if (d === '(') {
          depth++
          open.push(++groups)
          out += '('
          atStart = true
          continue
        }
        if (d === ')') {
          if (depth === 0) return fail('Unmatched ) or \\)')
          depth--
          closed.add(open.pop() ?? 0)
          out += ')'
        } else if (d === '{') {
          const end = pattern.indexOf('\\}', i)
          if (end < 0) return fail('Unmatched \\{')
          const body = pattern.slice(i, end)
          if (!/^\d*(,\d*)?$/.test(body) || body === '' || body === ',')
            return fail('Invalid content of \\{\\}')
          if (body.split(',').some((n) => n !== '' && Number(n) > DUP_MAX))
            return fail('Regular expression too big')
          out += `{${body.startsWith(',') ? `0${body}` : body}}`
          i = end + 2
        } else if (d === '}') out += '\\}'
        else if (d === '|') {
          out += '|'
          atStart = true
          continue
        } else out += d
        atStart = false
        continue
      }
      // Word start and end: a boundary with no word character before it, or with one.
      if (d === '<') out += '(?<!\\w)\\b'
      else if (d === '>') out += '\\b(?<=\\w)'
      else if ('wWsSbB'.includes(d)) out += `\\${d}`
      else if (/[1-9]/.test(d)) {
        if (!closed.has(Number(d))) return fail('Invalid back reference')
        refs.push(out.length)
        out += `\\${d}`
      } else out += escapeLiteral(d)
      atStart = false
      continue
    }
    if (c === '[') {
      const r = bracket(pattern, i)
      if (!r.ok) return r
      out += r.source
      i = r.end
      atStart = false
      continue
    }
    if (c === '*') {
      out += atStart ? '\\*' : '*'
      i++
      continue
    }
    if (c === '^') {
      // An anchor only where an expression starts; a literal caret elsewhere (BRE).
      out += atStart || extended ? '^' : '\\^'
      i++
      continue
    }
    if (c === '$') {
      const end =
        i + 1 === n ||
        (!extended && pattern.startsWith('\\)', i + 1)) ||
        (!extended && pattern.startsWith('\\|', i + 1))
      out += end || extended ? '$' : '\\$'
      i++
      atStart = false
      continue
    }
    if (extended && '(){}|+?'.includes(c)) {
      if (c === '(') {
        depth++
        open.push(++groups)
        out += '('
        i++
        atStart = true
        continue
      }
      if (c === ')') {
        if (depth === 0) out += '\\)'
        else {
          depth--
          closed.add(open.pop() ?? 0)
          out += ')'
        }
      } else if (c === '|') {
        out += '|'
        i++
        atStart = true
        continue
      } else if (c === '{') {
        const m = /^\{(\d*)(,(\d*))?\}/.exec(pattern.slice(i))
        if (m && m[0] !== '{}' && m[0] !== '{,}' && !atStart) {
          if (Number(m[1] || 0) > DUP_MAX || Number(m[3] || 0) > DUP_MAX)
            return fail('Regular expression too big')
          out += m[1] === '' ? `{0${m[0].slice(1)}` : m[0]
          i += m[0].length
          atStart = false
          continue
        }
        out += '\\{'
      } else if (c === '}') out += '\\}'
      else out += atStart ? `\\${c}` : c
      i++
      atStart = false
      continue
    }
    out += c === '.' ? '.' : escapeLiteral(c)
    i++
    atStart = false
  }
  if (depth > 0) return fail('Unmatched ( or \\(')
  try {
    new RegExp(out)
  } catch {
    return fail('Invalid regular expression')
  }
  let widened = out
  for (const at of refs.reverse()) widened = `${widened.slice(0, at)}(?:[\\s\\S]*)${widened.slice(at + 2)}`
  return { ok: true, source: out, backReferences: refs.length > 0, widened }
}

function escapeLiteral(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c
}

/** A POSIX bracket expression starting at `start` (`[`): backslash is literal inside it. */
function bracket(
  p: string,
  start: number
): { ok: true; source: string; end: number } | { ok: false; message: string } {
  let i = start + 1
  let out = '['
  if (p[i] === '^') {
    out += '^'
    i++
  }
  let first = true
  for (;;) {
    if (i >= p.length) return { ok: false, message: 'Unmatched [, [^, [:, [., or [=' }
    const c = p[i] ?? ''
    if (c === ']' && !first) return { ok: true, source: `${out}]`, end: i + 1 }
    first = false
    if (c === '[' && (p[i + 1] === ':' || p[i + 1] === '.' || p[i + 1] === '=')) {
      const kind = p[i + 1] ?? ''
      const close = p.indexOf(`${kind}]`, i + 2)
      if (close < 0) return { ok: false, message: 'Unmatched [, [^, [:, [., or [=' }
      const name = p.slice(i + 2, close)
      if (kind === ':') {
        const cls = CLASSES[name]
        if (cls === undefined) return { ok: false, message: 'Invalid character class name' }
        out += cls
      } else out += escapeBracket(name)
      i = close + 2
      continue
    }
    out += escapeBracket(c)
    i++
  }
}

function escapeBracket(s: string): string {
  return s.replace(/[\\\][^]/g, (m) => `\\${m}`)
}
