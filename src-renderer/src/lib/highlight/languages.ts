/** Highlights `code` in one of the grammars the app ships, as HTML with every character escaped. */
export type Highlight = (code: string, language: CodeLanguage) => string

export type CodeLanguage = 'shellscript' | 'yaml'

/** The grammar for a fence's info string (```sh, ```yaml); null for text shown as it is. */
export function codeLanguage(info: string): CodeLanguage | null {
  const name = info.trim().split(/\s+/)[0]?.toLowerCase() ?? ''
  if (['sh', 'shell', 'bash', 'console', 'shellscript', 'zsh'].includes(name)) return 'shellscript'
  if (name === 'yaml' || name === 'yml') return 'yaml'
  return null
}

let loaded: Highlight | null = null
let loading: Promise<Highlight> | null = null

/** The highlighter once its chunk has arrived; until then code shows plain. */
export function loadedHighlight(): Highlight | null {
  return loaded
}

/** Fetches the highlighter's chunk (once per page) and builds it. */
export function loadHighlight(): Promise<Highlight> {
  loading ??= import('./shiki-highlight.ts').then((module) => (loaded = module.createHighlight()))
  // A failed load (the app was updated underneath the page) may be retried on the next prose.
  loading.catch(() => (loading = null))
  return loading
}
