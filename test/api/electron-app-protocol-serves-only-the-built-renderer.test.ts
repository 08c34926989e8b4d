import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { contentSecurityPolicy } from '../../src-main/platform/csp.ts'
import {
  appEntryUrl,
  appRequestTarget,
  appSchemePrivileges,
  protocolResponse
} from '../../src-main/platform/electron/app-protocol.ts'
import { repoRoot } from '../e2e/harness.ts'

/** A renderer folder with a secret beside it, which no app:// URL may reach. */
let root: string
let rendererDir: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'podnet-app-protocol-'))
  rendererDir = join(root, 'renderer')
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Podnet Lab</title>')
  writeFileSync(join(rendererDir, 'assets', 'index-abc.js'), 'export const ok = 1')
  writeFileSync(join(rendererDir, 'assets', 'index-abc.css'), 'body{}')
  writeFileSync(join(root, 'secret.txt'), 'the learner database password')
  mkdirSync(join(root, 'renderer-evil'))
  writeFileSync(join(root, 'renderer-evil', 'x.js'), 'alert(1)')
})

afterAll(() => rmSync(root, { recursive: true, force: true }))

const get = (url: string, method = 'GET'): Promise<Response> =>
  protocolResponse(new Request(url, { method }), rendererDir)

describe('the app:// protocol of the desktop window', () => {
  test('is registered as a standard, secure scheme the window loads app://podnet/index.html from', () => {
    expect(appEntryUrl).toBe('app://podnet/index.html')
    expect(appSchemePrivileges).toEqual({
      scheme: 'app',
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true }
    })
  })

  test('serves the renderer’s files with their type, the app’s CSP and no sniffing', async () => {
    const page = await get('app://podnet/index.html')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy)
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await page.text()).toContain('<title>Podnet Lab</title>')

    const script = await get('app://podnet/assets/index-abc.js')
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await script.text()).toBe('export const ok = 1')
    expect((await get('app://podnet/assets/index-abc.css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8'
    )
  })

  test('answers / with index.html, and a query or hash does not change the file', async () => {
    expect(await (await get('app://podnet/')).text()).toContain('Podnet Lab')
    expect((await get('app://podnet/index.html?token=x#/lessons')).status).toBe(200)
  })

  test('never reads outside the renderer folder, however the way out is spelled', async () => {
    for (const url of [
      'app://podnet/%2e%2e/secret.txt',
      'app://podnet/%2E%2E/secret.txt',
      'app://podnet/assets/%2e%2e/%2e%2e/secret.txt',
      'app://podnet/..%2fsecret.txt',
      'app://podnet/..%5csecret.txt',
      'app://podnet/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://podnet/%2e%2e/renderer-evil/x.js'
    ]) {
      const answer = await get(url)
      expect(answer.status, url).toBeGreaterThanOrEqual(400)
      expect(await answer.text(), url).not.toContain('password')
    }
    // Plain dots are resolved by the URL parser itself, inside the app.
    expect(appRequestTarget('app://podnet/../../secret.txt', rendererDir)).toEqual({
      kind: 'file',
      path: join(rendererDir, 'secret.txt')
    })
    expect((await get('app://podnet/../../secret.txt')).status).toBe(404)
  })

  test('refuses a NUL, a path that does not decode, another host or scheme', async () => {
    expect((await get('app://podnet/index.html%00.png')).status).toBe(400)
    expect((await get('app://podnet/%E0%A4%A')).status).toBe(400)
    expect((await get('app://evil/index.html')).status).toBe(404)
    expect((await get('app://podnet.evil/index.html')).status).toBe(404)
    expect(appRequestTarget('file:///etc/passwd', rendererDir).kind).toBe('refused')
    expect(appRequestTarget('not a url', rendererDir)).toMatchObject({ kind: 'refused', status: 400 })
  })

  test('answers a missing file or a folder with 404, and anything but GET or HEAD with 405', async () => {
    expect((await get('app://podnet/assets/missing.js')).status).toBe(404)
    expect((await get('app://podnet/assets')).status).toBe(404)
    expect((await get('app://podnet/index.html', 'POST')).status).toBe(405)
    const head = await get('app://podnet/index.html', 'HEAD')
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })
})

describe('the built renderer (out/renderer) over app://', () => {
  const built = join(repoRoot, 'out', 'renderer')
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]
    )

  test('refers to its scripts, styles and icon by relative URLs that the protocol serves', async () => {
    const html = readFileSync(join(built, 'index.html'), 'utf8')
    const references = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(references.length).toBeGreaterThan(2)
    for (const reference of references) {
      expect(reference, 'an absolute path would break under a web host at a sub-path').toMatch(/^\.\//)
      const url = new URL(reference, 'app://podnet/index.html').href
      const answer = await protocolResponse(new Request(url), built)
      expect(answer.status, url).toBe(200)
    }
  })

  test('every file of the build is served with a known type, never as bytes to sniff', async () => {
    for (const file of files(built)) {
      const url = `app://podnet/${relative(built, file).split('\\').join('/')}`
      const answer = await protocolResponse(new Request(url), built)
      expect(answer.status, url).toBe(200)
      expect(answer.headers.get('content-type'), url).not.toBe('application/octet-stream')
    }
  })
})
