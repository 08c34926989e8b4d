import { describe, expect, test } from 'vitest'
import type { MethodOutput } from '../../src-renderer/src/lib/api.ts'
import { nextLesson } from '../../src-renderer/src/lib/next-lesson.ts'

type Listed = MethodOutput<'lessons:list'>['lessons'][number]
type Progress = NonNullable<Listed['progress']>

const lesson = (id: string, progress: Partial<Progress> | null, available = true): Listed => ({
  id,
  slug: `00-${id}`,
  title: { en: id, 'zh-CN': id },
  summary: { en: '', 'zh-CN': '' },
  minutes: { en: 10, 'zh-CN': 10 },
  topics: [],
  available,
  problems: [],
  progress:
    progress === null
      ? null
      : { status: 'not-started', score: null, step: null, lastActiveAt: null, ...progress }
})

const inProgress = (at: string): Partial<Progress> => ({
  status: 'in-progress',
  step: { n: 2, of: 5, title: { en: 'Step two', 'zh-CN': '第二步' } },
  lastActiveAt: at
})

describe('the lesson offered at the top of the list', () => {
  test('is the unfinished lesson the learner was at most recently, wherever it is in the course', () => {
    const lessons = [
      lesson('tour', inProgress('2026-01-05T09:00:00.000Z')),
      lesson('pods', inProgress('2026-01-05T10:30:00.000Z')),
      lesson('bridge', inProgress('2026-01-05T10:00:00.000Z')),
      lesson('vxlan', { status: 'completed', lastActiveAt: '2026-01-05T11:00:00.000Z' })
    ]
    expect(nextLesson(lessons)).toMatchObject({ why: 'continue', lesson: { id: 'pods' } })
  })

  test('is the first lesson for a learner who has begun none, skipping one that cannot be opened', () => {
    const lessons = [lesson('broken', {}, false), lesson('tour', {}), lesson('pods', {})]
    expect(nextLesson(lessons)).toMatchObject({ why: 'start-here', lesson: { id: 'tour' } })
  })

  test('is the first lesson not begun once the begun ones are all finished', () => {
    const lessons = [lesson('tour', { status: 'completed' }), lesson('pods', {}), lesson('bridge', {})]
    expect(nextLesson(lessons)).toMatchObject({ why: 'up-next', lesson: { id: 'pods' } })
  })

  test('is none when every lesson is finished, or when the list is nobody’s', () => {
    expect(nextLesson([lesson('tour', { status: 'completed' })])).toBeNull()
    expect(nextLesson([lesson('tour', null), lesson('pods', null)])).toBeNull()
  })
})
