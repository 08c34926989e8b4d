import { expect, test } from 'vitest'
import type { WebHost } from '../../src-main/platform/web/server.ts'
import { rawPost, withWebHost } from './api-call.ts'
import { openStreamSocket } from './stream-socket-client.ts'

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

test('Ctrl+Z sent as TSTP stops a live tcpdump as bash tells it, and fg resumes it', async () => {
  await withWebHost(
    async (host) => {
      const { id: learnerId } = await post<{ id: string }>(host, 'profiles:create', { name: 'Ada' })
      const { sandboxId } = await post<{ sandboxId: string }>(host, 'sandbox:open', {
        learnerId,
        source: { kind: 'lesson', lessonId: 'tour' }
      })
      const page = openStreamSocket(host.origin, host.token)
      await page.opened
      page.subscribe('t', 'sandbox:terminal', { learnerId, sandboxId, on: 'client' })
      const m = await page.next((x) => x.id === 't' && 'event' in x, 'opened')
      const terminalId = (m as { event: { terminalId: string } }).event.terminalId
      const input = (line: string): Promise<{ stdout: string; running?: true }> =>
        post(host, 'sandbox:terminalInput', { learnerId, sandboxId, terminalId, line })

      expect((await input('tcpdump -ni eth0 tcp')).running).toBe(true)
      await post(host, 'sandbox:terminalInterrupt', { learnerId, sandboxId, terminalId, signal: 'TSTP' })
      await page.next((x) => x.id === 't' && 'event' in x && (x.event as TerminalEvent).kind === 'ended')
      const said = (page.events('t') as TerminalEvent[]).map((e) => (e.kind === 'output' ? e.text : ''))
      expect(said.join('')).toBe('\n[1]+  Stopped                 tcpdump -ni eth0 tcp\n')
      expect((page.events('t') as TerminalEvent[]).at(-1)).toEqual({ kind: 'ended', exitCode: 148 })
      const fg = await input('fg')
      expect(fg).toMatchObject({ stdout: 'tcpdump -ni eth0 tcp\n', running: true })
      const refused = await rawPost(host, 'sandbox:terminalInterrupt', {
        learnerId,
        sandboxId,
        terminalId,
        signal: 'STOP'
      })
      expect(refused.status).toBe(400)
      await page.close()
    },
    (service) => ({ streams: service.streams })
  )
})
