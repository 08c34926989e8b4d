/**
 * The coreutils learners pipe into: `cat`, `head`, `tail`, `wc`, `sort`, `uniq`, `seq`, plus
 * `clear`. Options, output layout, messages and exit codes are GNU coreutils 9.1's (Debian 12).
 */

import type { Command, CommandContext, CommandOutput } from '../command.ts'
import { getopt, has, lastValue } from '../getopt.ts'
import type { OptionSpec } from '../getopt.ts'
import { SHELL_LIMITS } from '../limits.ts'
import { readVirtualFile } from '../virtual-files.ts'

const tryHelp = (prog: string): string => `Try '${prog} --help' for more information.\n`

/** Split text into lines without the final newline's empty tail. */
export function lines(text: string): string[] {
  if (text === '') return []
  const out = text.split('\n')
  if (out[out.length - 1] === '') out.pop()
  return out
}

const joinLines = (ls: readonly string[]): string => ls.map((l) => `${l}\n`).join('')

type Input = { readonly name: string; readonly text: string }

/**
 * Operands as files (`-` or none = stdin). Errors are formatted by `onError` so each tool keeps
 * its own wording; reading continues with the next file, as the real tools do.
 */
function readInputs(
  ctx: CommandContext,
  operands: readonly string[],
  onError: (name: string, why: string) => string,
  stdinReadError = onError('-', 'Is a directory')
): { inputs: Input[]; errors: string } {
  const inputs: Input[] = []
  let errors = ''
  for (const name of operands.length === 0 ? ['-'] : operands) {
    if (name === '-' && ctx.stdinIsDirectory) errors += stdinReadError
    else if (name === '-') inputs.push({ name, text: ctx.stdin })
    if (name === '-') continue
    const r = readVirtualFile(ctx, name)
    if (r.ok) inputs.push({ name, text: r.text })
    else errors += onError(name, r.error === 'EISDIR' ? 'Is a directory' : 'No such file or directory')
  }
  return { inputs, errors }
}

function parse(
  prog: string,
  argv: readonly string[],
  spec: OptionSpec,
  badExit: number
): ReturnType<typeof getopt> & { fail?: CommandOutput } {
  const r = getopt(prog, argv, spec)
  if (!r.ok)
    return { ...r, fail: { stdout: '', stderr: `${r.message}\n${tryHelp(prog)}`, exitCode: badExit } }
  return r
}

export const catCommand: Command = {
  name: 'cat',
  summary: 'print files such as /etc/resolv.conf, /run/flannel/subnet.env or /proc/sys/...',
  run(argv, ctx) {
    const p = parse('cat', argv, { short: 'nAE', long: { number: { key: 'n', arg: false } } }, 1)
    if (!p.ok) return p.fail as CommandOutput
    const { inputs, errors } = readInputs(ctx, p.value.operands, (n, why) => `cat: ${n}: ${why}\n`)
    let text = inputs.map((i) => i.text).join('')
    if (has(p.value, 'n')) text = joinLines(lines(text).map((l, i) => `${String(i + 1).padStart(6)}\t${l}`))
    return { stdout: text, stderr: errors, exitCode: errors === '' ? 0 : 1 }
  }
}

/** `head`/`tail` accept the obsolete `-N` form; rewrite it to `-n N` before getopt sees it. */
function obsoleteCount(argv: readonly string[]): string[] {
  // `head -n -17` keeps its meaning: a word after -n is the count, not an option.
  return argv.flatMap((a, i) =>
    /^-\d+$/.test(a) && argv[i - 1] !== '-n' && argv[i - 1] !== '--lines' ? ['-n', a.slice(1)] : [a]
  )
}

