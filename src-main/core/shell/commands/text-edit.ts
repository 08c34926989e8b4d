/**
 * The two tools tutorials write and edit files with: `printf` (GNU coreutils 9.1) and `sed`
 * (GNU sed 4.9) with the `s`, `d` and `p` commands, line and regex addresses, `-n`, `-E` and
 * `-i`, so a manifest can be written and changed inside the lab.
 */

import type { Command, CommandContext, CommandOutput } from '../command.ts'
import { getopt } from '../getopt.ts'
import { RE2JS } from 're2js'
import { translateRegex } from '../posix-regex.ts'
import { readVirtualFile } from '../virtual-files.ts'

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  '"': '"'
}

/** Backslash escapes as printf's format (and `%b` arguments) read them. */
function unescape(text: string): { text: string; stop: boolean } {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c !== '\\' || i + 1 >= text.length) {
      out += c
      continue
    }
    const n = text[++i]!
    if (n === 'c') return { text: out, stop: true }
    if (n in ESCAPES) out += ESCAPES[n]
    else if (n === 'x' && /[0-9a-fA-F]/.test(text[i + 1] ?? '')) {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 1))![0]
      out += String.fromCharCode(parseInt(hex, 16))
      i += hex.length
    } else if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(text.slice(n === '0' ? i + 1 : i))?.[0] ?? ''
      out += String.fromCharCode(parseInt(oct || '0', 8))
      i += n === '0' ? oct.length : oct.length - 1
    } else out += `\\${n}`
  }
  return { text: out, stop: false }
}

