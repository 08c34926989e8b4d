/**
 * A readline-style line editor for one terminal tab, independent of xterm so it can be reasoned
 * about (and tested) on its own: it turns the bytes xterm's `onData` delivers into edits of the
 * current line, and answers with the escape sequences that redraw it.
 */

/** What the component must do after feeding input. */
export type EditorAction =
  | { kind: 'write'; data: string }
  | { kind: 'submit'; line: string }
  | { kind: 'interrupt' }
  | { kind: 'clear-screen' }
  | { kind: 'complete'; line: string; cursor: number }

const ESC = '\x1b'
/** One CSI (`ESC [ … final`) or SS3 (`ESC O x`) sequence at the start of the input. */
const escapeSequence = new RegExp(`^${ESC}(\\[[0-9;]*[A-Za-z~]|O[A-Za-z])`)

export class LineEditor {
  /** What the line is drawn after: the shell's prompt, or `> ` while bash reads more of a line. */
  prompt: string
  #line = ''
  #cursor = 0
  #history: string[] = []
  /** Position while browsing history; equals history.length when editing a fresh line. */
  #historyIndex = 0
  /** The fresh line the learner was typing before browsing history, restored on ↓ past the end. */
  #draft = ''

  constructor(prompt: string) {
    this.prompt = prompt
  }

  get line(): string {
    return this.#line
  }
  get cursor(): number {
    return this.#cursor
  }

  /** Feeds one `onData` chunk (a key, an escape sequence or a paste). */
  feed(data: string): EditorAction[] {
    const actions: EditorAction[] = []
    let i = 0
    while (i < data.length) {
      const sequence = data.startsWith(ESC, i) ? (escapeSequence.exec(data.slice(i))?.[0] ?? ESC) : null
      if (sequence) {
        i += sequence.length
        actions.push(...this.#escape(sequence))
        continue
      }
      const ch = data[i] as string
      i += 1
      actions.push(...this.#key(ch))
    }
    return actions
  }

  /** Replaces the line (tab completion, a command clicked in the prose) and redraws it. */
  replace(line: string, cursor = line.length): EditorAction {
    this.#line = line
    this.#cursor = Math.min(cursor, line.length)
    return this.#redraw()
  }

  /** Forgets the current line after it was submitted or interrupted. */
  reset(): void {
    this.#line = ''
    this.#cursor = 0
    this.#historyIndex = this.#history.length
    this.#draft = ''
  }

  remember(line: string): void {
    if (line.trim() && this.#history.at(-1) !== line) this.#history.push(line)
    this.#historyIndex = this.#history.length
  }

  #key(ch: string): EditorAction[] {
    switch (ch) {
      case '\r':
      case '\n':
        return [{ kind: 'submit', line: this.#line }]
      case '\x03':
        return [{ kind: 'interrupt' }]
      case '\x0c':
        return [{ kind: 'clear-screen' }]
      case '\t':
        return [{ kind: 'complete', line: this.#line, cursor: this.#cursor }]
      case '\x7f':
      case '\b':
        if (this.#cursor === 0) return []
        this.#line = this.#line.slice(0, this.#cursor - 1) + this.#line.slice(this.#cursor)
        this.#cursor -= 1
        return [this.#redraw()]
      case '\x01':
        return [this.#move(0)]
      case '\x05':
        return [this.#move(this.#line.length)]
      case '\x15':
        return [this.replace('')]
      default:
        if (ch < ' ') return []
        this.#line = this.#line.slice(0, this.#cursor) + ch + this.#line.slice(this.#cursor)
        this.#cursor += 1
        return [this.#redraw()]
    }
  }

  #escape(sequence: string): EditorAction[] {
    switch (sequence) {
      case '\x1b[A':
        return this.#browse(-1)
      case '\x1b[B':
        return this.#browse(1)
      case '\x1b[C':
        return [this.#move(this.#cursor + 1)]
      case '\x1b[D':
        return [this.#move(this.#cursor - 1)]
      case '\x1b[H':
      case '\x1bOH':
      case '\x1b[1~':
        return [this.#move(0)]
      case '\x1b[F':
      case '\x1bOF':
      case '\x1b[4~':
        return [this.#move(this.#line.length)]
      case '\x1b[3~':
        if (this.#cursor >= this.#line.length) return []
        this.#line = this.#line.slice(0, this.#cursor) + this.#line.slice(this.#cursor + 1)
        return [this.#redraw()]
      default:
        return []
    }
  }

  #browse(direction: -1 | 1): EditorAction[] {
    const next = this.#historyIndex + direction
    if (next < 0 || next > this.#history.length) return []
    if (this.#historyIndex === this.#history.length) this.#draft = this.#line
    this.#historyIndex = next
    return [this.replace(next === this.#history.length ? this.#draft : (this.#history[next] as string))]
  }

  #move(to: number): EditorAction {
    this.#cursor = Math.min(Math.max(0, to), this.#line.length)
    return this.#redraw()
  }

  /** Carriage return, erase the line, print prompt and line, then walk the cursor back into place. */
  #redraw(): EditorAction {
    const back = this.#line.length - this.#cursor
    return {
      kind: 'write',
      data: `\r${ESC}[K${this.prompt}${this.#line}${back > 0 ? `${ESC}[${back}D` : ''}`
    }
  }
}
