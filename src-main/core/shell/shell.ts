/**
 * Runs command lines on a target the way its shell would: bash on nodes and external hosts,
 * BusyBox `sh` inside pods (the dialect decides error prefixes such as
 * `bash: foo: command not found` versus `sh: foo: not found`).
 *
 * One `ShellSession` is one terminal: it remembers `$?`, variables and files written with
 * `>` for the lines typed into it.
 */

import type { Command as RegisteredCommand, CommandOutput, CommandRegistry, Target } from './command.ts'
import type { Lab } from '../kube/lab.ts'
import { parseLine, ShellSyntaxError, ShellUnsupportedError } from './parser.ts'
import type { AndOr, Command, ForCommand, List, Pipeline, Redirect, SimpleCommand, Word } from './parser.ts'

export type ShellDialect = 'bash' | 'busybox'

/** Pods run BusyBox-style images in the lab; nodes and external hosts run Debian's bash. */
export function dialectOf(target: Target): ShellDialect {
  return target.kind === 'pod' || target.kind === 'container' ? 'busybox' : 'bash'
}

/** The prompt the terminal shows before each line, as the real shell prints it. */
export function promptFor(target: Target): string {
  return dialectOf(target) === 'busybox' ? '/ # ' : `root@${target.hostname}:~# `
}

/** The working directory relative paths resolve against (where the prompt says we are). */
function homeOf(target: Target): string {
  return dialectOf(target) === 'busybox' ? '/' : '/root'
}

export interface OutputChunk {
  readonly stream: 'stdout' | 'stderr'
  readonly text: string
}

/** A line's result: the two streams, plus their interleaving for a terminal to replay. */
export interface ShellResult extends CommandOutput {
  readonly chunks: readonly OutputChunk[]
}

export interface ShellEnv {
  readonly lab: Lab
  readonly registry: CommandRegistry
  readonly resolveTarget: (name: string) => Target | undefined
  /** Receives files commands write (`tcpdump -w`); the CLI puts them on disk. */
  readonly writeFile?: (path: string, data: Uint8Array) => void
}

/**
 * Guards against lines that would run for ever or print without end (`for i in $(seq
 * 100000000)`); a real terminal would be interrupted with Ctrl-C, the lab stops by itself.
 */
const MAX_COMMANDS = 100_000
const MAX_OUTPUT = 8 * 1024 * 1024

class BudgetExceeded extends Error {}

/** Where one descriptor of a command goes. */
type Dest =
  | { readonly kind: 'stdout' }
  | { readonly kind: 'stderr' }
  | { readonly kind: 'null' }
  | { readonly kind: 'file'; readonly path: string; readonly append: boolean }

class Sink {
  readonly chunks: OutputChunk[] = []
  size = 0
  push(stream: 'stdout' | 'stderr', text: string): void {
    if (text === '') return
    this.size += text.length
    if (this.size > MAX_OUTPUT) throw new BudgetExceeded('output')
    const last = this.chunks[this.chunks.length - 1]
    if (last && last.stream === stream)
      this.chunks[this.chunks.length - 1] = { stream, text: last.text + text }
    else this.chunks.push({ stream, text })
  }
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class ShellSession {
  #lastExit = 0
  readonly #vars = new Map<string, string>()
  readonly #files = new Map<string, Uint8Array>()
  /**
   * Commands run by the current top-level line, shared with the sessions `kubectl exec` and
   * `sh -c` open from it, so nesting cannot multiply the limit.
   */
  readonly #budget: { steps: number }
  readonly #nested: boolean

  constructor(
    readonly env: ShellEnv,
    readonly target: Target,
    budget?: { steps: number }
  ) {
    this.#budget = budget ?? { steps: 0 }
    this.#nested = budget !== undefined
  }

  get prompt(): string {
    return promptFor(this.target)
  }

  get lastExit(): number {
    return this.#lastExit
  }

  /** Run one line (it may hold several commands). Never throws for any input. */
  run(line: string, stdin = ''): ShellResult {
    const sink = new Sink()
    if (!this.#nested) this.#budget.steps = 0
    let code: number
    try {
      const list = parseLine(line)
      if (this.#sendsTraffic(list)) this.env.lab.capture.batch++
      code = this.#list(list, sink, stdin)
    } catch (e) {
      code = this.#failure(e, sink)
    }
    this.#lastExit = code
    let stdout = ''
    let stderr = ''
    for (const c of sink.chunks) {
      if (c.stream === 'stdout') stdout += c.text
      else stderr += c.text
    }
    return { stdout, stderr, exitCode: code, chunks: sink.chunks }
  }

  /** Whether any command of the line (by its typed name) puts packets on the wire. */
  #sendsTraffic(list: List): boolean {
    return list.some((item) =>
      [item.first, ...item.rest.map((r) => r.pipeline)].some((p) =>
        p.commands.some((c) =>
          c.kind === 'for'
            ? this.#sendsTraffic(c.body)
            : this.env.registry.get(c.words[0]?.raw ?? '')?.sendsTraffic === true
        )
      )
    )
  }

  #failure(e: unknown, sink: Sink): number {
    const prefix = this.#prefix()
    // The sink may be the reason we are here; report on a fresh line regardless of its budget.
    const report = (text: string): void => {
      sink.size = 0
      sink.push('stderr', text)
    }
    if (e instanceof ShellSyntaxError) {
      report(`${prefix}${this.#dialect() === 'busybox' ? busyboxSyntax(e) : e.message}\n`)
      return 2
    }
    if (e instanceof ShellUnsupportedError) {
      report(`${prefix}${e.message}\n`)
      return 2
    }
    if (e instanceof BudgetExceeded) {
      report(
        e.message === 'output'
          ? `${prefix}output stopped after ${MAX_OUTPUT} bytes (the lab's limit for one line)\n`
          : `${prefix}stopped after ${MAX_COMMANDS} commands (the lab's limit for one line)\n`
      )
      return 1
    }
    if (e instanceof ExitRequest) {
      sink.push('stderr', e.stderr)
      return e.code
    }
    throw e
  }

  #dialect(): ShellDialect {
    return dialectOf(this.target)
  }

