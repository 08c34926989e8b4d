import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { afterEach, describe, expect, test, vi } from 'vitest'
import type { ApiErrorBody } from '../../src-main/api/envelope.ts'
import { methodNames } from '../../src-main/api/method-names.ts'
import type { Service } from '../../src-main/api/service.ts'
import { openStream, streamHandlersOf, StreamConnection } from '../../src-main/api/stream-dispatch.ts'
import type { StreamBridge, StreamContext } from '../../src-main/api/streams.ts'
import { streamPortChannel } from '../../src-main/platform/electron/stream-channel.ts'
import { repoRoot } from '../e2e/harness.ts'
import { call, withService } from './api-call.ts'
import { walkLessonTo } from './lesson-walk.ts'

/**
 * Runs the built preload bundle as Electron would (CommonJS, sandboxed: only `electron` can be
 * required), with a recording stand-in for Electron's contextBridge and ipcRenderer, which are
 * not ours and cannot be loaded here without the Electron binary.
 */
function loadPreload(onSend: (channel: string, reply: (ports: MessagePort[]) => void) => void = () => {}): {
  exposed: Map<string, unknown>
  invoked: unknown[][]
  sent: string[]
  required: string[]
} {
  const exposed = new Map<string, unknown>()
  const invoked: unknown[][] = []
  const sent: string[] = []
  const required: string[] = []
  const listeners = new Map<string, (event: { ports: MessagePort[] }) => void>()
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
    ipcRenderer: {
      invoke: (...args: unknown[]) => (invoked.push(args), Promise.resolve({ ok: true, value: null })),
      send: (channel: string) => {
        sent.push(channel)
        onSend(channel, (ports) => listeners.get(channel)?.({ ports }))
      },
      on: (channel: string, listener: (event: { ports: MessagePort[] }) => void) =>
        listeners.set(channel, listener)
    }
  }
  const code = readFileSync(join(repoRoot, 'out', 'preload', 'preload.cjs'), 'utf8')
  const module = { exports: {} }
  const sandboxedRequire = (id: string): unknown => {
    required.push(id)
    if (id === 'electron') return electron
    throw new Error(`a sandboxed preload cannot require "${id}"`)
  }
  runInNewContext(code, { require: sandboxedRequire, module, exports: module.exports, Object, Promise })
  return { exposed, invoked, sent, required }
}

describe('the Electron preload', () => {
  test('is one self-contained CommonJS file that requires nothing but electron', () => {
    const { required } = loadPreload()
    expect(new Set(required)).toEqual(new Set(['electron']))
  })

  test('exposes window.podnet with exactly the contract’s methods and subscribe, nothing else', () => {
    const { exposed } = loadPreload()
    expect([...exposed.keys()]).toEqual(['podnet'])
    const bridge = exposed.get('podnet') as Record<string, unknown>
    expect(Object.keys(bridge).sort()).toEqual([...methodNames, 'subscribe'].sort())
    for (const name of [...methodNames, 'subscribe']) expect(typeof bridge[name]).toBe('function')
  })

  test('each method invokes its own channel with the input, never a caller-chosen one', async () => {
    const { exposed, invoked } = loadPreload()
    const bridge = exposed.get('podnet') as Record<string, (input: unknown) => Promise<unknown>>
    await bridge['lessons:list']!({})
    await bridge['profiles:create']!({ name: 'Ada' })
    expect(invoked).toEqual([
      ['lessons:list', {}],
      ['profiles:create', { name: 'Ada' }]
    ])
  })
})

/**
 * Streams over IPC: the preload asks main for a port once and multiplexes every subscription of
 * the window over it. Main's side is stood in for the way ipc.ts serves the port (a
 * StreamConnection over the same stream handlers as the web host), on a Node MessageChannel
 * instead of Electron's MessageChannelMain.
 */
