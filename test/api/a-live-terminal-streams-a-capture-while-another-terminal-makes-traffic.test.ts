import { expect, test } from 'vitest'
import { rawPost, withWebHost } from './api-call.ts'
import { lineEnded, openTerminal, post, printed, terminalEvents, tourWorld } from './live-terminal-client.ts'
import { endOf, errorOf } from './stream-socket-client.ts'

/**
 * Two terminals of one free-play world over the web host's socket: the capture in one prints
 * the packets a curl in the other sends, as it sends them, and Ctrl+C prints the counts.
 */
test('a capture in one live terminal shows another terminal’s curl, and Ctrl+C ends it with the counts', async () => {
  await withWebHost(
    async (host) => {
      const { learnerId, lab, page } = await tourWorld(host)
      const capture = await openTerminal(page, 'cap', { learnerId, lab, on: 'client' })
      const other = await openTerminal(page, 'cmd', { learnerId, lab, on: 'client' })

      const started = await post<{ stderr: string; running?: true }>(host, 'lab:terminalInput', {
        learnerId,
        lab,
        terminalId: capture,
        line: 'tcpdump -ni eth0 tcp'
      })
      expect(started.running).toBe(true)
      expect(started.stderr).toMatch(
        /^tcpdump: verbose output suppressed.*\nlistening on eth0, link-type EN10MB/
      )

      const curl = await post<{ stdout: string; exitCode: number }>(host, 'lab:terminalInput', {
        learnerId,
        lab,
        terminalId: other,
        line: 'curl -s 10.96.0.100'
      })
      expect(curl.exitCode).toBe(0)
      // The worker sends a terminal's output before the answer of the call that caused it.
      const flags = [...printed(page, 'cap').matchAll(/Flags \[([^\]]+)\]/g)].map((m) => m[1])
      expect(flags).toEqual(['S', 'S.', '.', 'P.', '.', 'P.', '.', 'F.', 'F.', '.'])
      expect(printed(page, 'cap')).toContain('HTTP: GET / HTTP/1.1')
      expect(terminalEvents(page, 'cmd').filter((e) => e.kind === 'output')).toEqual([])

      await post(host, 'lab:terminalInterrupt', { learnerId, lab, terminalId: capture })
      await lineEnded(page, 'cap')
      expect(
        printed(page, 'cap').endsWith(
          '\n10 packets captured\n10 packets received by filter\n0 packets dropped by kernel\n'
        )
      ).toBe(true)
      expect(terminalEvents(page, 'cap').at(-1)).toEqual({ kind: 'ended', exitCode: 0 })

      // A closed terminal's capture stops: the id is no longer a terminal of this world.
      const again = await post<{ running?: true }>(host, 'lab:terminalInput', {
        learnerId,
        lab,
        terminalId: capture,
        line: 'tcpdump -ni eth0 &'
      })
      expect(again.running).toBeUndefined()
      page.unsubscribe('cap')
      await page.next(endOf('cap'))
      const closed = await rawPost(host, 'lab:terminalInput', {
        learnerId,
        lab,
        terminalId: capture,
        line: 'jobs'
      })
      expect(JSON.parse(closed.body)).toMatchObject({ ok: false, error: { code: 'not_found' } })

      // Resetting the world ends its terminals.
      await post(host, 'sandbox:reset', { learnerId, sandboxId: lab.sandboxId })
      expect(await page.next(errorOf('cmd'))).toMatchObject({ error: { code: 'lab_stopped' } })
      await page.close()
    },
    (service) => ({ streams: service.streams })
  )
})
