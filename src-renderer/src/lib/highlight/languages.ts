/** Highlights `code` in one of the grammars the app ships, as HTML with every character escaped; null shows it plain. */
export type Highlight = (code: string, language: CodeLanguage) => string | null

export type CodeLanguage = 'shellscript' | 'yaml'

/** The grammar for a fence's info string (```sh, ```yaml); null for text shown as it is. */
export function codeLanguage(info: string): CodeLanguage | null {
  const name = info.trim().split(/\s+/)[0]?.toLowerCase() ?? ''
  if (['sh', 'shell', 'bash', 'console', 'shellscript', 'zsh'].includes(name)) return 'shellscript'
  if (name === 'yaml' || name === 'yml') return 'yaml'
  return null
}
