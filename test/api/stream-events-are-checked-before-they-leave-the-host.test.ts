import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import { internalErrorMessage } from '../../src-main/api/dispatch.ts'
import { ApiError } from '../../src-main/api/envelope.ts'
import { createService, type Service } from '../../src-main/api/service.ts'
import type { StreamContext, StreamHandlers } from '../../src-main/api/streams.ts'
import { startWebHost, type WebHost } from '../../src-main/platform/web/server.ts'
import { lessonsDir, rendererFixture } from '../classroom/classroom-host.ts'
import { tempDir } from '../e2e/harness.ts'
import { endOf, errorOf, eventOf, openStreamSocket } from './stream-socket-client.ts'

const at = '2026-11-25T09:00:00.000Z'

/**
 * Every event is validated against its stream's schema on the host, before any transport sees
 * it: a stray field (an answer key, a path) or a wrong type is logged, never sent, and ends the
 * stream with `internal`. The handler here is a stand-in whose emits the test drives.
 */
describe('stream events on their way out of the host', () => {
  const data = tempDir('podnet-stream-events-')
  let service: Service
  let host: WebHost
  let emitNow: StreamContext<'class:events'>['emit'] = () => {}
  let endNow: StreamContext<'class:events'>['end'] = () => {}
  const started: string[] = []
  const stopped: string[] = []
  let firstEvent: unknown = null

  const streams: Partial<StreamHandlers> = {
    'class:events': ({ classId }, { emit, end }) => {
      started.push(classId)
      emitNow = emit
      endNow = end
      if (firstEvent !== null) emit(firstEvent as Parameters<typeof emit>[0])
      return { unsubscribe: () => stopped.push(classId) }
    }
  }

  beforeAll(async () => {
    service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
    host = await startWebHost({ handlers: service.handlers, rendererDir: rendererFixture, streams })
  })

  afterEach(() => {
    started.length = 0
    stopped.length = 0
    firstEvent = null
    vi.restoreAllMocks()
  })

  afterAll(async () => {
    await host.close()
    service.close()
    data.remove()
  })

  test('a valid event is sent; an invalid one is logged, never sent, and ends the stream', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const page = openStreamSocket(host.origin, host.token)
    await page.opened
    page.subscribe('a', 'class:events', { classId: 'cls_abcdefgh' })
    await vi.waitFor(() => expect(started).toEqual(['cls_abcdefgh']))

    emitNow({ type: 'class-closed', at })
    expect(await page.next(eventOf('a'))).toEqual({ id: 'a', event: { type: 'class-closed', at } })

    // A stray field, as a leaked answer key would be.
    emitNow({ type: 'class-closed', at, answerKey: 'b' } as unknown as Parameters<typeof emitNow>[0])
    expect(await page.next(errorOf('a'))).toEqual({
      id: 'a',
      error: { code: 'internal', message: internalErrorMessage }
    })
    expect(stopped).toEqual(['cls_abcdefgh'])
    // The handler does not know yet and emits again: nothing more leaves the host.
    emitNow({ type: 'class-closed', at })
    page.subscribe('probe', 'nosuch:stream', {})
    await page.next(errorOf('probe'))

    expect(page.messages.filter((m) => m.id === 'a')).toHaveLength(2)
    expect(JSON.stringify(page.messages)).not.toContain('answerKey')
    expect(String(logged.mock.calls[0]?.[0])).toBe('class:events emitted an invalid event, not sent:')
    expect(String(logged.mock.calls[0]?.[1])).toMatch(/answerKey/)
    await page.close()
  })

  test('an invalid first event, emitted while the stream starts, stops the handler it came from', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    firstEvent = { type: 'snapshot', dashboard: { classId: 'cls_abcdefgh' } }
    const page = openStreamSocket(host.origin, host.token)
    await page.opened
    page.subscribe('a', 'class:events', { classId: 'cls_abcdefgh' })
    expect(await page.next(errorOf('a'))).toMatchObject({ error: { code: 'internal' } })
    await vi.waitFor(() => expect(stopped).toEqual(['cls_abcdefgh']))
    expect(page.events('a')).toEqual([])
    await page.close()
  })

  test('the handler may end the stream, with or without an error', async () => {
    const page = openStreamSocket(host.origin, host.token)
    await page.opened
    page.subscribe('a', 'class:events', { classId: 'cls_abcdefgh' })
    await vi.waitFor(() => expect(started).toHaveLength(1))
    endNow()
    await page.next(endOf('a'))
    page.subscribe('b', 'class:events', { classId: 'cls_abcdefgh' })
    await vi.waitFor(() => expect(started).toHaveLength(2))
    endNow(new ApiError('not_found', 'classId: no class with id "cls_abcdefgh"'))
    expect(await page.next(errorOf('b'))).toEqual({
      id: 'b',
      error: { code: 'not_found', message: 'classId: no class with id "cls_abcdefgh"' }
    })
    expect(stopped).toEqual(['cls_abcdefgh', 'cls_abcdefgh'])
    await page.close()
  })

  test('input is validated before the handler runs; unknown streams and duplicate ids are refused', async () => {
    const page = openStreamSocket(host.origin, host.token)
    await page.opened
    page.subscribe('a', 'class:events', { classId: '../../etc' })
    expect(await page.next(errorOf('a'))).toEqual({
      id: 'a',
      error: {
        code: 'invalid_input',
        message: 'classId: expected a class id such as cls_…',
        reason: {
          id: 'field_invalid',
          params: { method: 'class:events', field: 'classId', expected: 'bad_format' }
        }
      }
    })
    page.subscribe('b', 'lab:nosuch', {})
    expect(await page.next(errorOf('b'))).toMatchObject({ error: { code: 'unknown_method' } })
    expect(started).toEqual([])

    page.subscribe('c', 'class:events', { classId: 'cls_abcdefgh' })
    page.subscribe('c', 'class:events', { classId: 'cls_abcdefgh' })
    expect(await page.next(errorOf('c'))).toEqual({
      id: 'c',
      error: { code: 'invalid_input', message: 'id: subscription "c" is already open' }
    })
    page.send({ op: 'subscribe', id: 'd', stream: 'class:events', input: {}, extra: 1 })
    expect(await page.next(errorOf('d'))).toMatchObject({ error: { code: 'invalid_input' } })
    await page.close()
  })

  test('a connection holds at most 32 subscriptions', async () => {
    const page = openStreamSocket(host.origin, host.token)
    await page.opened
    for (let i = 0; i < 33; i++) page.subscribe(`s${i}`, 'class:events', { classId: 'cls_abcdefgh' })
    expect(await page.next(errorOf('s32'))).toMatchObject({
      error: { code: 'invalid_input', message: expect.stringMatching(/at most 32 subscriptions/) }
    })
    await vi.waitFor(() => expect(started).toHaveLength(32))
    page.unsubscribe('s0')
    await page.next(endOf('s0'))
    page.subscribe('s32', 'class:events', { classId: 'cls_abcdefgh' })
    await vi.waitFor(() => expect(started).toHaveLength(33))
    await page.close()
    await vi.waitFor(() => expect(stopped).toHaveLength(33))
  })

  test('a message that is not the protocol closes the socket', async () => {
    const page = openStreamSocket(host.origin, host.token)
    await page.opened
    page.socket.send('hello')
    expect(await page.closed).toEqual({ code: 1008, reason: 'messages are JSON text' })

    const other = openStreamSocket(host.origin, host.token)
    await other.opened
    other.send({ op: 'subscribe' })
    expect((await other.closed).code).toBe(1008)
  })
})

describe('a host without a classroom', () => {
  const data = tempDir('podnet-stream-none-')

  afterAll(() => data.remove())

  test('refuses class:events, naming the stream', async () => {
    const service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
    const host = await startWebHost({ handlers: service.handlers, rendererDir: rendererFixture })
    try {
      const page = openStreamSocket(host.origin, host.token)
      await page.opened
      page.subscribe('a', 'class:events', { classId: 'cls_abcdefgh' })
      expect(await page.next(errorOf('a'))).toEqual({
        id: 'a',
        error: {
          code: 'unknown_method',
          message: 'stream: this host does not serve class:events',
          reason: { id: 'method_unknown', params: { method: 'class:events' } }
        }
      })
      await page.close()
    } finally {
      await host.close()
      service.close()
    }
  })
})
