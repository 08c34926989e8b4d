/**
 * GNU grep 3.8 (Debian 12) for filtering command output: -i -v -c -E -o -w -n -e -F -q -h -H
 * -l, BRE/ERE via `posix-regex.ts`. Exit 0 when a line was selected, 1 when none, 2 on error.
 */

import type { Command } from '../command.ts'
import { getopt, has } from '../getopt.ts'
import { translateRegex } from '../posix-regex.ts'
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
    let sources: string[] = []
    for (const p of all) {
      if (has(opts, 'F')) {
        sources.push(p.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'))
        continue
      }
      const t = translateRegex(p, extended)
      if (!t.ok) return { stdout: '', stderr: `grep: ${t.message}\n`, exitCode: 2 }
      sources.push(t.source)
    }
    if (has(opts, 'w')) sources = sources.map((s) => `(?<![\\w])(?:${s})(?![\\w])`)
    if (has(opts, 'x')) sources = sources.map((s) => `^(?:${s})$`)
    const flags = has(opts, 'i') ? 'gi' : 'g'
    const regexes = sources.map((s) => new RegExp(s, flags))
    const invert = has(opts, 'v')

    const names = operands.length === 0 ? ['-'] : operands
    const showNames = has(opts, 'H') || (names.length > 1 && !has(opts, 'h'))
    let stdout = ''
    let stderr = ''
    let selectedAny = false
    for (const name of names) {
      let text: string
      if (name === '-') text = ctx.stdin
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
        const matches = matchesOf(regexes, line)
        const selected = invert
          ? matches.length === 0 && !regexes.some((re) => testEmpty(re, line))
          : matches.length > 0 || regexes.some((re) => testEmpty(re, line))
        if (!selected) return
        count++
        if (has(opts, 'c') || has(opts, 'q') || has(opts, 'l')) return
        const num = has(opts, 'n') ? `${i + 1}:` : ''
        if (has(opts, 'o')) {
          if (!invert) for (const m of matches) stdout += `${prefix}${num}${m}\n`
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

/** Non-empty matches in order, leftmost-first across all patterns, as `grep -o` prints them. */
function matchesOf(regexes: readonly RegExp[], line: string): string[] {
  const found: { at: number; text: string }[] = []
  let pos = 0
  while (pos <= line.length) {
    let best: { at: number; text: string } | undefined
    for (const re of regexes) {
      re.lastIndex = pos
      for (let m = re.exec(line); m; m = re.exec(line)) {
        if (m[0] !== '') {
          if (!best || m.index < best.at || (m.index === best.at && m[0].length > best.text.length))
            best = { at: m.index, text: m[0] }
          break
        }
        re.lastIndex = m.index + 1
        if (re.lastIndex > line.length) break
      }
    }
    if (!best) break
    found.push(best)
    pos = best.at + best.text.length
  }
  return found.map((f) => f.text)
}

/** Patterns like `^` or `x*` select every line although they match only the empty string. */
function testEmpty(re: RegExp, line: string): boolean {
  re.lastIndex = 0
  const m = re.exec(line)
  return m !== null && m[0] === ''
}
