/** Where a JSON text first breaks the grammar, counted the ways an editor and a hex viewer count. */
export interface JsonSyntaxError {
  message: string
  /** 1-based. */
  line: number
  /** 1-based, in characters. */
  column: number
  /** 0-based offset in the UTF-8 bytes of the file. */
  byteOffset: number
}

/**
 * Finds the first syntax error in `text` (RFC 8259), or null when it is valid JSON. V8's own
 * messages do not always carry a position, so import runs this after JSON.parse has failed.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let i = 0
  const fail = (message: string): never => {
    throw new Located(message, i)
  }
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length
    else fail(`unexpected ${describe(text, i)}, expected a JSON value`)
  }
  const string = (): void => {
    i++
    for (;;) {
      if (i >= text.length) fail('unterminated string')
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        i++
        return
      }
      if (c < 0x20) fail('control character in string (escape it as \\u00XX)')
      if (c === 0x5c) {
        const e = text[i + 1]
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6
        else {
          i++
          fail('invalid escape in string')
        }
      } else i++
    }
  }
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (!m || m[0] === '-') fail(`unexpected ${describe(text, i)}, expected a JSON value`)
    i += m![0].length
  }
  const value = (depth: number): void => {
    if (depth > 1000) fail('nesting deeper than 1000 levels')
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      ws()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        ws()
        if (text[i] !== '"')
          fail(`unexpected ${describe(text, i)}, expected a property name in double quotes`)
        string()
        ws()
        if (text[i] !== ':') fail(`unexpected ${describe(text, i)}, expected ':'`)
        i++
        value(depth + 1)
        ws()
        if (text[i] === ',') i++
        else if (text[i] === '}') {
          i++
          return
        } else fail(`unexpected ${describe(text, i)}, expected ',' or '}'`)
      }
    }
    if (c === '[') {
      i++
      ws()
      if (text[i] === ']') {
        i++
        return
      }
      for (;;) {
        value(depth + 1)
        ws()
        if (text[i] === ',') i++
        else if (text[i] === ']') {
          i++
          return
        } else fail(`unexpected ${describe(text, i)}, expected ',' or ']'`)
      }
    }
    if (c === '"') return string()
    if (c === 't') return literal('true')
    if (c === 'f') return literal('false')
    if (c === 'n') return literal('null')
    number()
  }
  try {
    value(0)
    ws()
    if (i < text.length) fail(`unexpected ${describe(text, i)} after the end of the JSON value`)
    return null
  } catch (error) {
    if (!(error instanceof Located)) throw error
    const before = text.slice(0, error.index)
    const lastNewline = before.lastIndexOf('\n')
    return {
      message: error.message,
      line: before.split('\n').length,
      column: error.index - lastNewline,
      byteOffset: Buffer.byteLength(before, 'utf8')
    }
  }
}

class Located extends Error {
  constructor(
    message: string,
    readonly index: number
  ) {
    super(message)
  }
}

function describe(text: string, i: number): string {
  return i >= text.length ? 'end of file' : JSON.stringify(text[i])
}