function headTail(prog: 'head' | 'tail'): Command {
  return {
    name: prog,
    summary:
      prog === 'head' ? 'first lines of its input (-n N, -N)' : 'last lines of its input (-n N, -N, -n +N)',
    run(argv, ctx) {
      const p = parse(
        prog,
        obsoleteCount(argv),
        { short: 'n:qv', long: { lines: { key: 'n', arg: true } } },
        1
      )
      if (!p.ok) return p.fail as CommandOutput
      const spec = lastValue(p.value, 'n') ?? '10'
      const m = /^([+-]?)(\d+)$/.exec(spec)
      if (!m)
        return {
          stdout: '',
          stderr: `${prog}: invalid number of lines: ‘${spec.replace(/^[+-]/, prog === 'head' ? '' : '$&')}’\n`,
          exitCode: 1
        }
      const n = Number(m[2])
      const { inputs, errors } = readInputs(
        ctx,
        p.value.operands,
        (name, why) => `${prog}: cannot open '${name}' for reading: ${why}\n`,
        `${prog}: error reading 'standard input': Is a directory\n`
      )
      const many = inputs.length + (errors === '' ? 0 : 1) > 1
      let out = ''
      inputs.forEach((input, i) => {
        if (many) out += `${i > 0 ? '\n' : ''}==> ${input.name === '-' ? 'standard input' : input.name} <==\n`
        const ls = lines(input.text)
        let picked: string[]
        if (prog === 'head') picked = m[1] === '-' ? ls.slice(0, Math.max(0, ls.length - n)) : ls.slice(0, n)
        else picked = m[1] === '+' ? ls.slice(Math.max(0, n - 1)) : n === 0 ? [] : ls.slice(-n)
        out += joinLines(picked)
      })
      return { stdout: out, stderr: errors, exitCode: errors === '' ? 0 : 1 }
    }
  }
}

export const headCommand = headTail('head')
export const tailCommand = headTail('tail')

export const wcCommand: Command = {
  name: 'wc',
  summary: 'count lines (-l), words (-w) or bytes (-c)',
  run(argv, ctx) {
    const p = parse(
      'wc',
      argv,
      {
        short: 'lwcm',
        long: {
          lines: { key: 'l', arg: false },
          words: { key: 'w', arg: false },
          bytes: { key: 'c', arg: false }
        }
      },
      1
    )
    if (!p.ok) return p.fail as CommandOutput
    let want = ['l', 'w', 'c'].filter((k) => has(p.value, k) || (k === 'c' && has(p.value, 'm')))
    if (want.length === 0) want = ['l', 'w', 'c']
    const { inputs, errors } = wcInputs(ctx, p.value.operands)
    const counts = inputs.map((i) => ({
      name: i.name,
      l: (i.text.match(/\n/g) ?? []).length,
      w: i.text.split(/\s+/).filter((x) => x !== '').length,
      c: new TextEncoder().encode(i.text).length
    }))
    const files = Math.max(1, p.value.operands.length)
    if (files > 1) {
      counts.push({ name: 'total', l: sum(counts, 'l'), w: sum(counts, 'w'), c: sum(counts, 'c') })
    }
    // GNU wc pads to the widest count, but at least 7 wide when it reads stdin or a directory;
    // a single column of a single operand is printed unpadded.
    const readsNonRegular = inputs.some((i) => i.name === '-' || i.name === '' || i.directory)
    const widest = Math.max(
      1,
      ...counts.flatMap((c) => want.map((k) => String(c[k as 'l' | 'w' | 'c']).length))
    )
    const width = want.length === 1 && files === 1 ? 1 : Math.max(widest, readsNonRegular ? 7 : 1)
    const out = counts
      .map((c) => {
        const cols = want.map((k) => String(c[k as 'l' | 'w' | 'c']).padStart(width)).join(' ')
        return c.name === '' ? `${cols}\n` : `${cols} ${c.name}\n`
      })
      .join('')
    return { stdout: out, stderr: errors, exitCode: errors === '' ? 0 : 1 }
  }
}

/**
 * wc's inputs: a directory opens (only reading it fails), so it still gets its line of zero
 * counts; stdin left implicit is 'standard input' in the error and nameless (an empty name) in
 * the counts.
 */
