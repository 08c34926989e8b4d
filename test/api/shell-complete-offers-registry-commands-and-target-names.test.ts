import { describe, expect, test } from 'vitest'
import { call, failure, withService } from './api-call.ts'

interface Completion {
  line: string
  cursor: number
  candidates: string[]
}

describe('shell:complete', () => {
  test('completes commands, subcommands and the target’s own names in a lesson lab', async () => {
    await withService(async (service, learnerId) => {
      await call(service, 'lesson:open', { learnerId, lessonId: 'tour' })
      const lab = { kind: 'lesson', lessonId: 'tour' }
      const complete = (on: string, line: string, cursor = line.length): Promise<Completion> =>
        call<Completion>(service, 'shell:complete', { learnerId, lab, on, line, cursor })

      expect(await complete('node-1', 'pi')).toEqual({ line: 'ping ', cursor: 5, candidates: [] })
      expect(await complete('node-1', 'ipt')).toEqual({
        line: 'iptables',
        cursor: 8,
        candidates: ['iptables', 'iptables-save']
      })
      expect(await complete('node-1', 'ip ro')).toMatchObject({ line: 'ip route ' })
      expect(await complete('node-1', 'ip link show cn')).toMatchObject({ line: 'ip link show cni0 ' })
      expect(await complete('node-1', 'ip link show fl')).toMatchObject({ line: 'ip link show flannel.1 ' })
      // A pod's namespace has no cni0: names come from where the terminal is.
      expect((await complete('client', 'ip link show ')).candidates).toEqual(['eth0', 'lo'])
      expect(await complete('node-1', 'tcpdump -ni fla')).toMatchObject({ line: 'tcpdump -ni flannel.1 ' })
      expect(await complete('node-1', 'tcpdump -i fla')).toMatchObject({ line: 'tcpdump -i flannel.1 ' })
      expect((await complete('node-1', 'kubectl get pods ')).candidates).toEqual(['client', 'web-1', 'web-2'])
      expect(await complete('node-1', 'ip route | gr')).toMatchObject({ line: 'ip route | grep ' })
      // Completing in the middle keeps what follows the cursor.
      expect(await complete('node-1', 'ip li show cni0', 5)).toEqual({
        line: 'ip link  show cni0',
        cursor: 8,
        candidates: []
      })
    })
  })

  test('answers for the learner’s target only, and names what is wrong', async () => {
    await withService(async (service, learnerId) => {
      await call(service, 'lesson:open', { learnerId, lessonId: 'tour' })
      const lab = { kind: 'lesson', lessonId: 'tour' }
      expect(
        await failure(service, 'shell:complete', { learnerId, lab, on: 'nowhere', line: 'ip', cursor: 2 })
      ).toMatchObject({
        code: 'not_found',
        message: expect.stringContaining('"nowhere"')
      })
      expect(
        await failure(service, 'shell:complete', { learnerId, lab, on: 'node-1', line: 'ip', cursor: -1 })
      ).toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(/^cursor:/)
      })
      expect(
        await failure(service, 'shell:complete', {
          learnerId,
          lab: { kind: 'lesson', lessonId: 'other' },
          on: 'node-1',
          line: 'ip',
          cursor: 2
        })
      ).toMatchObject({ code: 'not_found' })
    })
  })
})
