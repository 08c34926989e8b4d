/**
 * GNU grep 3.8 (Debian 12) for filtering command output: -i -v -c -E -o -w -n -e -F -q -h -H
 * -l, BRE/ERE via `posix-regex.ts`. Exit 0 when a line was selected, 1 when none, 2 on error.
 *
 * Patterns run on RE2 (re2js), whose time grows with the input only, so no pattern can stall
 * the lab the way `(a+)+$` stalls a backtracking engine. Back-references (`\1`) exist only in
 * backtracking engines: such a pattern runs on RegExp, and only on lines RE2 could not rule
 * out with the back-references widened to any text.
 */

import { RE2JS } from 're2js'
import type { Command } from '../command.ts'
import { getopt, has } from '../getopt.ts'
import { translateRegex, type RegexResult } from '../posix-regex.ts'
import { readVirtualFile } from '../virtual-files.ts'
import { lines } from './coreutils.ts'

const USAGE = "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n"

const LONG = {
  'ignore-case': { key: 'i', arg: false },
  'invert-match': { key: 'v', arg: false },
  count: { key: 'c', arg: false },
  'extended-regexp': { key: 'E', arg: false },
  'fixed-strings': { key: 'F', arg: false },
  'basic-regexp': { key: 'G', arg: false },
  'only-matching': { key: 'o', arg: false },
  'word-regexp': { key: 'w', arg: false },
  'line-number': { key: 'n', arg: false },
  regexp: { key: 'e', arg: true },
  quiet: { key: 'q', arg: false },
  silent: { key: 'q', arg: false },
  'with-filename': { key: 'H', arg: false },
  'no-filename': { key: 'h', arg: false },
  'files-with-matches': { key: 'l', arg: false },
  'line-regexp': { key: 'x', arg: false }
} as const

export const grepCommand: Command = {
  name: 'grep',
  summary: 'print lines matching a pattern (-i -v -c -E -o -w -n)',
  run(argv, ctx) {
    const r = getopt('grep', argv, { short: 'ivcEFGowne:qhHlxs', long: LONG })
    if (!r.ok) return { stdout: '', stderr: `${r.message}\n${USAGE}`, exitCode: 2 }
    const opts = r.value
    const operands = [...opts.operands]
    const patterns = opts.options.filter((o) => o.key === 'e').map((o) => o.value ?? '')
    if (patterns.length === 0) {
      const first = operands.shift()
      if (first === undefined) return { stdout: '', stderr: USAGE, exitCode: 2 }
      patterns.push(first)
    }
    // A pattern with newlines is several patterns, as in GNU grep.
    const all = patterns.flatMap((p) => p.split('\n'))
    const extended = opts.options.reduce((e, o) => (o.key === 'E' ? true : o.key === 'G' ? false : e), false)
    const translated: Extract<RegexResult, { ok: true }>[] = []
    for (const p of all) {
      if (has(opts, 'F')) {
        const source = p.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')
        translated.push({ ok: true, source, backReferences: false, widened: source })
        continue
      }
      const t = translateRegex(p, extended)
      if (!t.ok) return { stdout: '', stderr: `grep: ${t.message}\n`, exitCode: 2 }
      translated.push(t)
    }
    const compiled = compilePatterns(translated, {
      ignoreCase: has(opts, 'i'),
      word: has(opts, 'w'),
      line: has(opts, 'x')
    })
    if (typeof compiled === 'string') return { stdout: '', stderr: `grep: ${compiled}\n`, exitCode: 2 }
    const invert = has(opts, 'v')

    const names = operands.length === 0 ? ['-'] : operands
    const showNames = has(opts, 'H') || (names.length > 1 && !has(opts, 'h'))
    let stdout = ''
    let stderr = ''
    let selectedAny = false
    for (const name of names) {
      let text: string
      if (name === '-' && ctx.stdinIsDirectory) {
        stderr += 'grep: (standard input): Is a directory\n'
        continue
      } else if (name === '-') text = ctx.stdin
      else {
        const f = readVirtualFile(ctx, name)
        if (!f.ok) {
          stderr += `grep: ${name}: ${f.error === 'EISDIR' ? 'Is a directory' : 'No such file or directory'}\n`
          continue
        }
        text = f.text
      }
      const label = name === '-' ? '(standard input)' : name
      const prefix = showNames ? `${label}:` : ''
      let count = 0
      lines(text).forEach((line, i) => {
        const selected = compiled.selects(line) !== invert
        if (!selected) return
        count++
        if (has(opts, 'c') || has(opts, 'q') || has(opts, 'l')) return
        const num = has(opts, 'n') ? `${i + 1}:` : ''
        if (has(opts, 'o')) {
          if (!invert) for (const m of compiled.matches(line)) stdout += `${prefix}${num}${m}\n`
        } else stdout += `${prefix}${num}${line}\n`
      })
      if (count > 0) selectedAny = true
      if (has(opts, 'l') && count > 0) stdout += `${label}\n`
      else if (has(opts, 'c') && !has(opts, 'q') && !has(opts, 'l')) stdout += `${prefix}${count}\n`
    }
    if (has(opts, 'q')) stdout = ''
    // An unreadable file makes the status 2 unless -q found a match (GNU grep's rule).
    const exitCode = stderr !== '' && !(has(opts, 'q') && selectedAny) ? 2 : selectedAny ? 0 : 1
    return { stdout, stderr, exitCode }
  }
}

