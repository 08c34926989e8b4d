import { describe, expect, test } from 'vitest'
import { tempDir } from '../e2e/harness.ts'
import { learnerCall, ok, post, startClassroomHost, type Joined } from './classroom-host.ts'

interface Session {
  current: string
}

describe('a learner after the instructor restarts the classroom host', () => {
  test('rejoins with the token kept in the browser and continues at the same step', async () => {
    const data = tempDir('podnet-class-rejoin-')
    try {
      let h = await startClassroomHost(data.path)
      const { classId, joinCode } = await ok<{ classId: string; joinCode: string }>(
        h.host.origin,
        'class:start',
        { name: 'Restart' },
        h.instructorToken
      )
      const joined = await ok<Joined>(h.host.origin, 'class:join', { code: joinCode, name: 'Ada' })
      let act = learnerCall(h.host.origin, joined)
      await act('lesson:open', { lessonId: 'tour' })
      await act('lesson:send', { lessonId: 'tour', event: { type: 'user.next' } })
      await act('shell:exec', { lessonId: 'tour', on: 'client', line: 'ip addr' })
      const left = (await act('lesson:send', { lessonId: 'tour', event: { type: 'user.next' } })) as Session
      expect(left.current).toBe('predict-ttl')
      const oldToken = h.instructorToken
      await h.stop()

      h = await startClassroomHost(data.path)
      expect(h.instructorToken).not.toBe(oldToken)
      expect((await post(h.host.origin, 'class:list', {}, oldToken)).status).toBe(401)
      const again = await ok<Joined>(h.host.origin, 'class:rejoin', {}, joined.learnerToken)
      expect(again).toEqual(joined)
      act = learnerCall(h.host.origin, again)
      const opened = (await act('lesson:open', { lessonId: 'tour' })) as { session: Session }
      expect(opened.session.current).toBe('predict-ttl')

      const dashboard = await ok<{
        learners: { name: string; lessonId: string; stepId: string; online: boolean }[]
      }>(h.host.origin, 'class:dashboard', { classId }, h.instructorToken)
      expect(dashboard.learners).toMatchObject([
        { name: 'Ada', lessonId: 'tour', stepId: 'predict-ttl', online: true }
      ])
      await h.stop()
    } finally {
      data.remove()
    }
  })
})
