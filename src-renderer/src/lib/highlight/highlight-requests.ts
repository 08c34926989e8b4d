import type { CodeLanguage } from './languages.ts'

export interface CodeToHighlight {
  code: string
  language: CodeLanguage
}

export interface HighlightRequest {
  id: number
  items: CodeToHighlight[]
}

export interface HighlightReply {
  id: number
  html: string[]
}

/** The highlighted code of this page so far: lesson text shows the same commands again and again. */
const highlighted = new Map<string, string>()
const keyOf = (code: string, language: CodeLanguage): string => `${language}\u0000${code}`

/** Code highlighted already, or null: it shows plain until `highlightAll` has done it. */
export function highlightedSoFar(code: string, language: CodeLanguage): string | null {
  return highlighted.get(keyOf(code, language)) ?? null
}

type HighlightMany = (items: CodeToHighlight[]) => Promise<string[]>

let highlighter: HighlightMany | null = null

/**
 * The highlighter runs in a worker: building it compiles every grammar rule into a regex, a long
 * task that would hold up the lesson opening beside it. Where no worker starts, the page builds
 * it on its own thread: the code is coloured either way.
 */
function startHighlighter(): HighlightMany {
  let worker: Worker
  try {
    worker = new Worker(new URL('./highlight-worker.ts', import.meta.url), { type: 'module' })
  } catch {
    return highlightHere
  }
  const waiting = new Map<number, (html: string[]) => void>()
  let nextId = 0
  worker.onmessage = (event: MessageEvent<HighlightReply>) => {
    waiting.get(event.data.id)?.(event.data.html)
    waiting.delete(event.data.id)
  }
  const failed = new Promise<never>((_, reject) => {
    worker.onerror = () => {
      worker.terminate()
      highlighter = highlightHere
      reject(new Error('the highlighter worker failed'))
    }
  })
  return (items) => {
    const id = nextId++
    const reply = new Promise<string[]>((resolve) => waiting.set(id, resolve))
    const request: HighlightRequest = { id, items }
    worker.postMessage(request)
    return Promise.race([reply, failed]).catch(() => highlightHere(items))
  }
}

let onThisThread: Promise<(code: string, language: CodeLanguage) => string> | null = null

async function highlightHere(items: CodeToHighlight[]): Promise<string[]> {
  onThisThread ??= import('./shiki-highlight.ts').then((module) => module.createHighlight())
  const highlight = await onThisThread
  return items.map((item) => highlight(item.code, item.language))
}

/** Highlights every item not highlighted yet; `highlightedSoFar` has them once this resolves. */
export async function highlightAll(items: CodeToHighlight[]): Promise<void> {
  const todo = items.filter((item) => !highlighted.has(keyOf(item.code, item.language)))
  if (todo.length === 0) return
  highlighter ??= startHighlighter()
  const html = await highlighter(todo)
  todo.forEach((item, i) => {
    const itemHtml = html[i]
    if (itemHtml !== undefined) highlighted.set(keyOf(item.code, item.language), itemHtml)
  })
}
