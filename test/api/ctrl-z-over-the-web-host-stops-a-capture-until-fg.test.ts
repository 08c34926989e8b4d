import { expect, test } from 'vitest'
import { rawPost, withWebHost } from './api-call.ts'
import { lineEnded, openTerminal, post, printed, terminalEvents, tourWorld } from './live-terminal-client.ts'

test('Ctrl+Z sent as TSTP stops a live tcpdump as bash tells it, and fg resumes it', async () => {
  await withWebHost(
    async (host) => {
      const { learnerId, lab, page } = await tourWorld(host)
      const terminalId = await openTerminal(page, 't', { learnerId, lab, on: 'client' })
      const input = (line: string): Promise<{ stdout: string; running?: true }> =>
        post(host, 'lab:terminalInput', { learnerId, lab, terminalId, line })

      expect((await input('tcpdump -ni eth0 tcp')).running).toBe(true)
      await post(host, 'lab:terminalInterrupt', { learnerId, lab, terminalId, signal: 'TSTP' })
      await lineEnded(page, 't')
      expect(printed(page, 't')).toBe('\n[1]+  Stopped                 tcpdump -ni eth0 tcp\n')
      expect(terminalEvents(page, 't').at(-1)).toEqual({ kind: 'ended', exitCode: 148 })
      const fg = await input('fg')
      expect(fg).toMatchObject({ stdout: 'tcpdump -ni eth0 tcp\n', running: true })
      const refused = await rawPost(host, 'lab:terminalInterrupt', {
        learnerId,
        lab,
        terminalId,
        signal: 'STOP'
      })
      expect(refused.status).toBe(400)
      await page.close()
    },
    (service) => ({ streams: service.streams })
  )
})
