import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createService, type Service } from '../../src-main/api/service.ts'
import { Classroom } from '../../src-main/classroom/classroom.ts'
import { startWebHost, type WebHost } from '../../src-main/platform/web/server.ts'
import { tempDir } from '../e2e/harness.ts'
import { lessonsDir, ok, post, rendererFixture, type Joined } from './classroom-host.ts'

describe('the single-user app on loopback, with a classroom but not in classroom mode', () => {
  const data = tempDir('podnet-class-loopback-')
  let service: Service
  let host: WebHost

  beforeAll(async () => {
    service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
    const classroom = new Classroom({
      store: service.store!,
      handlers: service.handlers,
      lessonDefinition: service.lessonDefinition,
      packsDir: `${data.path}/packs`,
      lessonsDir
    })
    host = await startWebHost({ handlers: service.handlers, rendererDir: rendererFixture, classroom })
  })

  afterAll(async () => {
    await host.close()
    service.close()
    data.remove()
  })

  test('the local instructor calls with the host token, and class:start hands it out', async () => {
    expect((await post(host.origin, 'class:start', { name: 'Local' })).status).toBe(401)
    const started = await ok<{ joinUrl: string; joinCode: string; instructorToken: string | null }>(
      host.origin,
      'class:start',
      { name: 'Local' },
      host.token
    )
    expect(started.instructorToken).toBe(host.token)
    expect(started.joinUrl).toBe(`${host.origin}/#/join?code=${started.joinCode}`)
    expect(started.joinCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/)
  })

  test('a learner token is still scoped to its learner there', async () => {
    const { joinCode } = await ok<{ joinCode: string }>(
      host.origin,
      'class:start',
      { name: 'Local 2' },
      host.token
    )
    const ada = await ok<Joined>(host.origin, 'class:join', { code: joinCode, name: 'Ada' })
    const other = await ok<{ id: string }>(
      host.origin,
      'profiles:create',
      { name: 'Someone else' },
      host.token
    )
    expect(
      (await post(host.origin, 'progress:summary', { learnerId: other.id }, ada.learnerToken)).status
    ).toBe(403)
    expect((await post(host.origin, 'class:list', {}, ada.learnerToken)).status).toBe(403)
    expect(
      (await post(host.origin, 'progress:summary', { learnerId: ada.learnerId }, ada.learnerToken)).status
    ).toBe(200)
  })
})
