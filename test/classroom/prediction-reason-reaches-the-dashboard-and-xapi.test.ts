import { beforeAll, describe, expect, test } from 'vitest'
import type { Dashboard } from '../../src-main/api/classroom-contract.ts'
import type { LessonOutline } from '../../src-main/api/contract.ts'
import type { ClassStatement } from '../../src-main/classroom/class-xapi.ts'
import { keyedPrediction } from '../../src-main/core/lesson/prediction.ts'
import { classroomHostForSuite, learnerCall, loadLesson, ok, type Joined } from './classroom-host.ts'

const base = 'https://courses.example.edu/podnet/'

/** Lesson 03 asks why the inner source MAC is what it is; a learner predicts wrong, for the wrong reason. */
describe('the reason given with a prediction reaches the dashboard and the xAPI statements', () => {
  const h = classroomHostForSuite('podnet-class-reason-')
  let classId: string
  let ana: Joined

  beforeAll(async () => {
    const started = await ok<{ classId: string; joinCode: string }>(
      h.host.origin,
      'class:start',
      { name: 'Reasons' },
      h.instructorToken
    )
    classId = started.classId
    ana = await ok<Joined>(h.host.origin, 'class:join', { code: started.joinCode, name: 'Ana' })
    const call = learnerCall(h.host.origin, ana)
    const { lesson } = loadLesson('cross-node-vxlan')
    const lessonId = lesson.id
    await call('lesson:open', { lessonId })
    for (const step of lesson.steps) {
      if (step.id === 'predict-inner-source-mac') {
        await call('lesson:send', {
          lessonId,
          event: { type: 'user.predict', value: 'client/eth0', justification: 'mac-end-to-end' }
        })
        break
      }
      if (step.kind === 'task')
        for (const solution of step.solution)
          if ('run' in solution) await call('shell:exec', { lessonId, on: solution.on, line: solution.run })
      if (step.kind === 'predict') await call('lesson:send', { lessonId, event: keyedPrediction(step) })
      await call('lesson:send', { lessonId, event: { type: 'user.next' } })
    }
  }, 120_000)

  test('the dashboard keeps the reason beside the wrong answer, and the outline words it', async () => {
    const dashboard = await ok<Dashboard>(h.host.origin, 'class:dashboard', { classId }, h.instructorToken)
    expect(dashboard.learners[0]?.lastFailure).toEqual({
      kind: 'answer',
      questionId: 'predict-inner-source-mac',
      answer: JSON.stringify('client/eth0'),
      justification: 'mac-end-to-end'
    })
    const { lessons } = await ok<{ lessons: LessonOutline[] }>(
      h.host.origin,
      'lessons:outline',
      {},
      h.instructorToken
    )
    const step = lessons
      .find((l) => l.id === 'cross-node-vxlan')
      ?.steps.find((s) => s.id === 'predict-inner-source-mac')
    expect(step?.prediction?.reasons.map((r) => r.id)).toEqual([
      'router-rewrites',
      'mac-end-to-end',
      'gateway-mac',
      'underlay-mac'
    ])
  })

  test('xAPI answers the "why" as a choice interaction of its own, in the spec’s response format', async () => {
    const file = await ok<{ content: string }>(
      h.host.origin,
      'class:report',
      { classId, format: 'xapi', iriBase: base },
      h.instructorToken
    )
    const statements = JSON.parse(file.content) as ClassStatement[]
    const question = `${base}lessons/cross-node-vxlan/questions/predict-inner-source-mac`
    const value = statements.find((s) => s.object.id === question)
    expect(value?.result).toMatchObject({ success: false, response: 'client/eth0' })
    const why = statements.find((s) => s.object.id === `${question}/why`)
    expect(why?.verb.id).toBe('http://adlnet.gov/expapi/verbs/answered')
    expect(why?.object.definition).toMatchObject({
      type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
      interactionType: 'choice',
      correctResponsesPattern: ['router-rewrites'],
      choices: [
        { id: 'router-rewrites' },
        { id: 'mac-end-to-end' },
        { id: 'gateway-mac' },
        { id: 'underlay-mac' }
      ]
    })
    expect(why?.result).toEqual({ success: false, response: 'mac-end-to-end' })
    expect(why?.context).toEqual(value?.context)
    // The prediction before it asks no reason, and gets no "why" of its own.
    expect(statements.filter((s) => s.object.id.endsWith('/why'))).toHaveLength(1)
  })
})