function wcInputs(
  ctx: CommandContext,
  operands: readonly string[]
): { inputs: (Input & { directory?: true })[]; errors: string } {
  const stdinName = operands.length === 0 ? "'standard input'" : '-'
  const inputs: (Input & { directory?: true })[] = []
  let errors = ''
  for (const name of operands.length === 0 ? ['-'] : operands) {
    const isDirectory = `wc: ${name === '-' ? stdinName : name}: Is a directory\n`
    const read = readInputs(ctx, [name], (n, why) => `wc: ${n}: ${why}\n`, isDirectory)
    const shownName = operands.length === 0 ? '' : name
    inputs.push(...read.inputs.map((i) => ({ ...i, name: shownName })))
    errors += read.errors
    if (read.errors === isDirectory) inputs.push({ name: shownName, text: '', directory: true })
  }
  return { inputs, errors }
}

function sum(cs: readonly { l: number; w: number; c: number }[], k: 'l' | 'w' | 'c'): number {
  return cs.reduce((a, c) => a + c[k], 0)
}

/** C-locale comparison: plain byte (UTF-16 code unit) order, as `sort` with LANG unset. */
function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** `sort -n`'s key: the leading number (blanks, sign, digits, one dot); 0 when there is none. */
function numericKey(line: string): number {
  const m = /^\s*(-?\d*(\.\d*)?)/.exec(line)
  const v = Number(m?.[1] ?? '')
  return m && m[1] !== '' && m[1] !== '-' && m[1] !== '.' && !Number.isNaN(v) ? v : 0
}

export const sortCommand: Command = {
  name: 'sort',
  summary: 'sort lines (-n numeric, -r reverse, -u unique)',
  run(argv, ctx) {
    const p = parse(
      'sort',
      argv,
      {
        short: 'nruk:t:',
        long: {
          numeric: { key: 'n', arg: false },
          reverse: { key: 'r', arg: false },
          unique: { key: 'u', arg: false }
        }
      },
      2
    )
    if (!p.ok) return p.fail as CommandOutput
    const numeric = has(p.value, 'n')
    const reverse = has(p.value, 'r')
    const { inputs, errors } = readInputs(
      ctx,
      p.value.operands,
      (n, why) => `sort: cannot read: ${n}: ${why}\n`,
      'sort: read failed: -: Is a directory\n'
    )
    if (errors !== '') return { stdout: '', stderr: errors, exitCode: 2 }
    const keyCompare = (a: string, b: string): number =>
      numeric ? numericKey(a) - numericKey(b) : byteCompare(a, b)
    let ls = inputs.flatMap((i) => lines(i.text))
    // Equal keys fall back to comparing whole lines (GNU's "last resort"), unless -u.
    ls.sort((a, b) => {
      const k = keyCompare(a, b) || (has(p.value, 'u') ? 0 : byteCompare(a, b))
      return reverse ? -k : k
    })
    if (has(p.value, 'u')) ls = ls.filter((l, i) => i === 0 || keyCompare(ls[i - 1] ?? '', l) !== 0)
    return { stdout: joinLines(ls), stderr: '', exitCode: 0 }
  }
}

export const uniqCommand: Command = {
  name: 'uniq',
  summary: 'collapse adjacent repeated lines (-c counts them)',
  run(argv, ctx) {
    const p = parse('uniq', argv, { short: 'cdu', long: { count: { key: 'c', arg: false } } }, 1)
    if (!p.ok) return p.fail as CommandOutput
    if (p.value.operands.length > 1) {
      return {
        stdout: '',
        stderr: `uniq: extra operand '${p.value.operands[1] ?? ''}'\n${tryHelp('uniq')}`,
        exitCode: 1
      }
    }
    const { inputs, errors } = readInputs(
      ctx,
      p.value.operands.slice(0, 1),
      (n, why) => `uniq: ${n}: ${why}\n`,
      "uniq: error reading '-'\n"
    )
    if (errors !== '') return { stdout: '', stderr: errors, exitCode: 1 }
    const groups: { line: string; count: number }[] = []
    for (const l of lines(inputs[0]?.text ?? '')) {
      const last = groups[groups.length - 1]
      if (last && last.line === l) last.count++
      else groups.push({ line: l, count: 1 })
    }
    const kept = groups.filter((g) =>
      has(p.value, 'd') ? g.count > 1 : has(p.value, 'u') ? g.count === 1 : true
    )
    const out = kept
      .map((g) => (has(p.value, 'c') ? `${String(g.count).padStart(7)} ${g.line}\n` : `${g.line}\n`))
      .join('')
    return { stdout: out, stderr: '', exitCode: 0 }
  }
}