export const printfCommand: Command = {
  name: 'printf',
  summary: "write formatted text, e.g. printf 'apiVersion: v1\\nkind: Service\\n' > svc.yaml",
  run(argv) {
    const [format, ...args] = argv
    if (format === undefined)
      return {
        stdout: '',
        stderr: "printf: missing operand\nTry 'printf --help' for more information.\n",
        exitCode: 1
      }
    let stdout = ''
    let stderr = ''
    let next = 0
    const spec = /%([-+ #0]*)(\d*)(?:\.(\d+))?([sbdiuxXoc%])/g
    do {
      let used = false
      let last = 0
      for (const m of format.matchAll(spec)) {
        const lit = unescape(format.slice(last, m.index))
        stdout += lit.text
        if (lit.stop) return { stdout, stderr, exitCode: stderr === '' ? 0 : 1 }
        last = m.index + m[0].length
        const [, flags = '', width = '', precision, conv] = m
        if (conv === '%') {
          stdout += '%'
          continue
        }
        used = true
        const arg = args[next++]
        let text: string
        if (conv === 's')
          text = precision === undefined ? (arg ?? '') : (arg ?? '').slice(0, Number(precision))
        else if (conv === 'b') {
          const b = unescape(arg ?? '')
          text = b.text
          if (b.stop) return { stdout: stdout + text, stderr, exitCode: stderr === '' ? 0 : 1 }
        } else if (conv === 'c') text = (arg ?? '').slice(0, 1)
        else {
          const value = arg === undefined || arg === '' ? 0 : Number(arg)
          if (!Number.isInteger(value)) {
            stderr += `printf: '${arg ?? ''}': expected a numeric value\n`
            text = '0'
          } else
            text =
              conv === 'x'
                ? value.toString(16)
                : conv === 'X'
                  ? value.toString(16).toUpperCase()
                  : conv === 'o'
                    ? value.toString(8)
                    : String(value)
        }
        const w = Number(width || 0)
        text = flags.includes('-')
          ? text.padEnd(w)
          : text.padStart(w, flags.includes('0') && conv !== 's' ? '0' : ' ')
        stdout += text
      }
      const tail = unescape(format.slice(last))
      stdout += tail.text
      if (tail.stop || !used) break
    } while (next < args.length)
    return { stdout, stderr, exitCode: stderr === '' ? 0 : 1 }
  }
}

type Address = { kind: 'line'; n: number } | { kind: 'last' } | { kind: 'regex'; re: RE2JS }
type SedCommand =
  | { address?: Address; op: 'd' }
  | { address?: Address; op: 'p' }
  | {
      address?: Address
      op: 's'
      re: RE2JS
      replacement: string
      global: boolean
      nth: number
      print: boolean
    }

class SedError extends Error {}

/** Parses a sed script of `s`, `d` and `p` commands separated by `;` or newlines. */
function parseScript(script: string, expression: number, extended: boolean): SedCommand[] {
  const commands: SedCommand[] = []
  let i = 0
  const fail = (why: string): never => {
    throw new SedError(`sed: -e expression #${expression}, char ${i}: ${why}\n`)
  }
  // RE2, as for grep: no pattern a learner types can stall the lab, so back-references are out.
  const regex = (source: string, ignoreCase: boolean): RE2JS => {
    const r = translateRegex(source, extended)
    if (!r.ok) throw new SedError(`sed: -e expression #${expression}, char ${i}: ${r.message}\n`)
    if (r.backReferences)
      throw new SedError(
        `sed: -e expression #${expression}, char ${i}: the lab's sed takes no back-references in a pattern\n`
      )
    return RE2JS.compile(
      r.source,
      (ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) | (r.source.includes('(?<') ? RE2JS.LOOKBEHINDS : 0)
    )
  }
  /** Text up to an unescaped `delim`; `\delim` stands for the delimiter itself. */
  const until = (delim: string, what: string): string => {
    let out = ''
    while (i < script.length && script[i] !== delim) {
      if (script[i] === '\\' && script[i + 1] === delim) {
        out += delim
        i += 2
      } else if (script[i] === '\\' && i + 1 < script.length) {
        out += script.slice(i, i + 2)
        i += 2
      } else out += script[i++]
    }
    if (i >= script.length) fail(what)
    i++
    return out
  }
  while (i < script.length) {
    while (/[\s;]/.test(script[i] ?? '')) i++
    if (i >= script.length) break
    let address: Address | undefined
    if (/\d/.test(script[i]!)) {
      const n = /^\d+/.exec(script.slice(i))![0]
      i += n.length
      address = { kind: 'line', n: Number(n) }
    } else if (script[i] === '$') {
      i++
      address = { kind: 'last' }
    } else if (script[i] === '/') {
      i++
      address = { kind: 'regex', re: regex(until('/', 'unterminated address regex'), false) }
    }
    const op = script[i++]
    if (op === 'd' || op === 'p')
      commands.push(
        op === 'd' ? { ...(address ? { address } : {}), op } : { ...(address ? { address } : {}), op }
      )
    else if (op === 's') {
      const delim = script[i++]
      if (delim === undefined || delim === '\n' || delim === '\\') fail("unterminated `s' command")
      const pattern = until(delim!, "unterminated `s' command")
      const replacement = until(delim!, "unterminated `s' command")
      const flags = /^[gpI0-9]*/.exec(script.slice(i))![0]
      i += flags.length
      commands.push({
        ...(address ? { address } : {}),
        op: 's',
        re: regex(pattern, flags.includes('I')),
        replacement,
        global: flags.includes('g'),
        nth: Number(/\d+/.exec(flags)?.[0] ?? 1),
        print: flags.includes('p')
      })
    } else fail(op === undefined ? 'missing command' : `unknown command: \`${op}'`)
    while (script[i] === ' ') i++
    if (i < script.length && script[i] !== ';' && script[i] !== '\n') fail(`extra characters after command`)
  }
  return commands
}

/** `&` is the match, `\\1`…`\\9` its groups, `\\n` a newline; any other escaped character itself. */
function expand(replacement: string, group: (n: number) => string): string {
  let out = ''
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!
    if (c === '&') out += group(0)
    else if (c === '\\' && i + 1 < replacement.length) {
      const n = replacement[++i]!
      out += /\d/.test(n) ? group(Number(n)) : n === 'n' ? '\n' : n === 't' ? '\t' : n
    } else out += c
  }
  return out
}

function substitute(line: string, c: Extract<SedCommand, { op: 's' }>): { text: string; done: boolean } {
  const m = c.re.matcher(line)
  let count = 0
  let out = ''
  let last = 0
  let done = false
  while (m.find()) {
    count++
    if (count >= c.nth && (c.global || count === c.nth)) {
      out +=
        line.slice(last, m.start()) +
        expand(c.replacement, (n) => (n <= m.groupCount() ? (m.group(n) ?? '') : ''))
      last = m.end()
      done = true
      if (!c.global) break
    }
  }
  return { text: out + line.slice(last), done }
}

function runScript(text: string, commands: readonly SedCommand[], quiet: boolean): string {
  const lines = text.split('\n')
  const endsWithNewline = lines[lines.length - 1] === ''
  if (endsWithNewline) lines.pop()
  let out = ''
  lines.forEach((original, index) => {
    let line = original
    const matches = (a: Address | undefined): boolean =>
      a === undefined ||
      (a.kind === 'line'
        ? a.n === index + 1
        : a.kind === 'last'
          ? index === lines.length - 1
          : a.re.matcher(line).find())
    for (const c of commands) {
      if (!matches(c.address)) continue
      if (c.op === 'd') return
      if (c.op === 'p') out += `${line}\n`
      else {
        const r = substitute(line, c)
        line = r.text
        if (r.done && c.print) out += `${line}\n`
      }
    }
    if (!quiet) out += index === lines.length - 1 && !endsWithNewline ? line : `${line}\n`
  })
  return out
}

export const sedCommand: Command = {
  name: 'sed',
  summary: "edit text or files in place: sed -i 's/8080/80/' svc.yaml, sed -n '/port/p'",
  run(argv, ctx: CommandContext): CommandOutput {
    const r = getopt('sed', argv, {
      short: 'ie:nEr',
      long: {
        'in-place': { key: 'i', arg: false },
        expression: { key: 'e', arg: true },
        quiet: { key: 'n', arg: false },
        silent: { key: 'n', arg: false },
        'regexp-extended': { key: 'E', arg: false }
      }
    })
    if (!r.ok)
      return {
        stdout: '',
        stderr: `${r.message}\nUsage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n`,
        exitCode: 1
      }
    const o = r.value
    const scripts = o.options.filter((x) => x.key === 'e').map((x) => x.value ?? '')
    const operands = [...o.operands]
    if (scripts.length === 0) {
      const first = operands.shift()
      if (first === undefined)
        return {
          stdout: '',
          stderr: 'Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n',
          exitCode: 1
        }
      scripts.push(first)
    }
    const extended = o.options.some((x) => x.key === 'E' || x.key === 'r')
    const quiet = o.options.some((x) => x.key === 'n')
    const inPlace = o.options.some((x) => x.key === 'i')
    let commands: SedCommand[]
    try {
      commands = scripts.flatMap((s, k) => parseScript(s, k + 1, extended))
    } catch (e) {
      if (e instanceof SedError) return { stdout: '', stderr: e.message, exitCode: 1 }
      throw e
    }
    if (inPlace && operands.length === 0) return { stdout: '', stderr: 'sed: no input files\n', exitCode: 1 }
    let stdout = ''
    let stderr = ''
    for (const name of operands.length === 0 ? ['-'] : operands) {
      let text: string
      if (name === '-') text = ctx.stdin
      else {
        const read = readVirtualFile(ctx, name)
        if (!read.ok) {
          stderr +=
            read.error === 'EISDIR'
              ? `sed: couldn't edit ${name}: not a regular file\n`
              : `sed: can't read ${name}: No such file or directory\n`
          continue
        }
        text = read.text
      }
      const edited = runScript(text, commands, quiet)
      if (inPlace) ctx.writeFile(name, new TextEncoder().encode(edited))
      else stdout += edited
    }
    return { stdout, stderr, exitCode: stderr === '' ? 0 : 2 }
  }
}
