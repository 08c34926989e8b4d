import { beforeAll, describe, expect, test } from 'vitest'
import type { Dashboard } from '../../src-main/api/classroom-contract.ts'
import { classroomHostForSuite, ok, post, type Joined } from './classroom-host.ts'

describe('a student ID is asked at join, and required when the class says so', () => {
  const h = classroomHostForSuite('podnet-class-student-id-')
  let classId: string
  let joinCode: string

  const dashboard = (): Promise<Dashboard> =>
    ok<Dashboard>(h.host.origin, 'class:dashboard', { classId }, h.instructorToken)

  beforeAll(async () => {
    ;({ classId, joinCode } = await ok<{ classId: string; joinCode: string }>(
      h.host.origin,
      'class:start',
      { name: 'IDs' },
      h.instructorToken
    ))
  })

  test('optional by default: a learner may join without one, and the dashboard shows what was typed', async () => {
    expect((await dashboard()).studentId).toBe('optional')
    await ok<Joined>(h.host.origin, 'class:join', { code: joinCode, name: 'Ana', studentId: ' 2026-0042 ' })
    await ok<Joined>(h.host.origin, 'class:join', { code: joinCode, name: 'Bo' })
    const learners = (await dashboard()).learners
    expect(learners.map((l) => [l.name, l.studentId])).toEqual([
      ['Ana', '2026-0042'],
      ['Bo', '']
    ])
    const anonymous = await ok<Dashboard>(
      h.host.origin,
      'class:dashboard',
      { classId, anonymous: true },
      h.instructorToken
    )
    expect(JSON.stringify(anonymous)).not.toContain('2026-0042')
  })

  test('required: a join without one is refused naming the field, learners already in keep their seats', async () => {
    expect(
      (await post(h.host.origin, 'class:settings', { classId, studentId: 'required' }, h.instructorToken))
        .body
    ).toEqual({ ok: true, value: { studentId: 'required' } })
    const refused = await post(h.host.origin, 'class:join', { code: joinCode, name: 'Cy', studentId: '  ' })
    expect(refused.status).toBe(400)
    expect(refused.body.error?.message).toMatch(/^studentId: /)
    expect(refused.body.error?.reason?.id).toBe('student_id_required')
    await ok<Joined>(h.host.origin, 'class:join', { code: joinCode, name: 'Cy', studentId: 'S-7' })
    expect((await dashboard()).learners.map((l) => l.name)).toEqual(['Ana', 'Bo', 'Cy'])
    expect((await dashboard()).studentId).toBe('required')
  })

  test('only the instructor sets the rule, and only to a rule it knows', async () => {
    const learner = await ok<Joined>(h.host.origin, 'class:join', {
      code: joinCode,
      name: 'Di',
      studentId: 'S-8'
    })
    const byLearner = await post(
      h.host.origin,
      'class:settings',
      { classId, studentId: 'optional' },
      learner.learnerToken
    )
    expect(byLearner.status).toBe(403)
    const unknown = await post(
      h.host.origin,
      'class:settings',
      { classId, studentId: 'sometimes' },
      h.instructorToken
    )
    expect(unknown.status).toBe(400)
  })
})
