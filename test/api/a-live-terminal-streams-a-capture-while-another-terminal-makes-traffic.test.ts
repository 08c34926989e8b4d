import { expect, test } from 'vitest'
import type { WebHost } from '../../src-main/platform/web/server.ts'
import { rawPost, withWebHost } from './api-call.ts'
import { endOf, errorOf, openStreamSocket, type StreamClient } from './stream-socket-client.ts'

async function post<T>(host: WebHost, method: string, body: unknown): Promise<T> {
  const answer = await rawPost(host, method, body)
  const envelope = JSON.parse(answer.body) as { ok: boolean; value?: T; error?: { message: string } }
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error?.message ?? answer.body}`)
  return envelope.value as T
}

type TerminalEvent =
  | { kind: 'opened'; terminalId: string }
  | { kind: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { kind: 'ended'; exitCode: number }

const events = (page: StreamClient, id: string): TerminalEvent[] => page.events(id) as TerminalEvent[]
const printed = (page: StreamClient, id: string): string =>
  events(page, id)
    .map((e) => (e.kind === 'output' ? e.text : ''))
    .join('')

/**
 * Two terminals of one free-play world over the web host's socket: the capture in one prints
 * the packets a curl in the other sends, as it sends them, and Ctrl+C prints the counts.
 */
test('a capture in one live terminal shows another terminal’s curl, and Ctrl+C ends it with the counts', async () => {
  await withWebHost(
    async (host) => {
      const { id: learnerId } = await post<{ id: string }>(host, 'profiles:create', { name: 'Ada' })
      const { sandboxId } = await post<{ sandboxId: string }>(host, 'sandbox:open', {
        learnerId,
        source: { kind: 'lesson', lessonId: 'tour' }
      })
      const page = openStreamSocket(host.origin, host.token)
      await page.opened
      page.subscribe('cap', 'sandbox:terminal', { learnerId, sandboxId, on: 'client' })
      page.subscribe('cmd', 'sandbox:terminal', { learnerId, sandboxId, on: 'client' })
      const opened = async (id: string): Promise<string> => {
        const m = await page.next((x) => x.id === id && 'event' in x, `${id} opened`)
        return (m as { event: { terminalId: string } }).event.terminalId
      }
      const capture = await opened('cap')
      const other = await opened('cmd')

      const started = await post<{ stderr: string; running?: true }>(host, 'sandbox:terminalInput', {
        learnerId,
        sandboxId,
        terminalId: capture,
        line: 'tcpdump -ni eth0 tcp'
      })
      expect(started.running).toBe(true)
      expect(started.stderr).toMatch(
        /^tcpdump: verbose output suppressed.*\nlistening on eth0, link-type EN10MB/
      )

      const curl = await post<{ stdout: string; exitCode: number }>(host, 'sandbox:terminalInput', {
        learnerId,
        sandboxId,
        terminalId: other,
        line: 'curl -s 10.96.0.100'
      })
      expect(curl.exitCode).toBe(0)
      // The worker sends a terminal's output before the answer of the call that caused it.
      const flags = [...printed(page, 'cap').matchAll(/Flags \[([^\]]+)\]/g)].map((m) => m[1])
      expect(flags).toEqual(['S', 'S.', '.', 'P.', '.', 'P.', '.', 'F.', 'F.', '.'])
      expect(printed(page, 'cap')).toContain('HTTP: GET / HTTP/1.1')
      expect(events(page, 'cmd').filter((e) => e.kind === 'output')).toEqual([])

      await post(host, 'sandbox:terminalInterrupt', { learnerId, sandboxId, terminalId: capture })
      await page.next((x) => x.id === 'cap' && 'event' in x && (x.event as TerminalEvent).kind === 'ended')
      expect(
        printed(page, 'cap').endsWith(
          '\n10 packets captured\n10 packets received by filter\n0 packets dropped by kernel\n'
        )
      ).toBe(true)
      expect(events(page, 'cap').at(-1)).toEqual({ kind: 'ended', exitCode: 0 })

      // A closed terminal's capture stops: the id is no longer a terminal of this world.
      const again = await post<{ running?: true }>(host, 'sandbox:terminalInput', {
        learnerId,
        sandboxId,
        terminalId: capture,
        line: 'tcpdump -ni eth0 &'
      })
      expect(again.running).toBeUndefined()
      page.unsubscribe('cap')
      await page.next(endOf('cap'))
      const closed = await rawPost(host, 'sandbox:terminalInput', {
        learnerId,
        sandboxId,
        terminalId: capture,
        line: 'jobs'
      })
      expect(JSON.parse(closed.body)).toMatchObject({ ok: false, error: { code: 'not_found' } })

      // Resetting the world ends its terminals.
      await post(host, 'sandbox:reset', { learnerId, sandboxId })
      expect(await page.next(errorOf('cmd'))).toMatchObject({ error: { code: 'lab_stopped' } })
      await page.close()
    },
    (service) => ({ streams: service.streams })
  )
})
