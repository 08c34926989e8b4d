/**
 * Label selectors as the apiserver parses them (k8s.io/apimachinery pkg/labels/selector.go):
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma-joined,
 * with the parser's own error texts.
 */

type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'gt' | 'lt' | 'exists' | '!'

export interface LabelRequirement {
  readonly key: string
  readonly operator: Operator
  readonly values: readonly string[]
}

export type LabelSelector = readonly LabelRequirement[]

type Token =
  'error' | 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'identifier' | 'in' | '<' | '!=' | 'notin' | '('

const LITERALS: Record<string, Token> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  in: 'in',
  '<': '<',
  '!=': '!=',
  notin: 'notin',
  '(': '('
}

const isSpecial = (c: string): boolean => '=!(),><'.includes(c)
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n'

function lex(s: string): { tok: Token; lit: string }[] {
  const items: { tok: Token; lit: string }[] = []
  let pos = 0
  for (;;) {
    while (pos < s.length && isSpace(s[pos]!)) pos++
    if (pos >= s.length) {
      items.push({ tok: 'end', lit: '' })
      return items
    }
    if (isSpecial(s[pos]!)) {
      // The longest run of symbols that is still an operator, as scanSpecialSymbol reads it.
      let buffer = ''
      let last: { tok: Token; lit: string } | undefined
      while (pos < s.length && isSpecial(s[pos]!)) {
        buffer += s[pos]
        const tok = LITERALS[buffer]
        if (tok) last = { tok, lit: buffer }
        else if (last) break
        pos++
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer}'` })
      continue
    }
    let word = ''
    while (pos < s.length && !isSpecial(s[pos]!) && !isSpace(s[pos]!)) word += s[pos++]
    items.push({ tok: LITERALS[word] ?? 'identifier', lit: word })
  }
}

const NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