  #prefix(): string {
    return this.#dialect() === 'busybox' ? 'sh: ' : 'bash: '
  }

  #list(list: List, sink: Sink, stdin: string): number {
    let code = this.#lastExit
    for (const item of list) code = this.#andOr(item, sink, stdin)
    return code
  }

  #andOr(item: AndOr, sink: Sink, stdin: string): number {
    let code = this.#pipeline(item.first, sink, stdin)
    for (const { op, pipeline } of item.rest) {
      if ((op === '&&') === (code === 0)) code = this.#pipeline(pipeline, sink, stdin)
    }
    return code
  }

  #pipeline(p: Pipeline, sink: Sink, stdin: string): number {
    let input = stdin
    let code = 0
    p.commands.forEach((cmd, i) => {
      const last = i === p.commands.length - 1
      if (last) {
        code = this.#command(cmd, sink, input, null)
      } else {
        const piped: string[] = []
        code = this.#command(cmd, sink, input, piped)
        input = piped.join('')
      }
    })
    this.#lastExit = p.negate ? (code === 0 ? 1 : 0) : code
    return this.#lastExit
  }

  /** `pipe` collects stdout for the next stage; null means stdout goes to the terminal. */
  #command(cmd: Command, sink: Sink, stdin: string, pipe: string[] | null): number {
    if (cmd.kind === 'for') return this.#for(cmd, sink, stdin, pipe)
    return this.#simple(cmd, sink, stdin, pipe)
  }

  #for(cmd: ForCommand, sink: Sink, stdin: string, pipe: string[] | null): number {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(cmd.name)) {
      sink.push('stderr', `${this.#prefix()}\`${cmd.name}': not a valid identifier\n`)
      return 1
    }
    const fds = this.#redirects(cmd.redirects, sink)
    if (typeof fds === 'number') return fds
    const items = cmd.items === null ? [] : cmd.items.flatMap((w) => this.#expand(w, sink))
    let code = 0
    for (const item of items) {
      this.#vars.set(cmd.name, item)
      // The body runs into its own sink so the loop's redirections and pipe apply to all of
      // it, chunk by chunk, keeping stdout and stderr in the order they were written.
      const inner = new Sink()
      code = this.#list(cmd.body, inner, fds.input === undefined ? stdin : (this.#readFile(fds.input) ?? ''))
      for (const c of inner.chunks)
        this.#deliver(c.stream === 'stdout' ? fds.out : fds.err, c.text, sink, pipe)
    }
    return code
  }

  #simple(cmd: SimpleCommand, sink: Sink, stdin: string, pipe: string[] | null): number {
    if (++this.#budget.steps > MAX_COMMANDS) throw new BudgetExceeded('commands')
    const assignment =
      cmd.words.length === 1 && cmd.redirects.length === 0
        ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(cmd.words[0]?.raw ?? '')
        : null
    if (assignment) {
      const word = cmd.words[0] as Word
      const value = this.#expandNoSplit(word, sink)
      this.#vars.set(assignment[1] ?? '', value.slice((assignment[1] ?? '').length + 1))
      return 0
    }
    const argv = cmd.words.flatMap((w) => this.#expand(w, sink))
    const fds = this.#redirects(cmd.redirects, sink)
    if (typeof fds === 'number') return fds
    let input = stdin
    if (fds.input !== undefined) {
      const data = this.#readFile(fds.input)
      if (data === undefined) {
        sink.push('stderr', `${this.#prefix()}${fds.input}: No such file or directory\n`)
        return 1
      }
      input = data
    }
    if (argv.length === 0) return 0
    const result = this.#exec(argv, input)
    const chunks = result.chunks ?? [
      { stream: 'stdout', text: result.stdout },
      { stream: 'stderr', text: result.stderr }
    ]
    for (const c of chunks) this.#deliver(c.stream === 'stdout' ? fds.out : fds.err, c.text, sink, pipe)
    return result.exitCode
  }

  #deliver(dest: Dest, text: string, sink: Sink, pipe: string[] | null): void {
    if (text === '') return
    switch (dest.kind) {
      case 'null':
        return
      case 'stdout':
        if (pipe) pipe.push(text)
        else sink.push('stdout', text)
        return
      case 'stderr':
        sink.push('stderr', text)
        return
      case 'file': {
        const before = dest.append ? decoder.decode(this.#files.get(dest.path) ?? new Uint8Array()) : ''
        this.#files.set(dest.path, encoder.encode(before + text))
      }
    }
  }

  /** Apply redirections left to right, as bash does (`>/dev/null 2>&1` silences both). */
  #redirects(redirects: readonly Redirect[], sink: Sink): { out: Dest; err: Dest; input?: string } | number {
    let out: Dest = { kind: 'stdout' }
    let err: Dest = { kind: 'stderr' }
    let input: string | undefined
    for (const r of redirects) {
      const targetWords = this.#expand(r.target, sink)
      if (targetWords.length !== 1) {
        sink.push('stderr', `${this.#prefix()}${r.target.raw}: ambiguous redirect\n`)
        return 1
      }
      const t = targetWords[0] ?? ''
      if (r.op === '<') {
        input = this.#absolute(t)
        continue
      }
      let dest: Dest
      if (r.op === '>&') {
        if (t === '1') dest = out
        else if (t === '2') dest = err
        else {
          sink.push('stderr', `${this.#prefix()}${t}: ambiguous redirect\n`)
          return 1
        }
      } else if (t === '/dev/null') dest = { kind: 'null' }
      else if (t === '/dev/stderr') dest = err
      else if (t === '/dev/stdout') dest = out
      else {
        const path = this.#absolute(t)
        dest = { kind: 'file', path, append: r.op === '>>' }
        if (!dest.append) this.#files.set(path, new Uint8Array())
      }
      if (r.fd === 1 || r.fd === 'both') out = dest
      if (r.fd === 2 || r.fd === 'both') err = dest
    }
    return input === undefined ? { out, err } : { out, err, input }
  }

  #absolute(path: string): string {
    if (path.startsWith('/')) return path
    const home = homeOf(this.target)
    return home === '/' ? `/${path}` : `${home}/${path}`
  }

  #readFile(path: string): string | undefined {
    if (path === '/dev/null') return ''
    const data = this.#files.get(path)
    return data === undefined ? undefined : decoder.decode(data)
  }

  #exec(argv: readonly string[], stdin: string): CommandOutput {
    const [name = '', ...args] = argv
    const builtin = this.#builtin(name, args)
    if (builtin) return builtin
    const command = this.env.registry.get(name)
    if (!command || (command.availableOn && !command.availableOn.includes(this.target.kind))) {
      const msg =
        this.#dialect() === 'busybox' ? `sh: ${name}: not found\n` : `bash: ${name}: command not found\n`
      return { stdout: '', stderr: msg, exitCode: 127 }
    }
    try {
      return this.#run(command, args, stdin)
    } catch (e) {
      if (e instanceof BudgetExceeded || e instanceof ExitRequest) throw e
      // A command bug must not take the terminal down; the fuzz test fails on this message.
      const detail = e instanceof Error ? e.message : String(e)
      return { stdout: '', stderr: `${name}: internal error: ${detail}\n`, exitCode: 1 }
    }
  }

  #run(command: RegisteredCommand, args: readonly string[], stdin: string): CommandOutput {
    return command.run(args, {
      lab: this.env.lab,
      target: this.target,
      stdin,
      writeFile: (path, data) => {
        const abs = this.#absolute(path)
        this.#files.set(abs, data)
        this.env.writeFile?.(path, data)
      },
      readFile: (path) => this.#files.get(this.#absolute(path)),
      runOn: (target, line) => new ShellSession(this.env, target, this.#budget).run(line),
      resolveTarget: this.env.resolveTarget
    })
  }

  /** The few builtins scripts need; everything else is a registered command. */
  #builtin(name: string, args: readonly string[]): CommandOutput | undefined {
    switch (name) {
      case 'true':
      case ':':
        return { stdout: '', stderr: '', exitCode: 0 }
      case 'false':
        return { stdout: '', stderr: '', exitCode: 1 }
      case 'echo':
        return echo(args)
      case 'exit': {
        const arg = args[0]
        if (arg === undefined) throw new ExitRequest(this.#lastExit)
        if (!/^[+-]?\d+$/.test(arg)) {
          const msg =
            this.#dialect() === 'busybox'
              ? `sh: exit: Illegal number: ${arg}\n`
              : `bash: exit: ${arg}: numeric argument required\n`
          throw new ExitRequest(2, msg)
        }
        throw new ExitRequest(((Number(arg) % 256) + 256) % 256)
      }
      default:
        return undefined
    }
  }

  /** Expand a word into fields: variables, command substitution, then field splitting. */
  #expand(word: Word, sink: Sink): string[] {
    const fields: string[] = []
    let cur = ''
    let started = false
    for (const part of word.parts) {
      const value =
        part.kind === 'lit'
          ? part.text
          : part.kind === 'var'
            ? this.#var(part.name)
            : this.#substitute(part.source, sink)
      if (part.quoted || part.kind === 'lit') {
        cur += value
        started = true
        continue
      }
      // Unquoted expansions split on blanks and newlines (bash's default IFS).
      const pieces = value.split(/[ \t\n]+/)
      pieces.forEach((piece, i) => {
        if (i > 0 && started) {
          fields.push(cur)
          cur = ''
          started = false
        }
        if (piece !== '') {
          cur += piece
          started = true
        }
      })
    }
    if (started) fields.push(cur)
    return fields
  }

  /** An assignment's value is expanded but never split, as in bash. */
  #expandNoSplit(word: Word, sink: Sink): string {
    let out = ''
    for (const part of word.parts) {
      out +=
        part.kind === 'lit'
          ? part.text
          : part.kind === 'var'
            ? this.#var(part.name)
            : this.#substitute(part.source, sink)
    }
    return out
  }

  #var(name: string): string {
    if (name === '?') return String(this.#lastExit)
    return this.#vars.get(name) ?? ''
  }

  /** `$(…)`: run the inner line here; its stdout (less trailing newlines) becomes the value. */
  #substitute(source: string, sink: Sink): string {
    const inner = new Sink()
    let code: number
    try {
      code = this.#list(parseLine(source), inner, '')
    } catch (e) {
      if (e instanceof BudgetExceeded) throw e
      code = this.#failure(e, inner)
    }
    this.#lastExit = code
    let out = ''
    for (const c of inner.chunks) {
      if (c.stream === 'stdout') out += c.text
      else sink.push('stderr', c.text)
    }
    return out.replace(/\n+$/, '')
  }
}

