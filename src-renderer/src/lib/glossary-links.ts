import type { MarkdownIt, StateCore, Token } from 'markdown-it'
import { glossary, type GlossaryTerm } from './glossary/terms.ts'

/**
 * A markdown-it core rule that turns the first mention of each glossary term in a rendered text
 * into a button that opens the term in the glossary (`data-term` names it). Code spans, code
 * blocks, links and headings are left alone: a command must stay exactly as typed, and a button
 * inside a link or a heading would be two controls in one.
 *
 * Every render starts afresh; a caller rendering a lesson's texts one after another can pass the
 * same `env.glossarySeen` set to each, so that a term is linked only where the lesson first uses it.
 */

const latin = /^[\x20-\x7e]+$/
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * A Latin alias is a whole word, and not part of a name such as flannel.1 or net.bridge (a CJK one
 * has no word boundaries); a lower-case alias also matches capitalised, and any in the plural.
 */
function aliasPattern(alias: string): string {
  if (!latin.test(alias)) return escapeRegExp(alias)
  const first = alias[0] as string
  const upper = first.toUpperCase()
  const start = first !== upper ? `[${first}${upper}]` : escapeRegExp(first)
  const before = '(?<![A-Za-z0-9_])(?<![A-Za-z0-9][.-])'
  const after = '(?![A-Za-z0-9_])(?![.-][A-Za-z0-9])'
  return `${before}${start}${escapeRegExp(alias.slice(1))}(?:e?s)?${after}`
}

/** One alternation, longest alias first, so "VXLAN tunnel endpoint" wins over "endpoint". */
function matcher(terms: readonly GlossaryTerm[]): { pattern: RegExp; aliases: { termId: string }[] } {
  const aliases = terms
    .flatMap((term) => term.aliases.map((alias) => ({ alias, termId: term.id })))
    .sort((a, b) => b.alias.length - a.alias.length)
  return {
    pattern: new RegExp(aliases.map((a) => `(${aliasPattern(a.alias)})`).join('|'), 'gu'),
    aliases
  }
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function linkTokens(state: StateCore, text: string, termId: string): Token[] {
  const open = new state.Token('html_inline', '', 0)
  open.content = `<button type="button" class="glossary-term" data-term="${escapeHtml(termId)}" aria-haspopup="dialog">`
  const inner = new state.Token('text', '', 0)
  inner.content = text
  const close = new state.Token('html_inline', '', 0)
  close.content = '</button>'
  return [open, inner, close]
}

/** The text token split at the first mention of each term not yet seen. */
function splitText(
  state: StateCore,
  token: Token,
  found: ReturnType<typeof matcher>,
  seen: Set<string>
): Token[] | null {
  const text = token.content
  const out: Token[] = []
  let last = 0
  for (const match of text.matchAll(found.pattern)) {
    const group = match.slice(1).findIndex((g) => g !== undefined)
    const termId = found.aliases[group]?.termId
    if (termId === undefined || seen.has(termId)) continue
    seen.add(termId)
    const at = match.index
    if (at > last) {
      const before = new state.Token('text', '', 0)
      before.content = text.slice(last, at)
      out.push(before)
    }
    out.push(...linkTokens(state, match[0], termId))
    last = at + match[0].length
  }
  if (out.length === 0) return null
  if (last < text.length) {
    const after = new state.Token('text', '', 0)
    after.content = text.slice(last)
    out.push(after)
  }
  return out
}

export function glossaryLinks(md: MarkdownIt, terms: readonly GlossaryTerm[] = glossary): void {
  const found = matcher(terms)
  md.core.ruler.push('glossary_links', (state) => {
    const env = state.env as { glossarySeen?: Set<string> }
    const seen = (env.glossarySeen ??= new Set<string>())
    let inHeading = false
    for (const block of state.tokens) {
      if (block.type === 'heading_open') inHeading = true
      else if (block.type === 'heading_close') inHeading = false
      if (block.type !== 'inline' || inHeading || !block.children) continue
      let linkDepth = 0
      const children: Token[] = []
      for (const child of block.children) {
        if (child.type === 'link_open') linkDepth++
        else if (child.type === 'link_close') linkDepth--
        const split = child.type === 'text' && linkDepth === 0 ? splitText(state, child, found, seen) : null
        if (split) children.push(...split)
        else children.push(child)
      }
      block.children = children
    }
  })
}
