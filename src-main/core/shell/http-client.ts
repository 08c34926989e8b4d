/**
 * What wget needs of a URL and of an HTTP answer, parsed the way both GNU Wget and BusyBox
 * read them: a missing scheme means http, the port defaults to the scheme's, the answer is a
 * status line, headers up to a blank line, then the body.
 */

import type { CommandContext } from './command.ts'

export interface HttpUrl {
  readonly scheme: 'http' | 'https'
  /** The host as written, lower-cased. */
  readonly host: string
  /** The port exactly as written after the host (BusyBox prints `host:port` as typed). */
  readonly portText?: string
  readonly port: number
  /** From the first `/`, query included; `/` when the URL has none. */
  readonly path: string
}

/** undefined: not a URL wget can fetch (another scheme, no host, a bad port). */
export function parseHttpUrl(raw: string): HttpUrl | undefined {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?([^/:?#]*)(?::([^/?#]*))?([^#]*)/.exec(raw)
  if (!m) return undefined
  const scheme = (m[1] ?? 'http').toLowerCase()
  if (scheme !== 'http' && scheme !== 'https') return undefined
  const host = (m[2] ?? '').toLowerCase()
  const portText = m[3]
  if (host === '' || (portText !== undefined && !/^\d+$/.test(portText))) return undefined
  const port = portText === undefined ? (scheme === 'https' ? 443 : 80) : Number(portText)
  if (port < 1 || port > 65535) return undefined
  const rest = m[4] ?? ''
  const path = rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest
  return { scheme, host, port, path, ...(portText === undefined ? {} : { portText }) }
}

/** The URL as GNU Wget prints it: the scheme's default port left out. */
export function urlText(u: HttpUrl): string {
  const defaultPort = u.scheme === 'https' ? 443 : 80
  return `${u.scheme}://${u.host}${u.port === defaultPort ? '' : `:${u.port}`}${u.path}`
}

/** The name a download is saved under: the path's last part without its query, else index.html. */
export function remoteFileName(u: HttpUrl): string {
  const last = u.path.split('?')[0]!.split('/').pop() ?? ''
  return last === '' ? 'index.html' : last
}

export interface HttpAnswer {
  readonly statusLine: string
  readonly status: number
  /** The reason phrase after the code (`OK`, `Not Found`). */
  readonly reason: string
  /** Header lines as sent, without the blank line. */
  readonly headers: readonly string[]
  readonly body: string
}

/** undefined: no status line and blank line came (an echo, or nothing at all). */
export function parseHttpAnswer(answer: string): HttpAnswer | undefined {
  const split = answer.indexOf('\r\n\r\n')
  if (!answer.startsWith('HTTP/') || split < 0) return undefined
  const [statusLine = '', ...headers] = answer.slice(0, split).split('\r\n')
  const m = /^HTTP\/\S+\s+(\d{3})\s*(.*)$/.exec(statusLine)
  if (!m) return undefined
  return { statusLine, status: Number(m[1]), reason: m[2] ?? '', headers, body: answer.slice(split + 4) }
}

/** A header's value by case-insensitive name. */
export function headerValue(a: HttpAnswer, name: string): string | undefined {
  const prefix = `${name.toLowerCase()}:`
  const line = a.headers.find((h) => h.toLowerCase().startsWith(prefix))
  return line?.slice(prefix.length).trim()
}

/** Stores what wget saved, by file name; /dev/null keeps nothing, as the device does. */
export function writeDownloads(ctx: CommandContext, saved: ReadonlyMap<string, string>): void {
  for (const [name, body] of saved)
    if (name !== '/dev/null') ctx.writeFile(name, new TextEncoder().encode(body))
}
