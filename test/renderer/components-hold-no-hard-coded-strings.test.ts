import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { parse } from 'svelte/compiler'
import { describe, expect, test } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const rendererSrc = join(root, 'src-renderer/src')

/** Attributes a person reads or a screen reader speaks. */
const spokenAttributes = new Set([
  'aria-label',
  'aria-description',
  'aria-placeholder',
  'aria-roledescription',
  'aria-valuetext',
  'title',
  'placeholder',
  'alt'
])

/**
 * Text that is the same in every language, so it needs no message. Each entry says why.
 * Anything with a word in it that is not here must come from `m.*()`.
 */
const allowed = new Map<string, string>([
  ['ICMP', 'protocol name, written the same in Chinese'],
  ['TCP', 'protocol name, written the same in Chinese'],
  ['UDP', 'protocol name, written the same in Chinese'],
  ['10.244.2.2', 'an example address in the trace form; addresses are not translated'],
  ['English', 'a language named in itself (with lang="en"), so every learner can find their own'],
  ['简体中文', 'a language named in itself (with lang="zh-CN"), so every learner can find their own']
])

/** A word: two letters in a row of any script, or one CJK character. */
const word = /\p{Script=Han}|\p{L}{2,}/u
/** Unit symbols are international (SI and the like) and read the same in both languages. */
const units = /(?<![\p{L}])(ms|µs|KB|MB|px)(?![\p{L}])/gu

interface Finding {
  file: string
  line: number
  text: string
}

function svelteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (name === 'paraglide') return []
    if (statSync(path).isDirectory()) return svelteFiles(path)
    return name.endsWith('.svelte') ? [path] : []
  })
}

type AstNode = { type: string; start?: number; [key: string]: unknown }

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).type === 'string'
}

/**
 * String literals an expression can evaluate to, i.e. what ends up on screen: `{a ? 'Yes' : m.no()}`
 * shows 'Yes'. Literals passed to functions (`x.includes('foo')`) are arguments, not output.
 */
function outputLiterals(expression: AstNode): { text: string; start: number }[] {
  switch (expression.type) {
    case 'Literal':
      return typeof expression['value'] === 'string'
        ? [{ text: expression['value'], start: expression.start ?? 0 }]
        : []
    case 'TemplateLiteral':
      return (expression['quasis'] as AstNode[]).map((q) => ({
        text: (q['value'] as { cooked: string }).cooked,
        start: q.start ?? 0
      }))
    case 'ConditionalExpression':
      return [
        ...outputLiterals(expression['consequent'] as AstNode),
        ...outputLiterals(expression['alternate'] as AstNode)
      ]
    case 'LogicalExpression':
      return outputLiterals(expression['right'] as AstNode)
    case 'BinaryExpression':
      return expression['operator'] === '+'
        ? [
            ...outputLiterals(expression['left'] as AstNode),
            ...outputLiterals(expression['right'] as AstNode)
          ]
        : []
    default:
      return []
  }
}

function hardCodedStrings(file: string, source = readFileSync(file, 'utf8')): Finding[] {
  const ast = parse(source, { modern: true })
  const findings: Finding[] = []
  const report = (text: string, start: number): void => {
    const trimmed = text.replace(/\s+/g, ' ').trim()
    if (!word.test(trimmed.replace(units, '')) || allowed.has(trimmed)) return
    findings.push({
      file: relative(root, file),
      line: source.slice(0, start).split('\n').length,
      text: trimmed
    })
  }
  const reportValue = (value: unknown): void => {
    for (const part of Array.isArray(value) ? value : [value]) {
      if (!isNode(part)) continue
      if (part.type === 'Text') report(part['data'] as string, part.start ?? 0)
      else if (part.type === 'ExpressionTag')
        for (const literal of outputLiterals(part['expression'] as AstNode))
          report(literal.text, literal.start)
    }
  }
  const walk = (node: AstNode): void => {
    if (node.type === 'Text') report(node['data'] as string, node.start ?? 0)
    else if (node.type === 'ExpressionTag') reportValue(node)
    else if (node.type === 'Attribute') {
      if (spokenAttributes.has(node['name'] as string)) reportValue(node['value'])
      return
    }
    for (const [key, value] of Object.entries(node)) {
      // Expressions are only inspected through outputLiterals; everything else in them is code.
      if (key === 'expression' || key === 'test' || key === 'metadata') continue
      if (Array.isArray(value)) value.filter(isNode).forEach(walk)
      else if (isNode(value)) walk(value)
    }
  }
  walk(ast.fragment as unknown as AstNode)
  return findings
}

/** A component written wrongly on purpose: the scan must find each hard-coded string in it, and only those. */
const probe = `<script lang="ts">
  import { m } from './i18n/index.ts'
  let busy = $state(false)
  const items = ['tcp', 'udp']
</script>

<button type="button">Send the packet</button>
<button type="button" aria-label="Close">×</button>
<input placeholder={'Your name'} aria-label={m.app_name()} />
<span title={busy ? m.loading() : '发送'}>{items.includes('tcp') ? '⇄' : '→'}</span>
<p class="status">{busy ? 'Loading' : ''} · 10 ms</p>
<code>/ #</code>
`

describe('renderer components', () => {
  const files = svelteFiles(rendererSrc)

  test('the scan finds the components and would catch a hard-coded label', () => {
    expect(files.length).toBeGreaterThan(5)
    expect(hardCodedStrings(join(root, 'probe.svelte'), probe).map((f) => f.text)).toEqual([
      'Send the packet',
      'Close',
      'Your name',
      '发送',
      'Loading'
    ])
  })

  test('hold no user-facing text that bypasses the translated messages', () => {
    const findings = files.flatMap((file) => hardCodedStrings(file))
    expect(findings.map((f) => `${f.file}:${f.line}: ${JSON.stringify(f.text)}`)).toEqual([])
  })
})
