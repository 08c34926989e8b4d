import MarkdownIt from 'markdown-it'
import {
  commandText,
  hasPlaceholder,
  type CommandText
} from '../../../src-main/core/lesson/command-target.ts'
import { codeLanguage, type Highlight } from './highlight/languages.ts'
import { glossaryLinks } from './glossary-links.ts'
import { isRunnable } from './terminal/commands.ts'

/**
 * Lesson prose can come from third-party lesson packs, so raw HTML is escaped (`html: false`)
 * and markdown-it's link validation drops javascript:/vbscript:/data: URLs.
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false })
const escape = md.utils.escapeHtml
md.use(glossaryLinks)

/** What a render adds to plain Markdown; each part is off when its label is absent. */
export interface ProseOptions {
  /** Commands get a Run button, named "Run in the terminal: …" when they name no shell. */
  runLabel?: string | undefined
  /** The Run button's name for a command that names its shell: "Run on node-1". */
  runOnLabel?: ((target: string) => string) | undefined
  /** Commands get a Copy button of this name. */
  copyLabel?: string | undefined
  /** Code blocks get a Copy button of this name, and scroll in a box named `codeLabel`. */
  copyBlockLabel?: string | undefined
  codeLabel?: string | undefined
  /** Each table sits in a box of this name that scrolls sideways when the column is narrower. */
  tableLabel?: string | undefined
  /** Colours shell and YAML code it has highlighted; the rest shows plain. */
  highlight?: Highlight | null | undefined
  /** Glossary terms an earlier step of the lesson already linked: linked once, where first met. */
  glossaryLinked?: ReadonlySet<string> | undefined
}

/** Set for the duration of one render. */
let options: ProseOptions = {}

const shellBlock = (info: string): boolean => codeLanguage(info) === 'shellscript'

function highlighted(code: string, info: string): string {
  const language = codeLanguage(info)
  return (language && options.highlight?.(code, language)) ?? escape(code)
}

// Drawn, not a glyph: fonts differ in whether they have one, and screen readers read the button's name.
const copyIcon =
  '<svg aria-hidden="true" focusable="false" viewBox="0 0 16 16" width="14" height="14"><rect x="5.5" y="5.5" width="8.5" height="8.5" rx="1.5"/><path d="M10.5 3.5v-.5A1.5 1.5 0 0 0 9 1.5H3A1.5 1.5 0 0 0 1.5 3v6A1.5 1.5 0 0 0 3 10.5h.5"/></svg>'

function copyButton(text: string, label: string): string {
  return `<button type="button" class="copy-code" data-copy="${escape(text)}" aria-label="${escape(label)}" title="${escape(label)}">${copyIcon}</button>`
}

/** A command in a span or a fence line: what it is, whether one click may run it. */
interface ProseCommand extends CommandText {
  runnable: boolean
}

/** A command names its shell, or starts with a tool the lab has; either way nothing is left to fill in to run it. */
function proseCommand(text: string): ProseCommand | null {
  const parsed = commandText(text)
  if (parsed.on !== undefined) return { ...parsed, runnable: !hasPlaceholder(parsed.command) }
  return isRunnable(parsed.command) ? { ...parsed, runnable: true } : null
}

/**
 * A command as one unit: the shell it runs on, as its prompt would show it, then the command;
 * a Run button holding both (when it can run) and a Copy button for the command alone.
 */
function commandHtml(command: ProseCommand): string {
  const prompt = command.on === undefined ? '' : `<span class="command-on">${escape(command.on)}$</span> `
  const code = `<code>${highlighted(command.command, 'sh')}</code>`
  const runLabel =
    command.on === undefined ? options.runLabel : (options.runOnLabel?.(command.on) ?? options.runLabel)
  const body =
    options.runLabel !== undefined && command.runnable
      ? `<button type="button" class="run-command" data-command="${escape(command.command)}"${command.on === undefined ? '' : ` data-on="${escape(command.on)}"`} aria-label="${escape(`${runLabel ?? ''}: ${command.command}`)}">${prompt}${code}</button>`
      : `<span class="command-text">${prompt}${code}</span>`
  const copy =
    options.copyLabel === undefined
      ? ''
      : copyButton(command.command, `${options.copyLabel}: ${command.command}`)
  return `<span class="command">${body}${copy}</span>`
}

const withCommands = (): boolean => options.runLabel !== undefined || options.copyLabel !== undefined

md.renderer.rules.code_inline = (tokens, idx) => {
  const content = tokens[idx]?.content ?? ''
  const command = withCommands() ? proseCommand(content) : null
  return command ? commandHtml(command) : `<code>${escape(content)}</code>`
}

const defaultFence = md.renderer.rules.fence
md.renderer.rules.fence = (tokens, idx, renderOptions, env, self) => {
  const token = tokens[idx]
  if (!token) return ''
  const lines = token.content.split('\n').filter((line) => line.trim() !== '')
  const commands = lines.map(proseCommand)
  const named = commands.some((c) => c?.on !== undefined)
  if (
    withCommands() &&
    (shellBlock(token.info) || named) &&
    commands.length > 0 &&
    commands.every((c) => c !== null)
  ) {
    return `<div class="command-block">${commands.map((c) => commandHtml(c as ProseCommand)).join('')}</div>\n`
  }
  if (options.codeLabel === undefined)
    return defaultFence ? defaultFence(tokens, idx, renderOptions, env, self) : ''
  // A block wider than the column scrolls sideways in its own box, which keyboard users can focus.
  const language = codeLanguage(token.info)
  const code = `<code${language ? ` class="language-${language}"` : ''}>${highlighted(token.content, token.info)}</code>`
  const copy =
    options.copyBlockLabel === undefined
      ? ''
      : copyButton(token.content.replace(/\n$/, ''), options.copyBlockLabel)
  return `<div class="code-block"><pre tabindex="0" role="region" aria-label="${escape(options.codeLabel)}">${code}</pre>${copy}</div>\n`
}

// A table wider than the lesson column scrolls sideways inside its own box, which keyboard users
// can focus to scroll; the column itself never scrolls sideways.
md.renderer.rules.table_open = () =>
  options.tableLabel === undefined
    ? '<table>\n'
    : `<div class="table-scroll" role="region" tabindex="0" aria-label="${escape(options.tableLabel)}"><table>\n`
md.renderer.rules.table_close = () => (options.tableLabel === undefined ? '</table>\n' : '</table></div>\n')

/**
 * Renders lesson Markdown. Without options it is plain Markdown with raw HTML escaped; each
 * option turns on one of the lesson view's additions (see ProseOptions).
 */
export function renderMarkdown(source: string, renderOptions: ProseOptions = {}): string {
  options = renderOptions
  try {
    return md.render(source, { glossarySeen: new Set(renderOptions.glossaryLinked) })
  } finally {
    options = {}
  }
}

/**
 * The glossary terms a lesson's texts link, read in order: what the steps before a step link, so
 * that step links only the terms the learner meets there for the first time.
 */
export function glossaryTermsLinkedBy(sources: readonly string[]): Set<string> {
  const env = { glossarySeen: new Set<string>() }
  for (const source of sources) md.parse(source, env)
  return env.glossarySeen
}
