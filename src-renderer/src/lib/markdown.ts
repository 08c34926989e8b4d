import MarkdownIt from 'markdown-it'

/**
 * Lesson prose can come from third-party lesson packs, so raw HTML is escaped (`html: false`)
 * and markdown-it's link validation drops javascript:/vbscript:/data: URLs.
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false })

export function renderMarkdown(source: string): string {
  return md.render(source)
}
