import { expect, test } from 'vitest'
import { namedIn } from '../../src-main/classroom/classroom.ts'
import { contract } from '../../src-main/api/contract.ts'
import { learnerScopedMethods } from '../../src-main/api/classroom-contract.ts'

test('a lesson named in a sandbox source, a lab reference or a lesson sandbox id is found', () => {
  expect(namedIn({ learnerId: 'l1', source: { kind: 'lesson', lessonId: 'final-exam' } })).toEqual({
    learnerIds: ['l1'],
    lessonIds: ['final-exam']
  })
  expect(
    namedIn({ learnerId: 'l1', lab: { kind: 'lesson', lessonId: 'tour' }, traceId: 1 }).lessonIds
  ).toEqual(['tour'])
  expect(namedIn({ learnerId: 'l1', sandboxId: 'lesson-final-exam-0123456789ab' }).lessonIds).toEqual([
    'final-exam'
  ])
  expect(namedIn({ learnerId: 'l1', sandboxId: 'file-0123456789ab' }).lessonIds).toEqual([])
})

test('every learner method whose input can carry a lesson has it where namedIn looks', () => {
  // The schemas' shapes, printed: any field holding a lesson must be called lessonId or sandboxId.
  for (const method of learnerScopedMethods) {
    const shape = JSON.stringify(contract[method].input.toJSONSchema?.() ?? {})
    const lessonish = [...shape.matchAll(/"([A-Za-z]*[Ll]esson[A-Za-z]*)":/g)].map((m) => m[1])
    expect({ method, fields: lessonish.filter((f) => f !== 'lessonId') }).toEqual({ method, fields: [] })
  }
})
