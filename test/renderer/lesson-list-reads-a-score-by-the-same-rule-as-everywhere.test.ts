import { describe, expect, test } from 'vitest'
import { lessonStatusText } from '../../src-renderer/src/lib/lesson-status-text.ts'

const completed = (score: number | null) =>
  ({ status: 'completed', score, step: null, lastActiveAt: '2026-12-06T10:00:00.000Z' }) as const

describe("the lesson list's status line", () => {
  test('a completed score is a whole percentage that never rounds up to a mark not reached', () => {
    expect(lessonStatusText(completed(0.96))).toBe('Completed · score 96%')
    expect(lessonStatusText(completed(0.996))).toBe('Completed · score 99%')
    expect(lessonStatusText(completed(1))).toBe('Completed · score 100%')
    expect(lessonStatusText(completed(null))).toBe('Completed')
  })

  test('an unfinished lesson says the step, an untouched one that it is not started', () => {
    expect(
      lessonStatusText({
        status: 'in-progress',
        score: null,
        step: { n: 5, of: 17, title: { en: 'Break the bridge', 'zh-CN': '弄坏网桥' } },
        lastActiveAt: null
      })
    ).toBe('Step 5 of 17')
    expect(lessonStatusText({ status: 'not-started', score: null, step: null, lastActiveAt: null })).toBe(
      'Not started'
    )
  })
})
