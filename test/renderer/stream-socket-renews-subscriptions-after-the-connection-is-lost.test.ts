import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { WebSocket } from 'ws'
import type { ClassEvent } from '../../src-main/api/classroom-contract.ts'
import type { ApiErrorBody } from '../../src-main/api/envelope.ts'
import { createService, type Service } from '../../src-main/api/service.ts'
import { Classroom } from '../../src-main/classroom/classroom.ts'
import { startWebHost, type WebHost } from '../../src-main/platform/web/server.ts'
import {
  StreamSocket,
  type SocketLike,
  type StreamConnectionState
} from '../../src-renderer/src/lib/stream-socket.ts'
import { lessonsDir, ok, rendererFixture, type Joined } from '../classroom/classroom-host.ts'
import { tempDir } from '../e2e/harness.ts'

/**
 * The renderer's stream client (lib/stream-socket.ts) against a real class host, with the `ws`
 * package standing in for the browser's WebSocket: a host restart is a state the page shows
 * (`reconnecting`), and the dashboard's subscription is renewed on the new socket with a fresh
 * snapshot; a token the host no longer takes ends the subscriptions with `unauthorized`.
 */
describe('the page’s stream socket', () => {
  const data = tempDir('podnet-stream-client-')
  const token = 'stream-client-test-token-0123456789abcdef'
  let service: Service
  let classroom: Classroom
  let host: WebHost
  let port: number
  let room: { classId: string; joinCode: string }

  const start = async (): Promise<void> => {
    host = await startWebHost({
      handlers: service.handlers,
      rendererDir: rendererFixture,
      classroom,
      classroomMode: true,
      token,
      port
    })
  }

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
    port = 0
    await start()
    port = Number(new URL(host.origin).port)
    room = await ok(host.origin, 'class:start', { name: 'Room' }, token)
  })

  afterAll(async () => {
    await host.close()
    service.close()
    data.remove()
  })

  function client(tokenNow: () => string | null): {
    socket: StreamSocket
    states: StreamConnectionState[]
    unauthorized: string[]
  } {
    const unauthorized: string[] = []
    const socket = new StreamSocket({
      url: () => `ws://127.0.0.1:${port}/api/streams`,
      token: tokenNow,
      socket: (url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike,
      onUnauthorized: (reason) => unauthorized.push(reason),
      backoff: { initialMs: 50, maxMs: 400 },
      idleCloseMs: 100
    })
    const states: StreamConnectionState[] = []
    socket.onState((state) => states.push(state))
    return { socket, states, unauthorized }
  }

  test('a host restart shows as reconnecting, and the feed comes back with a fresh snapshot', async () => {
    const { socket, states } = client(() => token)
    const events: ClassEvent[] = []
    const errors: ApiErrorBody[] = []
    const unsubscribe = socket.subscribe(
      'class:events',
      { classId: room.classId },
      (event) => events.push(event as ClassEvent),
      (error) => errors.push(error)
    )
    await vi.waitFor(() => expect(events.map((e) => e.type)).toEqual(['snapshot']))
    expect(states).toEqual(['idle', 'connecting', 'open'])

    await host.close()
    await vi.waitFor(() => expect(socket.state).toBe('reconnecting'))
    // While the host is down, attempts fail and the page keeps waiting, not erring.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(socket.state).toBe('reconnecting')
    await start()

    await vi.waitFor(() => expect(socket.state).toBe('open'), { timeout: 5_000 })
    await vi.waitFor(() => expect(events.map((e) => e.type)).toEqual(['snapshot', 'snapshot']))
    expect(classroom.listenerCount(room.classId)).toBe(1)
    const ada = await ok<Joined>(host.origin, 'class:join', { code: room.joinCode, name: 'Ada' })
    await vi.waitFor(() =>
      expect(events.at(-1)).toMatchObject({ type: 'learner-joined', learnerId: ada.learnerId })
    )
    expect(errors).toEqual([])

    unsubscribe()
    await vi.waitFor(() => expect(classroom.listenerCount(room.classId)).toBe(0))
    // With nothing left to carry, the socket closes a moment later.
    await vi.waitFor(() => expect(socket.state).toBe('idle'))
  })

  test('a token the host does not take ends the subscriptions with unauthorized, without retrying', async () => {
    let current: string | null = 'pnl_not-a-learner-of-this-class-at-all'
    const { socket, states, unauthorized } = client(() => current)
    const errors: ApiErrorBody[] = []
    socket.subscribe(
      'class:events',
      { classId: room.classId },
      () => {},
      (error) => errors.push(error)
    )
    await vi.waitFor(() => expect(errors).toHaveLength(1))
    expect(errors[0]).toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(/seat was opened in another browser/)
    })
    expect(unauthorized).toHaveLength(1)
    expect(socket.state).toBe('unauthorized')
    expect(states).not.toContain('reconnecting')

    // The page gets a good token (the instructor's link): a new subscription connects with it.
    current = token
    socket.reconnect()
    const events: unknown[] = []
    const unsubscribe = socket.subscribe(
      'class:events',
      { classId: room.classId },
      (e) => events.push(e),
      (e) => errors.push(e)
    )
    await vi.waitFor(() => expect(events).toHaveLength(1))
    expect(socket.state).toBe('open')
    socket.reconnect()
    // Renewed under the (same) token on a new socket: a second snapshot, one listener on the host.
    await vi.waitFor(() => expect(events).toHaveLength(2))
    expect(classroom.listenerCount(room.classId)).toBe(1)
    unsubscribe()
    await vi.waitFor(() => expect(socket.state).toBe('idle'))
  })
})
