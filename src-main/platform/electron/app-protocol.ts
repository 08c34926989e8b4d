import { readFile, stat } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve } from 'node:path'
import type { CustomScheme } from 'electron'
import { contentSecurityPolicy } from '../csp.ts'

// The desktop window's pages come from `app://podnet/…`, served from the built renderer folder
// by protocolResponse below. No electron import: tests run it under Node on real files.

export const appScheme = 'app'
export const appHost = 'podnet'
/** The page the main window opens in production. */
export const appEntryUrl = `${appScheme}://${appHost}/index.html`

/**
 * Registered before the app is ready (Electron's rule). `standard` gives the pages a real origin,
 * `app://podnet`, which relative URLs, CSP's `'self'`, localStorage and the IPC sender check rely
 * on; `secure` makes it a secure context, which the clipboard API behind the Copy buttons needs;
 * `supportFetchAPI` and `corsEnabled` let Chromium fetch the renderer's module scripts (Vite tags
 * them `crossorigin`, a CORS-mode request). No response carries Access-Control-Allow-Origin, so
 * no other origin can read them.
 */
export const appSchemePrivileges: CustomScheme = {
  scheme: appScheme,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true }
}

/** What the build emits; anything else is served as bytes the page cannot run or style. */
const mimeTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8'
}

export function mimeTypeOf(path: string): string {
  return mimeTypes[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

/** Where an `app://` URL leads: a file inside the renderer folder, or why it is refused. */
export type AppRequestTarget =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'refused'; readonly status: 400 | 404; readonly reason: string }

/**
 * The file an `app://podnet/<path>` URL names inside `rendererDir`, or a refusal: another scheme
 * or host, a path that does not decode, that holds a NUL or a backslash, or that climbs out of
 * the folder (`..`, also percent-encoded). `/` is `index.html`.
 */
export function appRequestTarget(url: string, rendererDir: string): AppRequestTarget {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { kind: 'refused', status: 400, reason: 'not a URL' }
  }
  if (parsed.protocol !== `${appScheme}:` || parsed.host !== appHost)
    return { kind: 'refused', status: 404, reason: `not an ${appScheme}://${appHost}/ URL` }
  let path: string
  try {
    path = decodeURIComponent(parsed.pathname)
  } catch {
    return { kind: 'refused', status: 400, reason: 'the path does not decode' }
  }
  if (path.includes('\0') || path.includes('\\'))
    return { kind: 'refused', status: 400, reason: 'the path holds a NUL or a backslash' }
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.')
  if (segments.includes('..')) return { kind: 'refused', status: 404, reason: 'the path leaves the app' }
  const root = resolve(rendererDir)
  const file = resolve(root, ...(segments.length === 0 ? ['index.html'] : segments))
  const inside = relative(root, file)
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside))
    return { kind: 'refused', status: 404, reason: 'the path leaves the app' }
  return { kind: 'file', path: file }
}

/** Headers of every answer: the app's CSP, as the web host sends it, and no type sniffing. */
function baseHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': contentSecurityPolicy,
    'X-Content-Type-Options': 'nosniff'
  }
}

function refusal(status: number, reason: string): Response {
  return new Response(`${status}: ${reason}`, { status, headers: baseHeaders('text/plain; charset=utf-8') })
}

/**
 * The answer to one request of the `app` protocol (protocol.handle's handler): the file, or a
 * plain-text refusal. Only GET and HEAD; nothing outside `rendererDir` is ever read.
 */
export async function protocolResponse(request: Request, rendererDir: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return refusal(405, `${request.method} is not served; the app's files are read-only`)
  const target = appRequestTarget(request.url, rendererDir)
  if (target.kind === 'refused') return refusal(target.status, target.reason)
  const found = await stat(target.path).catch(() => null)
  if (!found?.isFile()) return refusal(404, 'no such file in the app')
  const body = request.method === 'HEAD' ? null : await readFile(target.path)
  return new Response(body, { status: 200, headers: baseHeaders(mimeTypeOf(target.path)) })
}
