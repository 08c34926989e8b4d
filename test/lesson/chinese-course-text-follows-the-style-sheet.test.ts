import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

/**
 * The Chinese style sheet of docs/authoring-lessons.md, enforced on every Chinese text of the
 * course: the zh-CN prose files and every `zh-CN` string of the lesson files.
 */

const LESSONS = join(__dirname, '../../lessons')
const HAN = '\\u4e00-\\u9fff'

/** Rejected variant → the chosen term. */
const REJECTED_TERMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/规格/, '规约'],
  [/控制面/, '控制平面'],
  [/套接字/, 'socket'],
  [/\bsandbox\b/, '沙箱']
]

const RULES: ReadonlyArray<readonly [string, RegExp]> = [
  [
    'half-width punctuation next to Chinese (use ，；：？！“”（）)',
    new RegExp(`[${HAN}][,;:?!"'(]|[,;:?!"')][${HAN}]`)
  ],
  [
    'no space between Chinese and a Latin word, number or code',
    new RegExp(`[${HAN}][A-Za-z0-9\\u0060]|[A-Za-z0-9%\\u0060][${HAN}]`)
  ],
  ['a space between Chinese characters', new RegExp(`[${HAN}] +[${HAN}]`)]
]

interface ChineseText {
  where: string
  text: string
}

/** Code spans keep their text but stand for one Latin token; bold markers are layout only. */
function prose(text: string): string {
  return text.replace(/`[^`]*`/g, '`').replace(/\*\*/g, '')
}

function problemsIn(t: ChineseText): string[] {
  const text = prose(t.text)
  const found: string[] = []
  for (const [re, chosen] of REJECTED_TERMS) {
    const m = re.exec(text)
    if (m) found.push(`${t.where}: "${m[0]}" is a rejected variant; write "${chosen}"`)
  }
  for (const [rule, re] of RULES) {
    const m = re.exec(text)
    if (m) found.push(`${t.where}: ${rule}: "${text.slice(Math.max(0, m.index - 8), m.index + 10)}"`)
  }
  return found
}

function zhStrings(value: unknown, path: string, file: string, out: ChineseText[]): void {
  if (Array.isArray(value)) value.forEach((v, i) => zhStrings(v, `${path}[${i}]`, file, out))
  else if (value && typeof value === 'object')
    for (const [key, v] of Object.entries(value)) {
      if (key === 'zh-CN' && typeof v === 'string') out.push({ where: `${file}: ${path}.zh-CN`, text: v })
      else zhStrings(v, path ? `${path}.${key}` : key, file, out)
    }
}

/** Prose lines outside fenced blocks: those hold commands and tool output, not Chinese text. */
function proseLines(file: string, markdown: string, out: ChineseText[]): void {
  let fenced = false
  markdown.split('\n').forEach((line, i) => {
    if (line.trimStart().startsWith('```')) fenced = !fenced
    else if (!fenced) out.push({ where: `${file}:${i + 1}`, text: line })
  })
}

function courseChineseTexts(): ChineseText[] {
  const out: ChineseText[] = []
  zhStrings(parse(readFileSync(join(LESSONS, 'index.yaml'), 'utf8')), '', 'index.yaml', out)
  for (const dir of readdirSync(LESSONS, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(LESSONS, dir.name))) {
      const rel = `${dir.name}/${file}`
      const text = readFileSync(join(LESSONS, rel), 'utf8')
      if (file.endsWith('.zh-CN.md')) proseLines(rel, text, out)
      else if (file === 'lesson.yaml') zhStrings(parse(text), '', rel, out)
    }
  }
  return out
}

describe('the Chinese text of the course', () => {
  it('uses the chosen terms, full-width punctuation and spaces around Latin words, numbers and code', () => {
    const texts = courseChineseTexts()
    expect(texts.length).toBeGreaterThan(500)
    expect(texts.flatMap(problemsIn)).toEqual([])
  })

  it('would flag each rejected variant and each spacing or punctuation slip', () => {
    const slips = [
      'Pod 规格里的端口',
      '流量从不经过控制面。',
      '没有套接字在监听',
      '全新的 sandbox：',
      '返回"连接被拒绝"',
      '地址是10.244.1.0',
      '执行`ip route`看看',
      '全新的 沙箱'
    ]
    for (const text of slips) expect(problemsIn({ where: 'sample', text }), text).not.toEqual([])
    expect(problemsIn({ where: 'sample', text: '调用运行时的 `RunPodSandbox`，拿到 10.244.1.5。' })).toEqual(
      []
    )
  })
})
