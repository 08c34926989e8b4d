import { expect, test } from 'vitest'
import { withWebHost } from './api-call.ts'
import { learnerAtStep, openTerminal, post, printed, terminalEvents } from './live-terminal-client.ts'
import { eventually } from './stream-socket-client.ts'

/**
 * `timeout` ends a capture on the lab's wall clock, with no request on its way: the terminal's
 * stream brings the end, the counts and the lesson's session, so the page shows the prompt and
 * whatever the line changed in the lesson as the timeout fires.
 */
test('a capture ended by its timeout streams its counts and its end with the lesson’s session', async () => {
  await withWebHost(
    async (host) => {
      const { learnerId, lab, page } = await learnerAtStep(host, 'from-outside', 'local-policy')
      const node2 = await openTerminal(page, 'node-2', { learnerId, lab, on: 'node-2' })

      const started = await post<{ running?: true }>(host, 'lab:terminalInput', {
        learnerId,
        lab,
        terminalId: node2,
        line: 'timeout 1 tcpdump -nn -i cni0 tcp port 8080'
      })
      expect(started.running).toBe(true)

      const ended = () => terminalEvents(page, 'node-2').find((e) => e.kind === 'ended')
      await eventually(() => ended() !== undefined, true, 30_000)
      expect(printed(page, 'node-2')).toMatch(/^\n0 packets captured\n0 packets received by filter\n/)
      expect(ended()).toMatchObject({
        kind: 'ended',
        exitCode: 124,
        session: { current: 'local-policy', step: { kind: 'task', solved: false } }
      })
      await page.close()
    },
    (service) => ({ streams: service.streams })
  )
})
