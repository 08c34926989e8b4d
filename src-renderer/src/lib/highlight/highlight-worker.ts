import { createHighlight } from './shiki-highlight.ts'
import type { HighlightReply, HighlightRequest } from './highlight-requests.ts'

/** Builds the highlighter here, off the page's thread: compiling its grammars takes longer than a frame. */
const highlight = createHighlight()

self.onmessage = (event: MessageEvent<HighlightRequest>) => {
  const { id, items } = event.data
  const reply: HighlightReply = { id, html: items.map((item) => highlight(item.code, item.language)) }
  self.postMessage(reply)
}
