import { expect, test } from 'vitest'
import { nextLesson } from '../../src-renderer/src/lib/course-order.ts'

const lessons = [
  { id: 'tour', available: true },
  { id: 'pod-on-the-wire', available: false },
  { id: 'same-node', available: true },
  { id: 'final-exam', available: true }
]

test('the next lesson is the following one in course order that can be opened', () => {
  expect(nextLesson(lessons, 'tour')?.id).toBe('same-node')
  expect(nextLesson(lessons, 'same-node')?.id).toBe('final-exam')
})

test('the last lesson, or one the course does not list, has no next lesson', () => {
  expect(nextLesson(lessons, 'final-exam')).toBeUndefined()
  expect(nextLesson(lessons, 'not-in-the-course')).toBeUndefined()
})
