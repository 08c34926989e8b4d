/**
 * The shell language learners type: words with quoting, `$var`/`${var}`/`${var:-word}` and its kin/`$?`, `$(…)` and
 * backquotes, pipes, `;`, `&` (a job), `&&`, `||`, `!`, `for NAME in …; do …; done`, the redirections
 * experiments use (`>/dev/null`, `2>&1`) and here-documents (`cat <<EOF > svc.yaml`), which is how
 * tutorials write a manifest to a file. Parsing follows bash's grammar closely enough that
 * malformed input fails where bash fails, with bash's message (see `SyntaxError`).
 */

/** A piece of a word before expansion. `quoted` pieces are never field-split. */
export type WordPart =
  | { readonly kind: 'lit'; readonly text: string; readonly quoted: boolean }
  | {
      readonly kind: 'var'
      readonly name: string
      readonly quoted: boolean
      /**
       * `${NAME:-WORD}` and its kin: WORD stands in for (`-`), replaces (`+`), is assigned as
       * (`=`) the value, or is the message of the error an unset NAME is (`?`).
       */
      readonly alternative?: { readonly op: AlternativeOp; readonly word: Word }
    }
  | { readonly kind: 'cmd'; readonly source: string; readonly quoted: boolean }

/** With `:` an empty value counts as unset. */
export type AlternativeOp = ':-' | '-' | ':+' | '+' | ':=' | '=' | ':?' | '?'

export interface Word {
  readonly parts: readonly WordPart[]
  /** The word as typed, for messages such as `` `1': not a valid identifier``. */
  readonly raw: string
}

export interface Redirect {
  /** 1 = stdout, 2 = stderr, 'both' = `&>`. */
  readonly fd: 1 | 2 | 'both'
  /**
   * `>` `>>` write a file, `>&` duplicates a descriptor, `<` reads a file, `<<` feeds a
   * here-document, whose body (not its delimiter) is then the target.
   */
  readonly op: '>' | '>>' | '>&' | '<' | '<<'
  readonly target: Word
}

export interface SimpleCommand {
  readonly kind: 'simple'
  readonly words: readonly Word[]
  readonly redirects: readonly Redirect[]
  /** The line of the input it starts on, which a `-c` shell's messages name. */
  readonly line: number
}

export interface ForCommand {
  readonly kind: 'for'
  readonly name: string
  /** null: `for i; do` iterates the positional parameters, which are empty here. */
  readonly items: readonly Word[] | null
  readonly body: List
  /** Redirections after `done` apply to the whole loop (`done 2>&1 | grep x`). */
  readonly redirects: readonly Redirect[]
}

export type Command = SimpleCommand | ForCommand

export interface Pipeline {
  readonly negate: boolean
  readonly commands: readonly Command[]
}

export interface AndOr {
  readonly first: Pipeline
  readonly rest: readonly { readonly op: '&&' | '||'; readonly pipeline: Pipeline }[]
  /** Ended by `&`: the shell starts it as a job and goes on without waiting. */
  readonly background?: true
}

export type List = readonly AndOr[]

/**
 * A parse failure. `message` is what bash prints after `bash: ` (for example
 * ``syntax error near unexpected token `|'``); the shell adds the prefix for its dialect.
 */
export class ShellSyntaxError extends Error {
  constructor(
    message: string,
    /** The offending token, or null when input ended early. */
    readonly token: string | null
  ) {
    super(message)
  }
}

/** A here-document's body, filled in when the lexer reaches the end of the line that opened it. */
interface HereDoc {
  readonly stripTabs: boolean
  delimiter?: { readonly text: string; readonly quoted: boolean }
  body?: Word
}

type Token =
  | { readonly type: 'word'; readonly word: Word }
  | { readonly type: 'op'; readonly op: string; readonly hereDoc?: HereDoc }
  | { readonly type: 'newline' }
  | { readonly type: 'eof' }

