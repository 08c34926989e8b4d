import { beforeAll, describe, expect, test } from 'vitest'
import { classroomHostForSuite, ok, post, type Joined } from './classroom-host.ts'

describe("learners who joined a class are not this computer's profiles", () => {
  const h = classroomHostForSuite('podnet-class-profiles-')
  let origin: string
  let grace: string
  let ada: Joined

  beforeAll(async () => {
    origin = h.host.origin
    grace = (await ok<{ id: string }>(origin, 'profiles:create', { name: 'Grace' }, h.instructorToken)).id
    const { joinCode } = await ok<{ joinCode: string }>(
      origin,
      'class:start',
      { name: 'Networking 101' },
      h.instructorToken
    )
    ada = await ok<Joined>(origin, 'class:join', { code: joinCode, name: 'Ada' })
  })

  test('the learner list holds only the profiles made on this computer', async () => {
    const { profiles } = await ok<{ profiles: { id: string }[] }>(
      origin,
      'profiles:list',
      {},
      h.instructorToken
    )
    expect(profiles.map((p) => p.id)).toEqual([grace])
  })

  test('switching to, renaming or deleting a class learner is refused, naming the class', async () => {
    // The name the class gave Ada's profile: what a delete would have to repeat.
    const profileName = `Ada · ${ada.classId.slice(-6)}`
    for (const [method, input] of [
      ['profiles:select', { learnerId: ada.learnerId }],
      ['profiles:rename', { learnerId: ada.learnerId, name: 'Someone else' }],
      ['profiles:delete', { learnerId: ada.learnerId, confirm: profileName }]
    ] as const) {
      const answer = await post(origin, method, input, h.instructorToken)
      expect({ method, status: answer.status, code: answer.body.error?.code }).toEqual({
        method,
        status: 403,
        code: 'forbidden'
      })
      expect(answer.body.error?.message).toContain('"Networking 101"')
    }
    const members = await ok<{ learners: { learnerId: string }[] }>(
      origin,
      'class:dashboard',
      { classId: ada.classId },
      h.instructorToken
    )
    expect(members.learners.map((l) => l.learnerId)).toEqual([ada.learnerId])
  })

  test("the instructor's token reads a class learner's record but never works in it", async () => {
    const { learnerId } = ada
    for (const [method, input] of [
      ['lesson:open', { learnerId, lessonId: 'tour' }],
      ['settings:set', { learnerId, settings: { theme: 'dark' } }],
      ['lesson:reset', { learnerId, lessonId: 'tour' }]
    ] as const) {
      const answer = await post(origin, method, input, h.instructorToken)
      expect({ method, status: answer.status, code: answer.body.error?.code }).toEqual({
        method,
        status: 403,
        code: 'forbidden'
      })
      expect(answer.body.error?.message).toContain('"Networking 101"')
    }
    const summary = await post(origin, 'progress:summary', { learnerId }, h.instructorToken)
    expect(summary.status).toBe(200)
    const settings = await ok<{ theme: string }>(origin, 'settings:get', { learnerId }, h.instructorToken)
    expect(settings.theme).toBe('system')
    // The instructor's own profile works as before.
    expect(
      (await post(origin, 'lesson:open', { learnerId: grace, lessonId: 'tour' }, h.instructorToken)).status
    ).toBe(200)
  })
})
