/** One server-sent event: its `event:` type and its `data:` text (lines joined with \n). */
export interface ServerEvent {
  type: string
  data: string
}

/**
 * Splits a text/event-stream into events as chunks arrive (the WHATWG parsing rules: blank line
 * ends an event, `:` lines are comments such as the host's keep-alive, CRLF and CR count as line
 * ends). `EventSource` cannot send the instructor's Authorization header, so the dashboard reads
 * the stream with fetch and feeds it here.
 */
export class EventStreamParser {
  #buffer = ''
  #type = ''
  #data: string[] = []

  push(chunk: string): ServerEvent[] {
    this.#buffer += chunk
    const events: ServerEvent[] = []
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer)
      // A lone CR at the end may be the first half of a CRLF still on its way.
      if (!match || (match[0] === '\r' && match.index === this.#buffer.length - 1)) break
      const line = this.#buffer.slice(0, match.index)
      this.#buffer = this.#buffer.slice(match.index + match[0].length)
      const event = this.#line(line)
      if (event) events.push(event)
    }
    return events
  }

  #line(line: string): ServerEvent | null {
    if (line === '') {
      const event =
        this.#data.length > 0 ? { type: this.#type || 'message', data: this.#data.join('\n') } : null
      this.#type = ''
      this.#data = []
      return event
    }
    if (line.startsWith(':')) return null
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') this.#type = value
    else if (field === 'data') this.#data.push(value)
    return null
  }
}