/** `exit` unwinds the whole line; the session reports the status it carries. */
class ExitRequest extends Error {
  constructor(
    readonly code: number,
    readonly stderr = ''
  ) {
    super('exit')
  }
}

function busyboxSyntax(e: ShellSyntaxError): string {
  if (e.message.startsWith('unexpected EOF while looking for matching'))
    return 'syntax error: unterminated quoted string'
  if (e.token === null)
    return e.message.startsWith('syntax error') ? 'syntax error: unexpected end of file' : e.message
  return e.token === 'newline' ? 'syntax error: unexpected newline' : `syntax error: unexpected "${e.token}"`
}

/** bash's builtin echo: `-n` drops the newline, `-e` interprets backslash escapes. */
function echo(args: readonly string[]): CommandOutput {
  let newline = true
  let escapes = false
  let i = 0
  for (; i < args.length; i++) {
    const a = args[i] ?? ''
    if (!/^-[neE]+$/.test(a)) break
    for (const f of a.slice(1)) {
      if (f === 'n') newline = false
      else if (f === 'e') escapes = true
      else escapes = false
    }
  }
  let text = args.slice(i).join(' ')
  if (escapes) {
    const cut = text.indexOf('\\c')
    if (cut >= 0) {
      text = text.slice(0, cut)
      newline = false
    }
    text = text.replace(
      /\\([\\abefnrtv0])/g,
      (_, c: string) =>
        ({
          '\\': '\\',
          a: '\x07',
          b: '\b',
          e: '\x1b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
          v: '\v',
          '0': '\0'
        })[c] ?? c
    )
  }
  return { stdout: newline ? `${text}\n` : text, stderr: '', exitCode: 0 }
}
