import { describe, expect, test } from 'vitest'
import { permissionRequestHandler } from '../../src-main/platform/electron/permissions.ts'

const app = 'app://podnet/index.html'

/** What the session's handler answers for one request, as Electron would call it. */
function answer(
  appUrl: string | null,
  permission: string,
  requestingUrl: string,
  isMainFrame = true,
  pageUrl = requestingUrl
): boolean {
  let granted: boolean | undefined
  const handler = permissionRequestHandler(appUrl)
  const contents = { getURL: () => pageUrl } as unknown as Parameters<typeof handler>[0]
  const details = { requestingUrl, isMainFrame } as unknown as Parameters<typeof handler>[3]
  handler(contents, permission as Parameters<typeof handler>[1], (ok) => (granted = ok), details)
  if (granted === undefined) throw new Error('the handler never answered')
  return granted
}

describe('permissions in the desktop app', () => {
  test("the app's own page may write the clipboard, so the lesson's Copy buttons work", () => {
    expect(answer(app, 'clipboard-sanitized-write', `${app}#/lessons/tour`)).toBe(true)
  })

  test('so may the dev server page in development', () => {
    expect(answer('http://localhost:5173/', 'clipboard-sanitized-write', 'http://localhost:5173/#/')).toBe(
      true
    )
  })

  test('a file, another host or origin, or a frame inside the page may not', () => {
    expect(answer(app, 'clipboard-sanitized-write', 'file:///tmp/evil.html')).toBe(false)
    expect(answer(app, 'clipboard-sanitized-write', 'app://evil/index.html')).toBe(false)
    expect(answer(app, 'clipboard-sanitized-write', 'evil://podnet/index.html')).toBe(false)
    expect(answer(app, 'clipboard-sanitized-write', 'https://example.com/')).toBe(false)
    expect(answer(app, 'clipboard-sanitized-write', app, false)).toBe(false)
    expect(answer('http://localhost:5173/', 'clipboard-sanitized-write', 'http://localhost:5174/')).toBe(
      false
    )
  })

  test('a request without a URL is judged by the page that made it', () => {
    expect(answer(app, 'clipboard-sanitized-write', '', true, app)).toBe(true)
    expect(answer(app, 'clipboard-sanitized-write', '', true, 'https://example.com/')).toBe(false)
  })

  test('every other permission stays refused, the clipboard read included', () => {
    for (const permission of [
      'clipboard-read',
      'media',
      'notifications',
      'geolocation',
      'openExternal',
      'fullscreen'
    ])
      expect(answer(app, permission, app), permission).toBe(false)
  })

  test("the instructor's window, which shows no lesson, gets nothing", () => {
    expect(answer(null, 'clipboard-sanitized-write', 'http://192.168.1.20:4317/')).toBe(false)
  })
})
