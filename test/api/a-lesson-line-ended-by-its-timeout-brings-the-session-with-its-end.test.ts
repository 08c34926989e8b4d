import { expect, test } from 'vitest'
import { withWebHost } from './api-call.ts'
import { walkLessonTo } from './lesson-walk.ts'
import { openTerminal, post, printed, terminalEvents } from './live-terminal-client.ts'
import { eventually, openStreamSocket } from './stream-socket-client.ts'

/**
 * `timeout` ends a capture on the lab's wall clock, with no request on its way: the terminal's
 * stream brings the end, the counts and the lesson's session, so the page shows the prompt and
 * whatever the line changed in the lesson as the timeout fires.
 */
test('a capture ended by its timeout streams its counts and its end with the lesson’s session', async () => {
  await withWebHost(
    async (host) => {
      const { id: learnerId } = await post<{ id: string }>(host, 'profiles:create', { name: 'Ada' })
      const lessonId = 'from-outside'
      await walkLessonTo((method, input) => post(host, method, input), learnerId, lessonId, 'local-policy')
      const lab = { kind: 'lesson' as const, lessonId }
      const page = openStreamSocket(host.origin, host.token)
      await page.opened
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
