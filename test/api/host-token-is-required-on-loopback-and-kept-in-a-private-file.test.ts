import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { createService } from '../../src-main/api/service.ts'
import { startWebHost } from '../../src-main/platform/web/server.ts'
import { tempDir } from '../e2e/harness.ts'
import { lessonsDir, rawPost, rawRequest, rendererFixture, withWebHost } from './api-call.ts'

// Any web page the learner visits can send requests to 127.0.0.1, so loopback proves nothing
// about who calls: the API needs the host's token there too, as Jupyter's does.

describe('the API needs the host token, on loopback too', () => {
  test('a call without the token is 401; the bare URL still serves the app shell', async () => {
    await withWebHost(async (host) => {
      const port = new URL(host.origin).port
      const anonymous = await rawPost(host, 'progress:export', {}, { authorization: '' })
      expect(anonymous.status).toBe(401)
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="podnet-lab"')
      expect(JSON.parse(anonymous.body)).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
      expect(
        (await rawPost(host, 'lessons:list', {}, { authorization: 'Bearer not-the-token' })).status
      ).toBe(401)
      expect((await rawPost(host, 'lessons:list', {})).status).toBe(200)

      const shell = await rawRequest(host.origin, { path: '/', headers: { host: `127.0.0.1:${port}` } })
      expect(shell.status).toBe(200)
      expect(shell.headers['content-type']).toContain('text/html')
      expect(shell.body).toBe(readFileSync(join(rendererFixture, 'index.html'), 'utf8'))
      expect(host.url).toBe(`${host.origin}/?token=${host.token}`)
    })
  })
})

describe('the host keeps its token in a private file in its data folder', () => {
  test('created with mode 0600 on first start, the same after a restart, replaced on rotation', async () => {
    const data = tempDir('podnet-host-token-')
    const tokenFile = join(data.path, 'host-token')
    const service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
    const start = (rotateToken = false) =>
      startWebHost({ handlers: service.handlers, rendererDir: rendererFixture, tokenFile, rotateToken })
    try {
      const first = await start()
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
      expect(readFileSync(tokenFile, 'utf8').trim()).toBe(first.token)
      expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/)
      await first.close()

      const again = await start()
      expect(again.token).toBe(first.token)
      expect((await rawPost(again, 'lessons:list', {})).status).toBe(200)
      await again.close()

      const rotated = await start(true)
      expect(rotated.token).not.toBe(first.token)
      expect(readFileSync(tokenFile, 'utf8').trim()).toBe(rotated.token)
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
      expect((await rawPost(rotated, 'lessons:list', {})).status).toBe(200)
      expect(
        (await rawPost(rotated, 'lessons:list', {}, { authorization: `Bearer ${first.token}` })).status
      ).toBe(401)
      await rotated.close()
    } finally {
      service.close()
      data.remove()
    }
  })
})
