import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { mainWindowOptions, restorableBounds } from '../../src-main/platform/electron/window-options.ts'
import { isTrustedSenderUrl } from '../../src-main/platform/electron/trusted-sender.ts'
import { repoRoot } from '../e2e/harness.ts'
import { expectHardened } from './electron-checklist.ts'

describe('the Electron window is hardened per Electron’s security checklist', () => {
  const options = mainWindowOptions('/app/out/preload/preload.cjs', {
    width: 1200,
    height: 800,
    maximized: false
  })

  test('isolates the renderer: context isolation, sandbox, no Node, web security on', () => {
    expectHardened(options.webPreferences)
  })

  test('loads only the bundled CommonJS preload', () => {
    expect(options.webPreferences?.preload).toBe('/app/out/preload/preload.cjs')
  })
})

describe('remembered window bounds', () => {
  const display = { x: 0, y: 0, width: 1920, height: 1080 }

  test('are restored when they still lie on a display', () => {
    expect(restorableBounds({ x: 100, y: 80, width: 1000, height: 700, maximized: true }, [display])).toEqual(
      {
        x: 100,
        y: 80,
        width: 1000,
        height: 700,
        maximized: true
      }
    )
  })

  test('drop the position when its monitor is gone, keeping the size', () => {
    expect(
      restorableBounds({ x: 3000, y: 80, width: 1000, height: 700, maximized: false }, [display])
    ).toEqual({
      width: 1000,
      height: 700,
      maximized: false
    })
  })

  test('fall back to defaults for a damaged file', () => {
    expect(restorableBounds('garbage', [display])).toEqual({ width: 1280, height: 820, maximized: false })
  })
})

describe('IPC answers only the app’s own page', () => {
  test('pages of app://podnet are trusted; files, other hosts, schemes and origins are not', () => {
    const app = 'app://podnet/index.html'
    expect(isTrustedSenderUrl(app, app)).toBe(true)
    expect(isTrustedSenderUrl('app://podnet/index.html#/lessons/tour', app)).toBe(true)
    expect(isTrustedSenderUrl('file:///opt/podnet/resources/app.asar/out/renderer/index.html', app)).toBe(
      false
    )
    expect(isTrustedSenderUrl('app://evil/index.html', app)).toBe(false)
    expect(isTrustedSenderUrl('app://podnet.evil/index.html', app)).toBe(false)
    expect(isTrustedSenderUrl('other://podnet/index.html', app)).toBe(false)
    expect(isTrustedSenderUrl('https://example.com/', app)).toBe(false)
    expect(isTrustedSenderUrl('not a url', app)).toBe(false)
  })

  test('in development the dev server origin is trusted', () => {
    expect(isTrustedSenderUrl('http://localhost:5173/#/lessons', 'http://localhost:5173/')).toBe(true)
    expect(isTrustedSenderUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false)
    expect(isTrustedSenderUrl('https://localhost:5173/', 'http://localhost:5173/')).toBe(false)
  })
})

describe('the built renderer', () => {
  const html = readFileSync(join(repoRoot, 'out', 'renderer', 'index.html'), 'utf8')
  const csp = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]

  test('declares a strict Content-Security-Policy', () => {
    expect(csp).toBeDefined()
    const directives = new Map(
      csp!.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/)
        return [name!, values.join(' ')]
      })
    )
    expect(directives.get('default-src')).toBe("'self'")
    expect(directives.get('script-src')).toBe("'self'")
    expect(directives.get('object-src')).toBe("'none'")
    expect(directives.get('base-uri')).toBe("'none'")
    expect(csp).not.toContain('unsafe-eval')
    expect(directives.get('script-src')).not.toContain('unsafe-inline')
  })

  test('has no inline scripts that the CSP would block', () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
  })
})
