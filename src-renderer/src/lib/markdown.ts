import MarkdownIt from 'markdown-it'
import { glossaryLinks } from './glossary-links.ts'
import { isRunnable } from './terminal/commands.ts'

/**
 * Lesson prose can come from third-party lesson packs, so raw HTML is escaped (`html: false`)
 * and markdown-it's link validation drops javascript:/vbscript:/data: URLs.
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false })
const escape = md.utils.escapeHtml
md.use(glossaryLinks)

/** Set for the duration of one render: the localised "run in the terminal" label, or null for plain code. */
let runLabel: string | null = null
/** Set for the duration of one render: the localised name of a table's scrolling box, or null for bare tables. */
let tableLabel: string | null = null

/** A whole command becomes a button carrying it in `data-command`; the player runs it on click. */
function commandButton(command: string, label: string): string {
  return `<button type="button" class="run-command" data-command="${escape(command)}" aria-label="${escape(`${label}: ${command}`)}"><code>${escape(command)}</code></button>`
}

md.renderer.rules.code_inline = (tokens, idx) => {
  const content = tokens[idx]?.content ?? ''
  return runLabel !== null && isRunnable(content)
    ? commandButton(content, runLabel)
    : `<code>${escape(content)}</code>`
}

const defaultFence = md.renderer.rules.fence
md.renderer.rules.fence = (tokens, idx, options, env, self) => {
  const token = tokens[idx]
  const lines = (token?.content ?? '').split('\n').filter((line) => line.trim() !== '')
  const label = runLabel
  if (
    label !== null &&
    token &&
    ['sh', 'shell', 'bash', 'console'].includes(token.info.trim()) &&
    lines.length > 0 &&
    lines.every(isRunnable)
  ) {
    return `<div class="command-block">${lines.map((line) => commandButton(line, label)).join('')}</div>`
  }
  return defaultFence ? defaultFence(tokens, idx, options, env, self) : ''
}

// A table wider than the lesson column scrolls sideways inside its own box, which keyboard users
// can focus to scroll; the column itself never scrolls sideways.
md.renderer.rules.table_open = () =>
  tableLabel === null
    ? '<table>\n'
    : `<div class="table-scroll" role="region" tabindex="0" aria-label="${escape(tableLabel)}"><table>\n`
md.renderer.rules.table_close = () => (tableLabel === null ? '</table>\n' : '</table></div>\n')

/**
 * Renders lesson Markdown. With `runLabel` (the localised "run in the terminal"), code spans and
 * shell blocks that are whole commands become run buttons; with `tableLabel`, each table sits in
 * a box of that name that scrolls sideways when the column is narrower than the table.
 */
export function renderMarkdown(
  source: string,
  options: { runLabel?: string; tableLabel?: string } = {}
): string {
  runLabel = options.runLabel ?? null
  tableLabel = options.tableLabel ?? null
  try {
    return md.render(source)
  } finally {
    runLabel = null
    tableLabel = null
  }
}
