import { join } from 'node:path'
import { getNextSnapshot } from 'xstate'
import { describe, expect, it } from 'vitest'
import { lessonFilesFromDir } from '../../src-main/api/lesson-files.ts'
import { loadCourse, type LoadedLesson } from '../../src-main/core/lesson/course-loader.ts'
import { openLessonLab } from '../../src-main/core/lesson/lab-adapter.ts'
import {
  createLessonMachine,
  type LessonEvent,
  type LessonSnapshot
} from '../../src-main/core/lesson/lesson.machine.ts'
import type { Step } from '../../src-main/core/lesson/lesson.schema.ts'
import { realityOf } from '../../src-main/core/lesson/prediction.ts'
import { viewLesson } from '../../src-main/core/lesson/snapshot-view.ts'
import { repoRoot } from '../e2e/harness.ts'

/**
 * The course's own mechanism prediction, played on its own lab: which source MAC the frame carries
 * when node-1's flannel.1 sends it, and why. The value alone is not enough.
 */

const course = loadCourse(lessonFilesFromDir(join(repoRoot, 'lessons')))
const loaded = course.lessons.flatMap((entry) =>
  entry.status === 'available' && entry.lesson.lesson.id === 'cross-node-vxlan' ? [entry.lesson] : []
)[0] as LoadedLesson
const step = loaded.lesson.steps.find((s) => s.id === 'predict-inner-source-mac') as Extract<
  Step,
  { kind: 'predict' }
>
const machine = createLessonMachine(loaded.lesson)
const atStep = (): LessonSnapshot =>
  machine.resolveState({
    value: step.id,
    context: {
      lessonId: loaded.lesson.id,
      contentHash: 'h',
      stepOrder: loaded.lesson.steps.map((s) => s.id),
      completed: [],
      tasks: {},
      hints: {},
      answers: {},
      predictions: {},
      traces: {}
    }
  })
const send = (snapshot: LessonSnapshot, ...events: LessonEvent[]): LessonSnapshot =>
  events.reduce((s, e) => getNextSnapshot(machine, s, e), snapshot)

const lab = openLessonLab(loaded)
const trace = lab.trace(step.trace)
const finished: LessonEvent = { type: 'sim.traceFinished', trace, facts: lab.facts() }

const play = (value: string, justification?: string): LessonSnapshot =>
  send(atStep(), { type: 'user.predict', value, justification }, finished)

describe('a prediction that asks for a reason', () => {
  it('reads the owner of each address in the frame a device sends', () => {
    const ask = (at: string, field: 'src-mac' | 'src-ip' | 'dst-ip'): string | number =>
      realityOf({ what: 'address-owner', at, field, options: ['a', 'b'], answer: 'a' }, trace)
    expect(ask('node-1/flannel.1', 'src-mac')).toBe('node-1/flannel.1')
    expect(ask('client/eth0', 'src-mac')).toBe('client/eth0')
    expect(ask('node-1/eth0', 'src-mac')).toBe('node-1/eth0')
    expect(ask('node-1/eth0', 'src-ip')).toBe('node-1/eth0')
    expect(ask('web-1/eth0', 'dst-ip')).toBe('web-1/eth0')
    expect(ask('node-2/eth1', 'src-mac')).toBe('none')
  })

  it('is right, with full points, only when value and reason are both right', () => {
    const right = play('node-1/flannel.1', 'router-rewrites')
    expect(right.context.predictions[step.id]).toMatchObject({
      correct: true,
      valueCorrect: true,
      justificationCorrect: true,
      score: 1
    })
  })

  it('a right value with a wrong reason scores nothing, and the reveal says which part was off', () => {
    const s = play('node-1/flannel.1', 'mac-end-to-end')
    expect(s.context.predictions[step.id]).toMatchObject({ correct: false, valueCorrect: true, score: 0 })
    const view = viewLesson(loaded.lesson, s).step
    expect(view).toMatchObject({
      kind: 'predict',
      reason: 'mac-end-to-end',
      reveal: {
        correct: false,
        valueCorrect: true,
        justification: { correct: false, answer: 'router-rewrites' }
      }
    })
    const picked = step.justification?.options.find((o) => o.id === 'mac-end-to-end')
    expect(view?.kind === 'predict' && view.reveal?.justification?.feedback).toEqual(picked?.feedback)
  })

  it('a right reason with a wrong value scores nothing either', () => {
    const s = play('client/eth0', 'router-rewrites')
    expect(s.context.predictions[step.id]).toMatchObject({
      correct: false,
      valueCorrect: false,
      justificationCorrect: true,
      score: 0
    })
  })

  it('is not locked in without a reason, or with one the step does not offer', () => {
    for (const justification of [undefined, 'no-such-reason']) {
      const s = send(atStep(), { type: 'user.predict', value: 'node-1/flannel.1', justification })
      expect(s.context.predictions[step.id]).toBeUndefined()
    }
  })

  it('before the reveal the view offers the reasons without saying which is right', () => {
    const waiting = send(atStep(), {
      type: 'user.predict',
      value: 'node-1/flannel.1',
      justification: 'gateway-mac'
    })
    const view = viewLesson(loaded.lesson, waiting).step
    expect(view).toMatchObject({ kind: 'predict', awaitingTrace: true, reason: 'gateway-mac' })
    expect(view).not.toHaveProperty('reveal')
    const offered = view?.kind === 'predict' ? view.justification?.options : undefined
    expect(offered?.map((o) => Object.keys(o).sort())).toEqual(
      step.justification?.options.map(() => ['id', 'text'])
    )
  })
})
