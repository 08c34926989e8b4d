import { describe, expect, test } from 'vitest'
import { rawPost, withWebHost } from './api-call.ts'

// A page on another origin can still send a POST to the host (a form, or fetch in no-cors mode),
// with the learner's browser as the sender. The browser names that page in `Origin`.

describe('every POST must come from one of the host’s own pages and carry JSON', () => {
  test('a POST from a foreign Origin is 403, even with the token; one from the host’s own origin is served', async () => {
    await withWebHost(async (host) => {
      const foreign = await rawPost(
        host,
        'profiles:create',
        { name: 'Mallory' },
        { origin: 'http://attacker.example' }
      )
      expect(foreign.status).toBe(403)
      expect(JSON.parse(foreign.body)).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      expect(JSON.parse(foreign.body).error.message).toContain('http://attacker.example')

      for (const origin of ['null', 'http://localhost:1', 'file://', `https://attacker.example`]) {
        expect((await rawPost(host, 'lessons:list', {}, { origin })).status, origin).toBe(403)
      }

      const own = await rawPost(host, 'profiles:create', { name: 'Ada' }, { origin: host.origin })
      expect(own.status).toBe(200)
      expect(JSON.parse(own.body)).toMatchObject({ ok: true, value: { name: 'Ada' } })

      const profiles = await rawPost(host, 'profiles:list', {})
      expect(JSON.parse(profiles.body).value.profiles.map((p: { name: string }) => p.name)).toEqual(['Ada'])
    })
  })

  test('a POST whose body is not application/json is 415, naming its content type', async () => {
    await withWebHost(async (host) => {
      const plain = await rawPost(
        host,
        'profiles:create',
        { name: 'Mallory' },
        { 'content-type': 'text/plain' }
      )
      expect(plain.status).toBe(415)
      const body = JSON.parse(plain.body) as { ok: boolean; error: { code: string; message: string } }
      expect(body.ok).toBe(false)
      expect(body.error.message).toContain('"text/plain"')
      expect(body.error.message).toContain('application/json')

      const form = await rawPost(
        host,
        'profiles:create',
        {},
        {
          'content-type': 'application/x-www-form-urlencoded'
        }
      )
      expect(form.status).toBe(415)

      const charset = await rawPost(
        host,
        'profiles:create',
        { name: 'Ada' },
        {
          'content-type': 'application/json; charset=utf-8'
        }
      )
      expect(charset.status).toBe(200)
    })
  })
})