export const seqCommand: Command = {
  name: 'seq',
  summary: 'print a sequence of numbers, as in for i in $(seq 5)',
  run(argv) {
    // Negative numbers are operands for seq, so options are only recognised before them.
    const opts = argv.filter((a) => /^-[^\d.]/.test(a))
    const operands = argv.filter((a) => !/^-[^\d.]/.test(a))
    const bad = opts.find((o) => o !== '-w')
    if (bad !== undefined) {
      const msg = bad.startsWith('--')
        ? `seq: unrecognized option '${bad}'`
        : `seq: invalid option -- '${bad[1] ?? ''}'`
      return { stdout: '', stderr: `${msg}\n${tryHelp('seq')}`, exitCode: 1 }
    }
    if (operands.length === 0)
      return { stdout: '', stderr: `seq: missing operand\n${tryHelp('seq')}`, exitCode: 1 }
    if (operands.length > 3)
      return {
        stdout: '',
        stderr: `seq: extra operand ‘${operands[3] ?? ''}’\n${tryHelp('seq')}`,
        exitCode: 1
      }
    const nums: number[] = []
    for (const o of operands) {
      const v = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(o) ? Number(o) : Number.NaN
      if (Number.isNaN(v))
        return {
          stdout: '',
          stderr: `seq: invalid floating point argument: ‘${o}’\n${tryHelp('seq')}`,
          exitCode: 1
        }
      nums.push(v)
    }
    const [first, step, last] =
      nums.length === 1
        ? [1, 1, nums[0] ?? 1]
        : nums.length === 2
          ? [nums[0] ?? 1, 1, nums[1] ?? 1]
          : [nums[0] ?? 1, nums[1] ?? 1, nums[2] ?? 1]
    if (step === 0)
      return {
        stdout: '',
        stderr: `seq: invalid Zero increment value: ‘${operands[1] ?? ''}’\n${tryHelp('seq')}`,
        exitCode: 1
      }
    // GNU seq takes its precision from FIRST and INCREMENT, never from LAST (`seq 1.5` → 1).
    const decimals = Math.max(
      0,
      ...operands.slice(0, -1).map((o) => (o.includes('.') ? o.length - o.indexOf('.') - 1 : 0))
    )
    // Numbers stop once they pass what the shell lets one command print (it cuts there and
    // says so), so `seq 999999999` costs no more than that; so does a step too small to
    // move a large number on.
    const cap = SHELL_LIMITS.commandOutputBytes
    const numbers: string[] = []
    let stdout = ''
    let width = 0
    const pad = opts.includes('-w')
    for (let v = first, i = 0; step > 0 ? v <= last : v >= last; i++, v = first + i * step) {
      const text = v.toFixed(decimals)
      if (pad) {
        numbers.push(text)
        width = Math.max(width, text.length)
      }
      stdout += `${text}\n`
      if (stdout.length > cap) break
    }
    if (pad) stdout = joinLines(numbers.map((s) => s.padStart(width, '0')))
    return { stdout, stderr: '', exitCode: 0 }
  }
}

export const clearCommand: Command = {
  name: 'clear',
  summary: 'clear the terminal',
  run(argv) {
    if (argv.length > 0) return { stdout: '', stderr: 'Usage: clear [options]\n', exitCode: 1 }
    // ncurses' clear for TERM=xterm: home, erase screen, erase scrollback.
    return { stdout: '\x1b[H\x1b[2J\x1b[3J', stderr: '', exitCode: 0 }
  }
}