describe('the Electron preload’s streams', () => {
  const ports: MessagePort[] = []
  let emitNow: StreamContext<'class:events'>['emit'] = () => {}
  /** The streams main stopped, in this test (a port closed after the last one stops its own late). */
  let stopped: string[] = []
  const streams = streamHandlersOf({
    'class:events': ({ classId }, { emit }) => {
      emitNow = emit
      emit({ type: 'class-closed', at: '2026-11-25T09:00:00.000Z' })
      const into = stopped
      return { unsubscribe: () => into.push(classId) }
    }
  })

  /** The preload, with main answering its port request as registerStreams does. */
  function preloadWithMain(served = streams): { bridge: StreamBridge; sent: string[] } {
    const { exposed, sent } = loadPreload((channel, reply) => {
      if (channel !== streamPortChannel) return
      const { port1: ours, port2: theirs } = new MessageChannel()
      ports.push(ours, theirs)
      const connection = new StreamConnection({
        open: (stream, input, sink) => openStream(served, stream, input, sink),
        send: (message) => ours.postMessage(message)
      })
      ours.on('message', (data: unknown) => connection.receive(data))
      ours.on('close', () => connection.close())
      reply([theirs])
    })
    return { bridge: exposed.get('podnet') as StreamBridge, sent }
  }

  afterEach(() => {
    for (const port of ports.splice(0)) port.close()
    stopped = []
    vi.restoreAllMocks()
  })

  test('every subscription shares one port, asked for once; unsubscribing stops the stream in main', async () => {
    const { bridge, sent } = preloadWithMain()
    const a: unknown[] = []
    const b: unknown[] = []
    const stopA = bridge.subscribe(
      'class:events',
      { classId: 'cls_aaaaaaaa' },
      (e) => a.push(e),
      () => {}
    )
    bridge.subscribe(
      'class:events',
      { classId: 'cls_bbbbbbbb' },
      (e) => b.push(e),
      () => {}
    )
    await vi.waitFor(() => expect([a.length, b.length]).toEqual([1, 1]))
    expect(a[0]).toEqual({ type: 'class-closed', at: '2026-11-25T09:00:00.000Z' })
    expect(sent).toEqual([streamPortChannel])

    stopA()
    await vi.waitFor(() => expect(stopped).toEqual(['cls_aaaaaaaa']))
    stopA()
    expect(sent).toEqual([streamPortChannel])
  })

  test('main validates input and events before they reach the window', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const { bridge } = preloadWithMain()
    const refused: ApiErrorBody[] = []
    bridge.subscribe(
      'class:events',
      { classId: 'nope' },
      () => {},
      (e) => refused.push(e)
    )
    await vi.waitFor(() => expect(refused).toHaveLength(1))
    expect(refused[0]).toEqual({
      code: 'invalid_input',
      message: 'classId: expected a class id such as cls_…',
      reason: {
        id: 'field_invalid',
        params: { method: 'class:events', field: 'classId', expected: 'bad_format' }
      }
    })

    const events: unknown[] = []
    const failed: ApiErrorBody[] = []
    bridge.subscribe(
      'class:events',
      { classId: 'cls_cccccccc' },
      (e) => events.push(e),
      (e) => failed.push(e)
    )
    await vi.waitFor(() => expect(events).toHaveLength(1))
    emitNow({ type: 'class-closed', at: 42 } as unknown as Parameters<typeof emitNow>[0])
    await vi.waitFor(() => expect(failed).toEqual([{ code: 'internal', message: expect.any(String) }]))
    expect(events).toHaveLength(1)
    expect(stopped).toEqual(['cls_cccccccc'])
  })

  test('carries a live terminal: a capture prints another terminal’s curl; unsubscribing closes it', async () => {
    await withService(async (service: Service, learnerId) => {
      const { bridge } = preloadWithMain(streamHandlersOf(service.streams))
      const { sandboxId } = await call<{ sandboxId: string }>(service, 'sandbox:open', {
        learnerId,
        source: { kind: 'lesson', lessonId: 'tour' }
      })
      const seen: { kind: string; terminalId?: string; text?: string }[] = []
      const stop = bridge.subscribe(
        'lab:terminal',
        { learnerId, lab: { kind: 'sandbox', sandboxId }, on: 'client' },
        (e) => seen.push(e),
        () => {}
      )
      await vi.waitFor(() => expect(seen[0]?.kind).toBe('opened'))
      const terminalId = seen[0]?.terminalId
      const started = await call<{ running?: true }>(service, 'lab:terminalInput', {
        learnerId,
        lab: { kind: 'sandbox', sandboxId },
        terminalId,
        line: 'tcpdump -c 3 -ni eth0 tcp'
      })
      expect(started.running).toBe(true)
      await call(service, 'sandbox:exec', { learnerId, sandboxId, on: 'client', line: 'curl -s 10.96.0.100' })
      await vi.waitFor(() => expect(seen.at(-1)).toEqual({ kind: 'ended', exitCode: 0 }))
      const text = seen.map((e) => e.text ?? '').join('')
      expect([...text.matchAll(/Flags \[([^\]]+)\]/g)].map((m) => m[1])).toEqual(['S', 'S.', '.'])
      expect(
        text.endsWith('3 packets captured\n3 packets received by filter\n0 packets dropped by kernel\n')
      ).toBe(true)

      stop()
      await vi.waitFor(async () =>
        expect(
          await call(service, 'lab:terminalInput', {
            learnerId,
            lab: { kind: 'sandbox', sandboxId },
            terminalId,
            line: 'jobs'
          }).catch((e: Error) => e.message)
        ).toMatch(/^lab:terminalInput: not_found/)
      )
    })
  })

  test('carries a lesson’s live terminal: a capture run as a job, brought back with fg and ended by Ctrl+C passes its task', async () => {
    await withService(async (service: Service, learnerId) => {
      const { bridge } = preloadWithMain(streamHandlersOf(service.streams))
      const lessonId = 'from-outside'
      await walkLessonTo((method, input) => call(service, method, input), learnerId, lessonId, 'local-policy')
      const lab = { kind: 'lesson', lessonId }
      const open = async (on: string): Promise<{ id: string; seen: { kind: string; text?: string }[] }> => {
        const seen: { kind: string; terminalId?: string; text?: string }[] = []
        bridge.subscribe(
          'lab:terminal',
          { learnerId, lab: { kind: 'lesson', lessonId }, on },
          (e) => seen.push(e),
          () => {}
        )
        // A loaded machine may take more than waitFor's default second to open a lesson's terminal.
        await vi.waitFor(() => expect(seen[0]?.kind).toBe('opened'), { timeout: 15_000 })
        return { id: seen[0]?.terminalId ?? '', seen }
      }
      type Answer = { stdout: string; stderr: string; exitCode: number; running?: true; session?: unknown }
      const input = (terminalId: string, line: string): Promise<Answer> =>
        call(service, 'lab:terminalInput', { learnerId, lab, terminalId, line })
      const node2 = await open('node-2')
      const laptop = await open('laptop')

      await input(laptop.id, 'curl -sS --connect-timeout 2 http://192.168.56.11:30090/')
      expect((await input(node2.id, 'tcpdump -ni cni0 tcp port 8080 &')).stderr).toMatch(
        /^\[1\] \d+\ntcpdump: verbose output suppressed.*\nlistening on cni0/
      )
      expect((await input(laptop.id, 'curl -s http://192.168.56.12:30090/')).stdout).toBe('web-1\n')
      // The job's lines reach its terminal's stream as the host pushes them, not with the answer.
      await vi.waitFor(
        () =>
          expect(node2.seen.map((e) => e.text ?? '').join('')).toMatch(
            /IP 192\.168\.56\.100\.\d+ > 10\.244\.2\.2\.8080: Flags \[S\]/
          ),
        { timeout: 15_000 }
      )
      const fg = await input(node2.id, 'fg')
      expect(fg).toMatchObject({ stdout: 'tcpdump -ni cni0 tcp port 8080\n', running: true })
      expect(fg.session).toMatchObject({ step: { kind: 'task', solved: false } })

      const stopped = await call<{ session: unknown }>(service, 'lab:terminalInterrupt', {
        learnerId,
        lab,
        terminalId: node2.id
      })
      // A lesson's line brings the session with its end, as its answer would.
      await vi.waitFor(
        () =>
          expect(node2.seen.at(-1)).toMatchObject({
            kind: 'ended',
            exitCode: 0,
            session: { current: 'local-policy', step: { kind: 'task', solved: true } }
          }),
        { timeout: 15_000 }
      )
      expect(node2.seen.map((e) => e.text ?? '').join('')).toMatch(/\n10 packets captured\n/)
      expect(stopped.session).toMatchObject({ current: 'local-policy', step: { kind: 'task', solved: true } })
    })
  })
})
