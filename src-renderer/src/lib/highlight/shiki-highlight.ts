import { createCssVariablesTheme, createHighlighterCoreSync } from 'shiki/core'
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript'
import shellscript from 'shiki/langs/shellscript.mjs'
import yaml from 'shiki/langs/yaml.mjs'
import type { CodeLanguage } from './languages.ts'

/**
 * The highlighter behind every code block and command in lesson text, built in a worker
 * (highlight-requests.ts) when the first prose with code shows. The JavaScript regex engine,
 * because the CSP allows no WebAssembly; only the grammars lessons use. Tokens become classes,
 * never inline styles, so each of the app's themes colours them from styles.css.
 */
const theme = createCssVariablesTheme({ name: 'podnet', variablePrefix: '--shiki-' })
const kinds = new Set([
  'constant',
  'string',
  'comment',
  'keyword',
  'parameter',
  'function',
  'string-expression',
  'punctuation',
  'link'
])

/**
 * The grammar's regexes are compiled on first use, which can take longer than shiki's default
 * half second per line on a slow or busy machine; the line would then stay plain. Lesson lines
 * are short, so a longer limit costs nothing, and a runaway line still ends there.
 */
const tokenizeTimeLimit = 5000
/** Longer lines (a pasted blob in a lesson pack) are shown plain rather than tokenised. */
const tokenizeMaxLineLength = 2000

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }
const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => escapes[c] ?? c)

export function createHighlight(): (code: string, language: CodeLanguage) => string {
  const highlighter = createHighlighterCoreSync({
    themes: [theme],
    langs: [shellscript, yaml],
    engine: createJavaScriptRegexEngine()
  })
  return (code, language) =>
    highlighter
      .codeToTokensBase(code, { lang: language, theme: 'podnet', tokenizeTimeLimit, tokenizeMaxLineLength })
      .map((line) =>
        line
          .map((token) => {
            const kind = /^var\(--shiki-token-([a-z-]+)\)$/.exec(token.color ?? '')?.[1]
            const text = escape(token.content)
            return kind && kinds.has(kind) ? `<span class="tok-${kind}">${text}</span>` : text
          })
          .join('')
      )
      .join('\n')
}
