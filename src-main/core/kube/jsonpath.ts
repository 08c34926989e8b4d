/**
 * kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath) as `-o jsonpath=`,
 * `custom-columns` and `--sort-by` use them: text with `{…}` actions holding `.field`, `['key']`,
 * `[n]`, `[a:b]`, `[*]`, `..field`, `[?(@.f=="v")]`, `range … end` and quoted literals. kubectl
 * allows missing keys, so a path that finds nothing prints nothing.
 */

import type { ApiValue } from './api-objects.ts'

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'recursive'; name: string }
  | { kind: 'index'; start: number | undefined; end: number | undefined; single: boolean }
  | { kind: 'all' }
  | { kind: 'filter'; path: Step[]; op: string | undefined; value: string | number | undefined }

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'path'; steps: Step[] }
  | { kind: 'range'; steps: Step[]; body: Node[] }

export class JsonPathError extends Error {}

function parseSteps(expr: string): Step[] {
  const steps: Step[] = []
  let i = 0
  const s = expr.trim()
  if (s === '@' || s === '$') return steps
  if (s.startsWith('@') || s.startsWith('$')) i = 1
  while (i < s.length) {
    const c = s[i]!
    if (c === '.') {
      const recursive = s[i + 1] === '.'
      i += recursive ? 2 : 1
      let name = ''
      // `\.` keeps a dot inside a key (`.data.config\.conf`), as kubectl's parser does.
      for (; i < s.length; i++) {
        if (s[i] === '\\' && s[i + 1] === '.') name += s[++i]!
        else if (/[A-Za-z0-9_\-/*]/.test(s[i]!)) name += s[i]!
        else break
      }
      if (name === '') {
        if (recursive) throw new JsonPathError('invalid recursive descent')
        continue
      }
      steps.push(name === '*' ? { kind: 'all' } : { kind: recursive ? 'recursive' : 'field', name })
    } else if (c === '[') {
      const close = matchingBracket(s, i)
      if (close < 0) throw new JsonPathError('unterminated array')
      const inner = s.slice(i + 1, close).trim()
      i = close + 1
      if (inner === '*') steps.push({ kind: 'all' })
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) })
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push(parseFilter(inner.slice(2, -1)))
      else {
        const m = /^(-?\d*)(?::(-?\d*))?$/.exec(inner)
        if (!m) throw new JsonPathError(`invalid array index ${inner}`)
        const start = m[1] === '' ? undefined : Number(m[1])
        const end = m[2] === undefined || m[2] === '' ? undefined : Number(m[2])
        steps.push({ kind: 'index', start, end, single: m[2] === undefined })
      }
    } else
      throw new JsonPathError(
        `unrecognized character in action: U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} '${c}'`
      )
  }
  return steps
}

function matchingBracket(s: string, open: number): number {
  let depth = 0
  let quote: string | undefined
  for (let i = open; i < s.length; i++) {
    const c = s[i]!
    if (quote) {
      if (c === quote) quote = undefined
    } else if (c === '"' || c === "'") quote = c
    else if (c === '[') depth++
    else if (c === ']' && --depth === 0) return i
  }
  return -1
}

function parseFilter(text: string): Step {
  const m = /^\s*(@[^=!<>\s]*)\s*(==|!=|<=|>=|<|>)?\s*(.*?)\s*$/.exec(text)
  if (!m) throw new JsonPathError(`invalid filter ${text}`)
  const raw = m[3] ?? ''
  const value = /^'.*'$|^".*"$/.test(raw) ? raw.slice(1, -1) : raw === '' ? undefined : Number(raw)
  return { kind: 'filter', path: parseSteps(m[1]!), op: m[2], value }
}

export function parseTemplate(template: string): Node[] {
  const root: Node[] = []
  const stack: { body: Node[] }[] = [{ body: root }]
  let i = 0
  while (i < template.length) {
    const open = template.indexOf('{', i)
    if (open < 0) {
      stack[stack.length - 1]!.body.push({ kind: 'text', text: template.slice(i) })
      break
    }
    if (open > i) stack[stack.length - 1]!.body.push({ kind: 'text', text: template.slice(i, open) })
    const close = closingBrace(template, open)
    if (close < 0) throw new JsonPathError('unclosed action')
    const action = template.slice(open + 1, close).trim()
    i = close + 1
    const here = stack[stack.length - 1]!.body
    if (/^".*"$|^'.*'$/s.test(action)) {
      here.push({ kind: 'text', text: unescape(action.slice(1, -1)) })
    } else if (action.startsWith('range ') || action === 'range') {
      const node: Node = { kind: 'range', steps: parseSteps(action.slice(5)), body: [] }
      here.push(node)
      stack.push(node)
    } else if (action === 'end') {
      if (stack.length === 1) throw new JsonPathError('not in range, nothing to end')
      stack.pop()
    } else if (action !== '') here.push({ kind: 'path', steps: parseSteps(action) })
  }
  if (stack.length > 1) throw new JsonPathError('unclosed range')
  return root
}

function closingBrace(s: string, open: number): number {
  let quote: string | undefined
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i]!
    if (quote) {
      if (c === '\\') i++
      else if (c === quote) quote = undefined
    } else if (c === '"' || c === "'") quote = c
    else if (c === '}') return i
  }
  return -1
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c)
}

const isMap = (v: ApiValue): v is { [key: string]: ApiValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function step(values: ApiValue[], s: Step): ApiValue[] {
  const out: ApiValue[] = []
  for (const v of values) {
    switch (s.kind) {
      case 'field':
        if (isMap(v) && Object.hasOwn(v, s.name)) out.push(v[s.name]!)
        break
      case 'recursive':
        collect(v, s.name, out)
        break
      case 'all':
        if (Array.isArray(v)) out.push(...v)
        else if (isMap(v))
          out.push(
            ...Object.keys(v)
              .sort()
              .map((k) => v[k]!)
          )
        break
      case 'index': {
        if (!Array.isArray(v)) break
        const norm = (n: number): number => (n < 0 ? v.length + n : n)
        if (s.single) {
          const n = norm(s.start ?? 0)
          if (n < 0 || n >= v.length)
            throw new JsonPathError(`array index out of bounds: index ${s.start ?? 0}, length ${v.length}`)
          out.push(v[n]!)
        } else out.push(...v.slice(norm(s.start ?? 0), s.end === undefined ? undefined : norm(s.end)))
        break
      }
      case 'filter': {
        if (!Array.isArray(v)) break
        for (const item of v) {
          const found = evaluate([item], s.path)
          if (s.op === undefined ? found.length > 0 : found.some((f) => compare(f, s.op!, s.value)))
            out.push(item)
        }
        break
      }
    }
  }
  return out
}

function collect(v: ApiValue, name: string, out: ApiValue[]): void {
  if (isMap(v)) {
    if (Object.hasOwn(v, name)) out.push(v[name]!)
    for (const k of Object.keys(v).sort()) collect(v[k]!, name, out)
  } else if (Array.isArray(v)) for (const x of v) collect(x, name, out)
}

function compare(a: ApiValue, op: string, b: string | number | undefined): boolean {
  const x = typeof b === 'number' ? Number(a) : String(a)
  const y = b ?? ''
  switch (op) {
    case '==':
      return x === y
    case '!=':
      return x !== y
    case '<':
      return x < y
    case '>':
      return x > y
    case '<=':
      return x <= y
    default:
      return x >= y
  }
}

export function evaluate(values: ApiValue[], steps: readonly Step[]): ApiValue[] {
  return steps.reduce(step, values)
}

/** How jsonpath prints one result: strings bare, everything else as compact JSON. */
export function printValue(v: ApiValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v)
}

function execute(nodes: readonly Node[], data: ApiValue): string {
  let out = ''
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text
    else if (n.kind === 'path') out += evaluate([data], n.steps).map(printValue).join(' ')
    else for (const item of evaluate([data], n.steps)) out += execute(n.body, item)
  }
  return out
}

export type JsonPathResult = { ok: true; text: string } | { ok: false; message: string }

/** `-o jsonpath=TEMPLATE`, with kubectl's error texts for templates it cannot parse or run. */
export function runJsonPath(template: string, data: ApiValue): JsonPathResult {
  let nodes: Node[]
  try {
    nodes = parseTemplate(template)
  } catch (e) {
    if (e instanceof JsonPathError)
      return { ok: false, message: `error parsing jsonpath ${template}, ${e.message}` }
    throw e
  }
  try {
    return { ok: true, text: execute(nodes, data) }
  } catch (e) {
    if (e instanceof JsonPathError)
      return {
        ok: false,
        message: `error executing jsonpath "${template}": Error executing template: ${e.message}`
      }
    throw e
  }
}

/** A custom-columns or --sort-by expression: kubectl wraps a bare `.a.b` in braces. */
export function relaxedPath(expr: string): string {
  return expr.startsWith('{') ? expr : `{${expr.startsWith('.') || expr.startsWith('[') ? expr : `.${expr}`}}`
}