const OPERATORS = [
  '&&',
  '||',
  ';;',
  '&>',
  '>>',
  '>&',
  '<<-',
  '<<',
  '|',
  '&',
  ';',
  '(',
  ')',
  '<',
  '>'
] as const

/** Characters that end an unquoted word. */
const METACHARS = new Set([' ', '\t', '\n', '|', '&', ';', '(', ')', '<', '>'])

class Lexer {
  #pos = 0
  /** Here-documents whose delimiter word is still to come. */
  #awaitingDelimiter: HereDoc | undefined
  /** Here-documents opened on the current line, read after its newline in order. */
  #pending: HereDoc[] = []
  /** The input ended inside a here-document's body, or right after a backslash. */
  endedEarly = false
  /** The line each token of `tokens()` starts on. */
  readonly lines: number[] = []
  #line = 1
  #countedTo = 0
  constructor(readonly src: string) {}

  tokens(): Token[] {
    const out: Token[] = []
    for (;;) {
      const t = this.#next()
      out.push(t)
      if (t.type === 'eof') return out
    }
  }

  #next(): Token {
    const s = this.src
    this.#skipBlanks()
    for (; this.#countedTo < this.#pos; this.#countedTo++) if (s[this.#countedTo] === '\n') this.#line++
    this.lines.push(this.#line)
    return this.#token()
  }

  #skipBlanks(): void {
    const s = this.src
    for (;;) {
      while (this.#pos < s.length && (s[this.#pos] === ' ' || s[this.#pos] === '\t')) this.#pos++
      // A backslash-newline joins lines, as when a learner pastes a long command.
      if (s.startsWith('\\\n', this.#pos)) {
        this.#pos += 2
        continue
      }
      if (s[this.#pos] === '#') {
        while (this.#pos < s.length && s[this.#pos] !== '\n') this.#pos++
      }
      return
    }
  }

  #token(): Token {
    const s = this.src
    if (this.#pos >= s.length) {
      this.#readHereDocs()
      return { type: 'eof' }
    }
    const c = s[this.#pos]
    if (c === '\n') {
      this.#pos++
      this.#readHereDocs()
      return { type: 'newline' }
    }
    // `2>`, `2>>`, `2>&1`, `1>`: a number glued to a redirection operator is its descriptor.
    const fdMatch = /^([0-9])(>>|>&|>)/.exec(s.slice(this.#pos, this.#pos + 3))
    if (fdMatch) {
      this.#pos += 1 + (fdMatch[2] ?? '').length
      return { type: 'op', op: `${fdMatch[1]}${fdMatch[2]}` }
    }
    for (const op of OPERATORS) {
      if (s.startsWith(op, this.#pos)) {
        this.#pos += op.length
        if (op !== '<<' && op !== '<<-') return { type: 'op', op }
        const hereDoc: HereDoc = { stripTabs: op === '<<-' }
        this.#awaitingDelimiter = hereDoc
        this.#pending.push(hereDoc)
        return { type: 'op', op: '<<', hereDoc }
      }
    }
    const word = this.#word()
    const hereDoc = this.#awaitingDelimiter
    if (hereDoc) {
      this.#awaitingDelimiter = undefined
      // Any quoting in the delimiter turns expansion in the body off (bash's rule).
      const quoted = word.parts.some((p) => p.quoted)
      hereDoc.delimiter = { text: word.raw.replace(/["'\\]/g, ''), quoted }
    }
    return { type: 'word', word }
  }

  /**
   * The bodies of the line's here-documents: the lines up to each delimiter. Input that ends
   * first ends the body, as bash does (it warns); a missing delimiter word is the parser's error.
   */
  #readHereDocs(): void {
    const s = this.src
    for (const hereDoc of this.#pending) {
      if (!hereDoc.delimiter) continue
      let body = ''
      let closed = false
      while (this.#pos < s.length) {
        const end = s.indexOf('\n', this.#pos)
        let line = s.slice(this.#pos, end < 0 ? s.length : end)
        this.#pos = end < 0 ? s.length : end + 1
        if (hereDoc.stripTabs) line = line.replace(/^\t+/, '')
        closed = line === hereDoc.delimiter.text
        if (closed) break
        body += `${line}\n`
      }
      if (!closed) this.endedEarly = true
      hereDoc.body = hereDoc.delimiter.quoted
        ? { parts: [{ kind: 'lit', text: body, quoted: true }], raw: body }
        : new Lexer(body).#hereDocWord()
    }
    this.#pending = []
  }

  /** An unquoted delimiter's body: `$…` and backquotes expand, `\` escapes only `$`, `` ` ``, `\`. */
  #hereDocWord(): Word {
    const s = this.src
    const parts: WordPart[] = []
    let lit = ''
    const flush = (): void => {
      if (lit !== '') parts.push({ kind: 'lit', text: lit, quoted: true })
      lit = ''
    }
    while (this.#pos < s.length) {
      const c = s[this.#pos] ?? ''
      if (c === '\\' && '$`\\\n'.includes(s[this.#pos + 1] ?? 'x')) {
        if (s[this.#pos + 1] !== '\n') lit += s[this.#pos + 1]
        this.#pos += 2
      } else if (c === '$' || c === '`') {
        const text = this.#expansionOrLiteral(true, parts, flush)
        lit += text
      } else {
        lit += c
        this.#pos++
      }
    }
    flush()
    if (parts.length === 0) parts.push({ kind: 'lit', text: '', quoted: true })
    return { parts, raw: s }
  }

  #word(): Word {
    const s = this.src
    const start = this.#pos
    const parts: WordPart[] = []
    let lit = ''
    const flush = (quoted: boolean): void => {
      if (lit !== '' || quoted) parts.push({ kind: 'lit', text: lit, quoted })
      lit = ''
    }
    while (this.#pos < s.length && !METACHARS.has(s[this.#pos] ?? '')) {
      const c = s[this.#pos] ?? ''
      if (c === '\\') {
        if (this.#pos + 1 >= s.length) {
          // A trailing backslash would make bash ask for a continuation line; with no more
          // input it is taken literally.
          this.endedEarly = true
          lit += '\\'
          this.#pos++
          continue
        }
        if (s[this.#pos + 1] === '\n') {
          this.#pos += 2
          continue
        }
        flush(false)
        parts.push({ kind: 'lit', text: s[this.#pos + 1] ?? '', quoted: true })
        this.#pos += 2
      } else if (c === "'") {
        const end = s.indexOf("'", this.#pos + 1)
        if (end < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `''", null)
        flush(false)
        parts.push({ kind: 'lit', text: s.slice(this.#pos + 1, end), quoted: true })
        this.#pos = end + 1
      } else if (c === '"') {
        flush(false)
        this.#pos++
        this.#doubleQuoted(parts)
      } else if (c === '$' || c === '`') {
        const text = this.#expansionOrLiteral(false, parts, () => flush(false))
        lit += text
      } else {
        lit += c
        this.#pos++
      }
    }
    flush(false)
    return { parts, raw: s.slice(start, this.#pos) }
  }

  #doubleQuoted(parts: WordPart[]): void {
    const s = this.src
    let lit = ''
    let any = false
    const flush = (): void => {
      if (lit !== '') parts.push({ kind: 'lit', text: lit, quoted: true })
      lit = ''
    }
    for (;;) {
      if (this.#pos >= s.length)
        throw new ShellSyntaxError('unexpected EOF while looking for matching `"\'', null)
      const c = s[this.#pos] ?? ''
      if (c === '"') {
        this.#pos++
        flush()
        // `""` is an (empty) argument of its own, so it must leave a part behind.
        if (!any) parts.push({ kind: 'lit', text: '', quoted: true })
        return
      }
      any = true
      if (c === '\\' && '$`"\\\n'.includes(s[this.#pos + 1] ?? 'x')) {
        if (s[this.#pos + 1] !== '\n') lit += s[this.#pos + 1]
        this.#pos += 2
      } else if (c === '$' || c === '`') {
        const text = this.#expansionOrLiteral(true, parts, flush)
        lit += text
      } else {
        lit += c
        this.#pos++
      }
    }
  }

  /**
   * At a `$` or backquote: the expansion it starts goes onto `parts` once `flush` has put the
   * literal text before it there; one that starts none is a literal character, returned. Add the
   * text to the literal after the call, not in the same expression: `flush` empties it.
   */
  #expansionOrLiteral(quoted: boolean, parts: WordPart[], flush: () => void): string {
    const part = this.#dollar(quoted)
    if (!part) return this.src[this.#pos++] ?? ''
    flush()
    parts.push(part)
    return ''
  }

  /** `$name`, `${name}`, `$?`, `$(…)`, `` `…` ``; null when the `$` is just a dollar sign. */
  #dollar(quoted: boolean): WordPart | null {
    const s = this.src
    const c = s[this.#pos]
    if (c === '`') {
      let i = this.#pos + 1
      let body = ''
      while (i < s.length && s[i] !== '`') {
        if (s[i] === '\\' && i + 1 < s.length) {
          body += s[i + 1]
          i += 2
        } else body += s[i++]
      }
      if (i >= s.length) throw new ShellSyntaxError("unexpected EOF while looking for matching ``'", null)
      this.#pos = i + 1
      return { kind: 'cmd', source: body, quoted }
    }
    const next = s[this.#pos + 1] ?? ''
    if (next === '(') {
      const end = this.#matchParen(this.#pos + 2)
      const source = s.slice(this.#pos + 2, end)
      this.#pos = end + 1
      return { kind: 'cmd', source, quoted }
    }
    if (next === '{') {
      const end = s.indexOf('}', this.#pos + 2)
      if (end < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `}'", null)
      const inside = s.slice(this.#pos + 2, end)
      this.#pos = end + 1
      const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?#$!@*-])(?:(:?[-+=?])(.*))?$/s.exec(inside)
      if (!m) throw new ShellSyntaxError(`\${${inside}}: bad substitution`, null)
      const name = m[1] ?? ''
      const op = m[2]
      if (op === undefined) return { kind: 'var', name, quoted }
      const text = m[3] ?? ''
      if (/['"\\]/.test(text))
        throw new ShellUnsupportedError(
          `\${${inside}}: quotes inside \${NAME${op}WORD} are not available in this lab shell`
        )
      return {
        kind: 'var',
        name,
        quoted,
        alternative: { op: op as AlternativeOp, word: new Lexer(text).#hereDocWord() }
      }
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?#$!@*-])/.exec(s.slice(this.#pos + 1))
    if (!m) return null
    this.#pos += 1 + (m[1] ?? '').length
    return { kind: 'var', name: m[1] ?? '', quoted }
  }

  /** Index of the `)` closing a `$(` whose body starts at `from`, skipping quotes and nesting. */
  #matchParen(from: number): number {
    const s = this.src
    let depth = 1
    let i = from
    while (i < s.length) {
      const c = s[i]
      if (c === '\\') i += 2
      else if (c === "'") {
        const end = s.indexOf("'", i + 1)
        if (end < 0) break
        i = end + 1
      } else if (c === '"') {
        i++
        while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1
        i++
      } else {
        if (c === '(') depth++
        else if (c === ')' && --depth === 0) return i
        i++
      }
    }
    throw new ShellSyntaxError("unexpected EOF while looking for matching `)'", null)
  }
}

/** Reserved words that start compound commands this shell does not implement. */
const UNSUPPORTED_COMPOUNDS = new Set(['if', 'while', 'until', 'case', 'select', 'function', '{', '[['])
/** Reserved words that can never start a command. */
const MISPLACED_RESERVED = new Set(['do', 'done', 'then', 'else', 'elif', 'fi', 'esac', '}', 'in'])

/** Thrown for valid bash this shell does not run; the message says what to use instead. */
export class ShellUnsupportedError extends Error {}

class Parser {
  #i = 0
  constructor(
    readonly toks: readonly Token[],
    readonly lines: readonly number[]
  ) {}

  parseAll(): List {
    this.#skipNewlines()
    const list = this.#list(new Set())
    const t = this.#peek()
    if (t.type !== 'eof') throw this.#unexpected(t)
    return list
  }

  #peek(): Token {
    return this.toks[this.#i] ?? { type: 'eof' }
  }

  #take(): Token {
    const t = this.#peek()
    if (t.type !== 'eof') this.#i++
    return t
  }

  #skipNewlines(): void {
    while (this.#peek().type === 'newline') this.#i++
  }

  #unexpected(t: Token): ShellSyntaxError {
    if (t.type === 'eof') return new ShellSyntaxError('syntax error: unexpected end of file', null)
    const text = t.type === 'newline' ? 'newline' : t.type === 'op' ? t.op : t.word.raw
    return new ShellSyntaxError(`syntax error near unexpected token \`${text}'`, text)
  }

  /**
   * Where bash needs a word before the line ends (after `>` or `for`), the end of the line is
   * the unexpected token, not the end of input.
   */
  #unexpectedOnLine(t: Token): ShellSyntaxError {
    return this.#unexpected(t.type === 'eof' ? { type: 'newline' } : t)
  }

  /** A plain (unquoted, unexpanded) word's text, for recognising reserved words. */
  #bare(t: Token): string | null {
    if (t.type !== 'word') return null
    const parts = t.word.parts
    if (parts.length !== 1) return null
    const p = parts[0]
    return p && p.kind === 'lit' && !p.quoted ? p.text : null
  }

  /** Commands until EOF or one of `stops` (reserved words closing an enclosing construct). */
  #list(stops: ReadonlySet<string>): AndOr[] {
    const items: AndOr[] = []
    for (;;) {
      this.#skipNewlines()
      const t = this.#peek()
      if (t.type === 'eof') return items
      const bare = this.#bare(t)
      if (bare !== null && stops.has(bare)) return items
      const item = this.#andOr()
      const sep = this.#peek()
      items.push(sep.type === 'op' && sep.op === '&' ? { ...item, background: true } : item)
      if (sep.type === 'op' && (sep.op === ';' || sep.op === '&')) {
        this.#take()
        continue
      }
      if (sep.type === 'newline') continue
      return items
    }
  }

  #andOr(): AndOr {
    const first = this.#pipeline()
    const rest: { op: '&&' | '||'; pipeline: Pipeline }[] = []
    for (;;) {
      const t = this.#peek()
      if (t.type === 'op' && (t.op === '&&' || t.op === '||')) {
        this.#take()
        this.#skipNewlines()
        rest.push({ op: t.op, pipeline: this.#pipeline() })
      } else return { first, rest }
    }
  }

  #pipeline(): Pipeline {
    let negate = false
    if (this.#bare(this.#peek()) === '!') {
      this.#take()
      negate = true
    }
    const commands: Command[] = [this.#command()]
    for (;;) {
      const t = this.#peek()
      if (t.type === 'op' && t.op === '|') {
        this.#take()
        this.#skipNewlines()
        commands.push(this.#command())
      } else return { negate, commands }
    }
  }

  #command(): Command {
    const t = this.#peek()
    const bare = this.#bare(t)
    if (bare === 'for') return this.#for()
    if (bare !== null && MISPLACED_RESERVED.has(bare)) throw this.#unexpected(t)
    if (bare !== null && UNSUPPORTED_COMPOUNDS.has(bare)) {
      throw new ShellUnsupportedError(
        `${bare}: compound commands other than for loops are not available in this lab shell`
      )
    }
    if (t.type === 'op' && t.op === '(') {
      throw new ShellUnsupportedError('(: subshells are not available in this lab shell')
    }
    return this.#simple()
  }

  #redirectsAfter(): Redirect[] {
    const redirects: Redirect[] = []
    for (let t = this.#peek(); t.type === 'op' && REDIRECT_OP.test(t.op); t = this.#peek()) {
      this.#take()
      redirects.push(this.#redirect(t))
    }
    return redirects
  }

  #redirect(op: Token & { type: 'op' }): Redirect {
    const target = this.#take()
    if (target.type !== 'word') throw this.#unexpectedOnLine(target)
    if (op.hereDoc) return { fd: 1, op: '<<', target: op.hereDoc.body ?? { parts: [], raw: '' } }
    return redirectOf(op.op, target.word)
  }

  #simple(): SimpleCommand {
    const line = this.lines[this.#i] ?? 1
    const words: Word[] = []
    const redirects: Redirect[] = []
    for (;;) {
      const t = this.#peek()
      if (t.type === 'word') {
        this.#take()
        words.push(t.word)
        continue
      }
      if (t.type === 'op' && REDIRECT_OP.test(t.op)) {
        this.#take()
        redirects.push(this.#redirect(t))
        continue
      }
      break
    }
    if (words.length === 0 && redirects.length === 0) throw this.#unexpected(this.#peek())
    return { kind: 'simple', words, redirects, line }
  }

  #for(): ForCommand {
    this.#take()
    const nameTok = this.#take()
    if (nameTok.type !== 'word') throw this.#unexpectedOnLine(nameTok)
    const name = nameTok.word.raw
    let items: Word[] | null = null
    let t = this.#peek()
    if (this.#bare(t) === 'in') {
      this.#take()
      items = []
      for (;;) {
        t = this.#peek()
        if (t.type !== 'word') break
        items.push(t.word)
        this.#take()
      }
    }
    t = this.#peek()
    if (t.type === 'op' && t.op === ';') this.#take()
    else if (t.type === 'newline') this.#skipNewlines()
    else if (t.type !== 'word') throw this.#unexpected(t)
    this.#skipNewlines()
    t = this.#take()
    if (this.#bare(t) !== 'do') throw this.#unexpected(t)
    const body = this.#list(new Set(['done']))
    t = this.#take()
    if (this.#bare(t) !== 'done') throw this.#unexpected(t)
    if (body.length === 0) throw new ShellSyntaxError("syntax error near unexpected token `done'", 'done')
    // An invalid loop variable parses; bash refuses it only when the loop runs.
    return { kind: 'for', name, items, body, redirects: this.#redirectsAfter() }
  }
}

const REDIRECT_OP = /^[0-9]?(>>|>&|>)$|^<<?$|^&>$/

function redirectOf(op: string, target: Word): Redirect {
  if (op === '&>') return { fd: 'both', op: '>', target }
  if (op === '<') return { fd: 1, op: '<', target }
  const fd = op.startsWith('2') ? 2 : 1
  const bare = op.replace(/^[0-9]/, '') as '>' | '>>' | '>&'
  return { fd, op: bare, target }
}

/**
 * Whether an interactive bash would print its `> ` prompt and read another line before running
 * this: a here-document without its delimiter line yet, an open quote or `$(`, a trailing
 * backslash. A script or `run:` line that ends there runs as it stands instead.
 */
export function needsMoreInput(src: string): boolean {
  const lexer = new Lexer(src)
  try {
    lexer.tokens()
  } catch (e) {
    return e instanceof ShellSyntaxError && e.message.startsWith('unexpected EOF while looking for matching')
  }
  return lexer.endedEarly
}

/** Parse a command line. Throws `ShellSyntaxError` or `ShellUnsupportedError`. */
export function parseLine(src: string): List {
  const lexer = new Lexer(src)
  return new Parser(lexer.tokens(), lexer.lines).parseAll()
}
