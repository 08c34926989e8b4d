import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createService, type Service } from '../../src-main/api/service.ts'
import { startWebHost, type WebHost } from '../../src-main/platform/web/server.ts'
import { repoRoot, tempDir } from '../e2e/harness.ts'

const rendererFixture = join(repoRoot, 'test', 'fixtures', 'renderer')

/** A call with the host's token, as the app opened from the host's link sends it. */
async function post(
  host: WebHost,
  method: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${host.token}` }
) {
  const response = await fetch(`${host.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  })
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: (await response.json()) as unknown
  }
}

describe('the web host serves the contract as POST /api/<method>', () => {
  const data = tempDir('podnet-webhost-')
  let service: Service
  let host: WebHost

  beforeAll(async () => {
    service = createService({ dataDir: data.path, lessonsDir: join(repoRoot, 'lessons'), version: 'test' })
    host = await startWebHost({ handlers: service.handlers, rendererDir: rendererFixture, bodyLimit: 4096 })
  })

  afterAll(async () => {
    await host.close()
    service.close()
    data.remove()
  })

  test('binds to loopback and prints its link with the token', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(host.url).toBe(`${host.origin}/?token=${host.token}`)
  })

  test('a valid call answers 200 with the ok envelope', async () => {
    const result = await post(host, 'lessons:list', {})
    expect(result.status).toBe(200)
    expect(result.body).toMatchObject({ ok: true, value: { lessons: expect.any(Array) } })
  })

  test('an unknown method is 404 JSON', async () => {
    const result = await post(host, 'lessons:destroy', {})
    expect(result.status).toBe(404)
    expect(result.type).toContain('application/json')
    expect(result.body).toEqual({
      ok: false,
      error: {
        code: 'unknown_method',
        message: 'no API method named "lessons:destroy"',
        reason: { id: 'method_unknown', params: { method: 'lessons:destroy' } }
      }
    })
  })

  test('invalid input is 400 JSON naming the field', async () => {
    const result = await post(host, 'lesson:open', { learnerId: 'x', lessonId: 'Not A Lesson' })
    expect(result.status).toBe(400)
    expect(result.body).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect((result.body as { error: { message: string } }).error.message).toMatch(/^lessonId: /)
  })

  test('unexpected fields are refused, naming them', async () => {
    const result = await post(host, 'profiles:create', { name: 'Ada', admin: true })
    expect(result.status).toBe(400)
    expect((result.body as { error: { message: string } }).error.message).toContain('admin')
  })

  test('malformed JSON is 400 JSON', async () => {
    const result = await post(host, 'lessons:list', '{"oops"')
    expect(result.status).toBe(400)
    expect(result.body).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
  })

  test('a body over the size limit is 413 JSON', async () => {
    const result = await post(host, 'profiles:create', { name: 'x'.repeat(10_000) })
    expect(result.status).toBe(413)
    expect(result.body).toMatchObject({ ok: false, error: { code: 'payload_too_large' } })
  })

  test('a missing lesson is 404 with not_found', async () => {
    const learner = await post(host, 'profiles:create', { name: 'Lin' })
    const id = (learner.body as { value: { id: string } }).value.id
    const result = await post(host, 'lesson:open', { learnerId: id, lessonId: 'no-such-lesson' })
    expect(result.status).toBe(404)
    expect(result.body).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })

  test('GET on an API path is 404 JSON, not the renderer', async () => {
    const response = await fetch(`${host.origin}/api/lessons:list`)
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ ok: false, error: { code: 'unknown_method' } })
  })

  test('static paths cannot escape the renderer folder', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json']) {
      const response = await fetch(`${host.origin}${path}`)
      expect(response.status, path).toBe(404)
    }
  })

  test('every response carries the CSP header, including frame-ancestors', async () => {
    const response = await fetch(`${host.origin}/`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
  })
})

describe('a web host that requires a token', () => {
  const data = tempDir('podnet-webhost-token-')
  let service: Service
  let host: WebHost

  beforeAll(async () => {
    service = createService({ dataDir: data.path, lessonsDir: join(repoRoot, 'lessons'), version: 'test' })
    host = await startWebHost({
      handlers: service.handlers,
      rendererDir: rendererFixture,
      token: 'sekrit-token'
    })
  })

  afterAll(async () => {
    await host.close()
    service.close()
    data.remove()
  })

  test('prints the token in the URL it shows', () => {
    expect(host.url).toBe(`${host.origin}/?token=sekrit-token`)
  })

  test('refuses calls without the token and accepts calls with it', async () => {
    expect((await post(host, 'lessons:list', {}, {})).status).toBe(401)
    expect((await post(host, 'lessons:list', {}, { authorization: 'Bearer wrong-token!' })).status).toBe(401)
    expect((await post(host, 'lessons:list', {}, { authorization: 'Bearer sekrit-token' })).status).toBe(200)
  })
})
