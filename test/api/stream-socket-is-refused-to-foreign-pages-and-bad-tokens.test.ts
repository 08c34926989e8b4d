import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createService, type Service } from '../../src-main/api/service.ts'
import { Classroom } from '../../src-main/classroom/classroom.ts'
import { startWebHost, type WebHost } from '../../src-main/platform/web/server.ts'
import { lessonsDir, ok, rendererFixture, type Joined } from '../classroom/classroom-host.ts'
import { tempDir } from '../e2e/harness.ts'
import { errorOf, eventOf, openStreamSocket, UpgradeRefused } from './stream-socket-client.ts'

/**
 * The stream socket is held to the rules of the host's POSTs: only its own names in `Host`, only
 * its own pages as `Origin`, a valid token. A browser cannot read why an upgrade failed, so a
 * token that is unknown (or revoked while the socket is open) closes the socket with 4401 and a
 * reason the page can read.
 */
describe('the stream socket', () => {
  const data = tempDir('podnet-stream-refusals-')
  let service: Service
  let classroom: Classroom
  let host: WebHost
  let origin: string
  let room: { classId: string; joinCode: string }
  const heartbeatMs = 300

  beforeAll(async () => {
    const packsDir = join(data.path, 'packs')
    service = createService({ dataDir: data.path, lessonsDir, packsDir, version: 'test' })
    classroom = new Classroom({
      store: service.store!,
      handlers: service.handlers,
      lessonDefinition: service.lessonDefinition,
      packsDir,
      lessonsDir
    })
    host = await startWebHost({
      handlers: service.handlers,
      rendererDir: rendererFixture,
      classroom,
      classroomMode: true,
      // Short request limits: an open socket is not a request that takes too long.
      limits: { streamHeartbeatMs: heartbeatMs, headersTimeoutMs: 400, requestTimeoutMs: 500 }
    })
    origin = host.origin
    room = await ok(origin, 'class:start', { name: 'Room' }, host.token)
  })

  afterAll(async () => {
    await host.close()
    service.close()
    data.remove()
  })

  const refusedWith = async (client: ReturnType<typeof openStreamSocket>): Promise<UpgradeRefused> => {
    const error = await client.opened.then(
      () => new Error('the upgrade was accepted'),
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(UpgradeRefused)
    return error as UpgradeRefused
  }

  test('a page from a foreign origin is refused at the upgrade', async () => {
    for (const foreign of ['http://attacker.example', 'null', `${origin.replace(/:\d+$/, ':1')}`]) {
      const client = openStreamSocket(origin, host.token, { clientOptions: { origin: foreign } })
      const refused = await refusedWith(client)
      expect(refused.status, foreign).toBe(403)
      expect(JSON.parse(refused.body)).toEqual({
        ok: false,
        error: { code: 'forbidden', message: expect.stringMatching(/may not call this host/) }
      })
    }
  })

  test('a foreign Host (DNS rebinding) is refused at the upgrade', async () => {
    const client = openStreamSocket(origin, host.token, {
      clientOptions: { headers: { host: 'attacker.example' }, origin: 'http://attacker.example' }
    })
    const refused = await refusedWith(client)
    expect(refused.status).toBe(403)
    expect(refused.body).toMatch(/does not answer to the name \\"attacker.example\\"/)
  })

  test('the host’s own page is let in; a socket without the protocol or at another path is not', async () => {
    const own = openStreamSocket(origin, host.token, { clientOptions: { origin } })
    await own.opened
    expect(own.socket.protocol).toBe('podnet-streams.v1')
    await own.close()

    const noProtocol = openStreamSocket(origin, host.token, { protocols: [`bearer.${host.token}`] })
    expect((await refusedWith(noProtocol)).status).toBe(400)
  })

  test('an open socket outlives the request timeouts; it is kept by its heartbeat', async () => {
    const page = openStreamSocket(origin, host.token)
    await page.opened
    await new Promise((resolve) => setTimeout(resolve, 1_600))
    page.subscribe('a', 'class:events', { classId: room.classId })
    await page.next(eventOf('a', 'snapshot'))
    await page.close()
  })

  test('an unknown token closes the socket with 4401 and says why', async () => {
    const client = openStreamSocket(origin, 'not-a-token-of-this-host-at-all-xxxxxxxx')
    await client.opened
    const closed = await client.closed
    expect(closed.code).toBe(4401)
    expect(closed.reason).toMatch(/not valid for this host/)
  })

  test('a learner token may open the socket but not subscribe to the class feed', async () => {
    const ada = await ok<Joined>(origin, 'class:join', { code: room.joinCode, name: 'Ada' })
    const page = openStreamSocket(origin, ada.learnerToken)
    await page.opened
    page.subscribe('a', 'class:events', { classId: room.classId })
    expect(await page.next(errorOf('a'))).toEqual({
      id: 'a',
      error: {
        code: 'forbidden',
        message: 'class:events is for the instructor; a learner token cannot subscribe to it'
      }
    })
    expect(classroom.listenerCount(room.classId)).toBe(0)
    await page.close()
  })

  test('without a token, no subscription needing one is opened', async () => {
    const page = openStreamSocket(origin, null)
    await page.opened
    page.subscribe('a', 'class:events', { classId: room.classId })
    expect(await page.next(errorOf('a'))).toMatchObject({ error: { code: 'unauthorized' } })
    await page.close()
  })

  test('a learner token revoked while its socket is open (the class closed) closes the socket', async () => {
    const other = await ok<{ classId: string; joinCode: string }>(
      origin,
      'class:start',
      { name: 'Closing soon' },
      host.token
    )
    const bo = await ok<Joined>(origin, 'class:join', { code: other.joinCode, name: 'Bo' })
    const page = openStreamSocket(origin, bo.learnerToken)
    await page.opened
    await ok(origin, 'class:close', { classId: other.classId }, host.token)
    const closed = await page.closed
    expect(closed.code).toBe(4401)
    expect(closed.reason).toMatch(/class was closed/)
  })

  test('a client that stops answering pings is cut off', async () => {
    const page = openStreamSocket(origin, host.token, { clientOptions: { autoPong: false } })
    await page.opened
    page.subscribe('a', 'class:events', { classId: room.classId })
    await page.next(eventOf('a', 'snapshot'))
    expect(classroom.listenerCount(room.classId)).toBe(1)
    const closed = await page.closed
    expect(closed.code).toBe(1006)
    expect(classroom.listenerCount(room.classId)).toBe(0)
  })
})