interface Match {
  readonly at: number
  readonly text: string
}

/** One pattern, ready to find its first non-empty match at or after a position of a line. */
interface LineMatcher {
  /** Prepare for a new line; false when the pattern cannot match anywhere in it. */
  start(line: string): boolean
  /** The first non-empty match starting at or after `from` in the line `start` was given. */
  next(from: number): Match | undefined
}

interface CompiledPatterns {
  /** The line has a match of some pattern (an empty one too: `^` selects every line). */
  selects(line: string): boolean
  /** Non-empty matches in order, leftmost-first across all patterns, as `grep -o` prints them. */
  matches(line: string): string[]
}

/**
 * RE2 for every pattern without back-references: all of them in one alternation to select
 * lines, one matcher each for `-o`. `-w` needs "no word character after the match", a
 * lookahead RE2 has not, so its pattern takes that character (or the line's end) in the match
 * and reports group 1, the word itself. The message is grep's for a pattern its engine refuses.
 */
function compilePatterns(
  patterns: readonly Extract<RegexResult, { ok: true }>[],
  o: { ignoreCase: boolean; word: boolean; line: boolean }
): CompiledPatterns | string {
  const wrapLinear = (s: string): string =>
    o.line ? `^(?:${s})$` : o.word ? `(?<![\\w])(${s})(?:[^\\w]|$)` : s
  const wrapJs = (s: string): string => {
    const w = o.word ? `(?<![\\w])(?:${s})(?![\\w])` : s
    return o.line ? `^(?:${w})$` : w
  }
  const group = o.word && !o.line ? 1 : 0
  const re2 = (source: string): RE2JS =>
    RE2JS.compile(
      source,
      (o.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) | (source.includes('(?<') ? RE2JS.LOOKBEHINDS : 0)
    )
  const matchers: LineMatcher[] = []
  const linear: string[] = []
  try {
    for (const p of patterns) {
      if (p.backReferences) {
        matchers.push(
          new BacktrackingMatcher(
            new RegExp(wrapJs(p.source), o.ignoreCase ? 'gi' : 'g'),
            re2(wrapLinear(p.widened))
          )
        )
      } else {
        linear.push(wrapLinear(p.source))
        matchers.push(linearMatcher(re2(wrapLinear(p.source)), group))
      }
    }
    const any = linear.length === 0 ? undefined : re2(linear.map((s) => `(?:${s})`).join('|'))
    const jsOnly = matchers.filter((m) => m instanceof BacktrackingMatcher)
    return {
      selects: (line) => (any?.test(line) ?? false) || jsOnly.some((m) => m.selects(line)),
      matches: (line) => allMatches(matchers, line)
    }
  } catch {
    // RE2 refuses repetition counts above 1000 and programs that large; GNU's own limit is
    // 32767, and past it GNU says this.
    return 'Regular expression too big'
  }
}

function linearMatcher(re: RE2JS, group: number): LineMatcher {
  let m: ReturnType<RE2JS['matcher']> | undefined
  let length = 0
  return {
    start(line) {
      length = line.length
      m = re.matcher(line)
      return true
    },
    next(from) {
      for (let at = from; m && at <= length && m.find(at);) {
        const s = m.start(group)
        const e = m.end(group)
        if (e > s) return { at: s, text: m.group(group) ?? '' }
        at = s + 1
      }
      return undefined
    }
  }
}

/** RegExp for a pattern with back-references, after RE2 found its widened form in the line. */
class BacktrackingMatcher implements LineMatcher {
  #line = ''
  constructor(
    readonly re: RegExp,
    readonly widened: RE2JS
  ) {}

  selects(line: string): boolean {
    if (!this.widened.test(line)) return false
    this.re.lastIndex = 0
    return this.re.exec(line) !== null
  }

  start(line: string): boolean {
    this.#line = line
    return this.widened.test(line)
  }

  next(from: number): Match | undefined {
    const re = this.re
    re.lastIndex = from
    for (let m = re.exec(this.#line); m; m = re.exec(this.#line)) {
      if (m[0] !== '') return { at: m.index, text: m[0] }
      re.lastIndex = m.index + 1
      if (re.lastIndex > this.#line.length) break
    }
    return undefined
  }
}

/** Leftmost non-empty match across the patterns, the longest of those starting there; repeat. */
function allMatches(matchers: readonly LineMatcher[], line: string): string[] {
  const live = matchers.filter((m) => m.start(line))
  const found: string[] = []
  let pos = 0
  while (pos <= line.length) {
    let best: Match | undefined
    for (const m of live) {
      const hit = m.next(pos)
      if (hit && (!best || hit.at < best.at || (hit.at === best.at && hit.text.length > best.text.length)))
        best = hit
    }
    if (!best) break
    found.push(best.text)
    pos = best.at + best.text.length
  }
  return found
}