/** k8s.io/apimachinery pkg/util/validation IsQualifiedName: the problems with a label key. */
function qualifiedNameErrors(key: string): string[] {
  const parts = key.split('/')
  if (parts.length > 2)
    return [
      `a qualified name ${NAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`
    ]
  const errs: string[] = []
  const name = parts.length === 2 ? parts[1]! : parts[0]!
  if (parts.length === 2) {
    const prefix = parts[0]!
    if (prefix.length === 0) errs.push('prefix part must be non-empty')
    else {
      if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters')
      if (!SUBDOMAIN_RE.test(prefix))
        errs.push(
          "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        )
    }
  }
  if (name.length === 0) errs.push('name part must be non-empty')
  else if (name.length > 63) errs.push('name part must be no more than 63 characters')
  if (name.length > 0 && !NAME_RE.test(name)) errs.push(`name part ${NAME_MSG}`)
  return errs
}

function labelValueErrors(value: string): string[] {
  const errs: string[] = []
  if (value.length > 63) errs.push('must be no more than 63 characters')
  if (value !== '' && !NAME_RE.test(value)) errs.push(VALUE_MSG)
  return errs
}

class SelectorError extends Error {}

/** field.Invalid's text; a selector parsed without a field path prints it as `<nil>`. */
const invalid = (path: string, value: string, errs: string[]): string =>
  `${path}: Invalid value: "${value}": ${errs.join('; ')}`

const BINARY: Partial<Record<Token, Operator>> = {
  in: 'in',
  notin: 'notin',
  '=': '=',
  '==': '==',
  '!=': '!=',
  '>': 'gt',
  '<': 'lt'
}

class Parser {
  private pos = 0
  constructor(private readonly items: { tok: Token; lit: string }[]) {}

  /** In a value position `in` and `notin` are plain words (`x in (in)`). */
  private look(values: boolean): { tok: Token; lit: string } {
    const it = this.items[this.pos]!
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'identifier', lit: it.lit } : it
  }

  private take(values: boolean): { tok: Token; lit: string } {
    const it = this.look(values)
    this.pos++
    return it
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = []
    for (;;) {
      const { tok, lit } = this.look(true)
      if (tok === 'end') return reqs
      if (tok !== 'identifier' && tok !== '!')
        throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`)
      try {
        reqs.push(this.requirement())
      } catch (e) {
        if (e instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${e.message}`)
        throw e
      }
      const next = this.take(true)
      if (next.tok === 'end') return reqs
      if (next.tok !== ',') throw new SelectorError(`found '${next.lit}', expected: ',' or 'end of string'`)
      const after = this.look(true)
      if (after.tok !== 'identifier' && after.tok !== '!')
        throw new SelectorError(`found '${after.lit}', expected: identifier after ','`)
    }
  }

  private requirement(): LabelRequirement {
    let negated = false
    let { tok, lit } = this.take(true)
    if (tok === '!') {
      negated = true
      ;({ tok, lit } = this.take(true))
    }
    if (tok !== 'identifier') throw new SelectorError(`found '${lit}', expected: identifier`)
    const keyErrs = qualifiedNameErrors(lit)
    if (keyErrs.length > 0) throw new SelectorError(invalid('<nil>', lit, keyErrs))
    const key = lit
    const ahead = this.look(true).tok
    // `!key` takes no operator: what follows it is left for the list's `,` check.
    if (negated) return { key, operator: '!', values: [] }
    if (ahead === 'end' || ahead === ',') return { key, operator: 'exists', values: [] }
    const op = this.take(false)
    const operator = BINARY[op.tok]
    if (operator === undefined)
      throw new SelectorError(`found '${op.lit}', expected: in, notin, =, ==, !=, gt, lt`)
    const values = operator === 'in' || operator === 'notin' ? this.setValues() : this.exactValue()
    const errs: string[] = []
    if ((operator === 'gt' || operator === 'lt') && !/^[-+]?\d+$/.test(values[0] ?? ''))
      errs.push(
        invalid('values[0]', values[0] ?? '', ["for 'Gt', 'Lt' operators, the value must be an integer"])
      )
    values.forEach((v, i) => {
      const problems = labelValueErrors(v)
      if (problems.length > 0) errs.push(invalid(`values[${i}][${key}]`, v, problems))
    })
    // An aggregate of one error prints as that error, of several as a bracketed list.
    if (errs.length === 1) throw new SelectorError(errs[0]!)
    if (errs.length > 1) throw new SelectorError(`[${errs.join(', ')}]`)
    return { key, operator, values }
  }

  private setValues(): string[] {
    const open = this.take(true)
    if (open.tok !== '(') throw new SelectorError(`found '${open.lit}' expected: '('`)
    const first = this.look(true)
    if (first.tok === ')') {
      this.pos++
      return ['']
    }
    if (first.tok !== 'identifier' && first.tok !== ',')
      throw new SelectorError(`found '${first.lit}', expected: ',', ')' or identifier`)
    const set = new Set<string>()
    for (;;) {
      const it = this.take(true)
      if (it.tok === 'identifier') {
        set.add(it.lit)
        const next = this.look(true)
        if (next.tok === ',') continue
        if (next.tok === ')') break
        throw new SelectorError(`found '${next.lit}', expected: ',' or ')'`)
      } else if (it.tok === ',') {
        if (set.size === 0) set.add('')
        const next = this.look(true)
        if (next.tok === ')') {
          set.add('')
          break
        }
        if (next.tok === ',') {
          this.pos++
          set.add('')
        }
      } else throw new SelectorError(`found '${it.lit}', expected: ',', or identifier`)
    }
    if (this.take(true).tok !== ')') throw new SelectorError(`found '${first.lit}', expected: ')'`)
    return [...set].sort()
  }

  private exactValue(): string[] {
    const ahead = this.look(true).tok
    if (ahead === 'end' || ahead === ',') return ['']
    const it = this.take(true)
    if (it.tok === 'identifier') return [it.lit]
    throw new SelectorError(`found '${it.lit}', expected: identifier`)
  }
}

export type LabelSelectorResult =
  { readonly ok: true; readonly selector: LabelSelector } | { readonly ok: false; readonly message: string }

export function parseLabelSelector(text: string): LabelSelectorResult {
  try {
    const reqs = new Parser(lex(text)).parse()
    return { ok: true, selector: reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) }
  } catch (e) {
    if (e instanceof SelectorError) return { ok: false, message: e.message }
    throw e
  }
}

export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return selector.every((r) => {
    const has = Object.hasOwn(labels, r.key)
    const value = labels[r.key] ?? ''
    switch (r.operator) {
      case 'in':
      case '=':
      case '==':
        return has && r.values.includes(value)
      case 'notin':
      case '!=':
        return !has || !r.values.includes(value)
      case 'exists':
        return has
      case '!':
        return !has
      case 'gt':
      case 'lt': {
        if (!has || !/^[-+]?\d+$/.test(value)) return false
        const n = Number(value)
        const limit = Number(r.values[0])
        return r.operator === 'gt' ? n > limit : n < limit
      }
    }
  })
}
