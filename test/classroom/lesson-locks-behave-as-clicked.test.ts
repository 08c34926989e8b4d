import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { tempDir } from '../e2e/harness.ts'
import { classroomHostForSuite, ok, post, type Joined } from './classroom-host.ts'
import { tourCopyPack } from './tour-copy-pack.ts'

interface Gates {
  lessons: { lessonId: string; state: 'enabled' | 'locked' }[]
  newLessons: 'enabled' | 'locked'
}

describe('lesson locks behave as clicked', () => {
  const h = classroomHostForSuite('podnet-class-gates-')
  const work = tempDir('podnet-gates-pack-')
  let course: string[]
  let classId: string
  let ada: Joined

  const instructor = <T>(method: string, body: unknown): Promise<T> =>
    ok<T>(h.host.origin, method, body, h.instructorToken)
  const opens = async (lessonId: string): Promise<boolean> => {
    const answer = await post(
      h.host.origin,
      'lesson:open',
      { learnerId: ada.learnerId, lessonId },
      ada.learnerToken
    )
    if (answer.status !== 200 && answer.body.error?.code !== 'lesson_locked')
      throw new Error(`lesson:open answered ${answer.status}: ${JSON.stringify(answer.body.error)}`)
    return answer.status === 200
  }

  beforeAll(async () => {
    const list = await instructor<{ lessons: { id: string; available: boolean }[] }>('lessons:list', {})
    course = list.lessons.filter((l) => l.available).map((l) => l.id)
    const started = await instructor<{ classId: string; joinCode: string }>('class:start', { name: 'Gates' })
    classId = started.classId
    ada = await ok<Joined>(h.host.origin, 'class:join', { code: started.joinCode, name: 'Ada' })
  })

  afterAll(async () => {
    work.remove()
  })

  test('a new class has an open gate for every lesson, listed in course order', async () => {
    expect(course.length).toBeGreaterThan(2)
    const dashboard = await instructor<Gates>('class:dashboard', { classId })
    expect(dashboard.lessons).toEqual(course.map((lessonId) => ({ lessonId, state: 'enabled' })))
    expect(dashboard.newLessons).toBe('enabled')
    expect(ada.lessons).toEqual(dashboard.lessons)
  })

  test('locking one lesson locks that lesson only', async () => {
    const [first, second, third] = course as [string, string, string]
    const gates = await instructor<Gates>('class:lessons', {
      classId,
      lessons: [{ lessonId: second, state: 'locked' }]
    })
    expect(gates.lessons.map((g) => g.lessonId)).toEqual(course)
    expect(gates.lessons.filter((g) => g.state === 'locked')).toEqual([{ lessonId: second, state: 'locked' }])
    expect({ first: await opens(first), second: await opens(second), third: await opens(third) }).toEqual({
      first: true,
      second: false,
      third: true
    })
  })

  test('a class started with some lessons locks the rest of the course explicitly', async () => {
    const started = await instructor<{ classId: string }>('class:start', {
      name: 'Only the tour',
      lessons: [course[0]]
    })
    const dashboard = await instructor<Gates>('class:dashboard', { classId: started.classId })
    expect(dashboard.lessons).toEqual(
      course.map((lessonId, i) => ({ lessonId, state: i === 0 ? 'enabled' : 'locked' }))
    )
  })

  test('lessons added later take the class setting; lessons already there keep their state', async () => {
    const before = await instructor<Gates>('class:lessons', { classId, lessons: [], newLessons: 'locked' })
    expect(before.newLessons).toBe('locked')
    expect(before.lessons.filter((g) => g.state === 'locked').map((g) => g.lessonId)).toEqual([course[1]])

    const imported = await instructor<{ ok: boolean }>('pack:import', { path: tourCopyPack(work.path) })
    expect(imported.ok).toBe(true)
    expect(await opens('tour-copy')).toBe(false)
    const after = await instructor<Gates>('class:dashboard', { classId })
    expect(after.lessons.at(-1)).toEqual({ lessonId: 'tour-copy', state: 'locked' })
    expect(
      after.lessons
        .slice(0, -1)
        .filter((g) => g.state === 'locked')
        .map((g) => g.lessonId)
    ).toEqual([course[1]])

    // Setting it back to open affects only lessons yet to come: the pack's lesson keeps its gate.
    const reopened = await instructor<Gates>('class:lessons', { classId, lessons: [], newLessons: 'enabled' })
    expect(reopened.lessons.find((g) => g.lessonId === 'tour-copy')?.state).toBe('locked')
    expect(await opens(course[0]!)).toBe(true)
  })
})
