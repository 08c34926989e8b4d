import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, test } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const locales = ['en', 'zh-CN'] as const

/** A message as stored: a plain text, or (plurals and other variants) one text per case. */
type Stored = string | { match: Record<string, string> }[]

/** Each message's texts: one, or one per variant. */
function messages(locale: string): Record<string, string[]> {
  const raw = JSON.parse(
    readFileSync(join(root, 'src-renderer/messages', `${locale}.json`), 'utf8')
  ) as Record<string, Stored>
  return Object.fromEntries(
    Object.entries(raw)
      .filter(([key]) => !key.startsWith('$'))
      .map(([key, stored]) => [key, typeof stored === 'string' ? [stored] : variants(stored)])
  )
}

function variants(stored: Exclude<Stored, string>): string[] {
  return stored.flatMap((message) => Object.values(message.match))
}

/** Every parameter a message takes, in any of its variants. */
function placeholders(texts: string[]): string[] {
  const names = texts.flatMap((text) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string))
  return [...new Set(names)].sort()
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (name === 'paraglide') return []
    if (statSync(path).isDirectory()) return sources(path)
    return /\.(svelte|ts)$/.test(name) ? [path] : []
  })
}

describe('UI messages', () => {
  const byLocale = Object.fromEntries(locales.map((l) => [l, messages(l)])) as Record<
    (typeof locales)[number],
    Record<string, string[]>
  >

  test('both locales define the same keys, none of them empty', () => {
    const en = Object.keys(byLocale.en).sort()
    const zh = Object.keys(byLocale['zh-CN']).sort()
    expect(
      en.filter((k) => !zh.includes(k)),
      'missing in zh-CN'
    ).toEqual([])
    expect(
      zh.filter((k) => !en.includes(k)),
      'missing in en'
    ).toEqual([])
    for (const locale of locales) {
      const empty = Object.entries(byLocale[locale]).filter(([, texts]) =>
        texts.some((text) => text.trim() === '')
      )
      expect(
        empty.map(([key]) => key),
        `empty in ${locale}`
      ).toEqual([])
    }
  })

  test('each message takes the same parameters in both locales', () => {
    const mismatched = Object.keys(byLocale.en).filter(
      (key) =>
        placeholders(byLocale.en[key] ?? []).join() !== placeholders(byLocale['zh-CN'][key] ?? []).join()
    )
    expect(mismatched).toEqual([])
  })

  test('every message the renderer uses exists in both locales', () => {
    const used = new Set<string>()
    for (const file of sources(join(root, 'src-renderer/src'))) {
      // Comments may mention `m.key()` as an example; only code counts.
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '')
      for (const match of code.matchAll(/\bm\.([a-z][a-z0-9_]*)\b/g)) used.add(match[1] as string)
    }
    expect(used.size).toBeGreaterThan(50)
    for (const locale of locales) {
      expect(
        [...used].filter((key) => !(key in byLocale[locale])),
        `used but missing in ${locale}`
      ).toEqual([])
    }
  })
})
