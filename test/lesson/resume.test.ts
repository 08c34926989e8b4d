import { createActor } from 'xstate'
import { describe, expect, it } from 'vitest'
import { createLessonMachine } from '../../src-main/core/lesson/lesson.machine.ts'
import type { Lesson } from '../../src-main/core/lesson/lesson.schema.ts'
import { resumeSnapshot, resumeStepId } from '../../src-main/core/lesson/resume.ts'
import { viewLesson } from '../../src-main/core/lesson/snapshot-view.ts'
import { loadTour } from './tour-lesson.ts'
import { TOUR_SCRIPT } from './tour-script.ts'

describe('resumeStepId', () => {
  const old = ['a', 'b', 'c', 'd']
  it.each([
    ['same id still there', 'c', ['a', 'b', 'c', 'd', 'e'], [], 'c'],
    ['moved to another position', 'c', ['c', 'a', 'b'], [], 'c'],
    ['removed: nearest earlier by the old order', 'c', ['a', 'b', 'd'], [], 'b'],
    ['removed along with its predecessor', 'c', ['a', 'd'], [], 'a'],
    ['nothing earlier survives: the first step', 'b', ['x', 'd'], [], 'x'],
    [
      'completed, and every new step was completed',
      'completed',
      ['a', 'b'],
      ['a', 'b', 'c', 'd'],
      'completed'
    ],
    [
      'completed, but a step was added: the last surviving old step',
      'completed',
      ['a', 'b', 'c', 'd', 'e'],
      ['a', 'b', 'c', 'd'],
      'd'
    ]
  ])('%s', (_, current, next, completed, expected) => {
    expect(resumeStepId(old, current, next, completed)).toBe(expected)
  })
})

describe('resumeSnapshot', () => {
  const tour = loadTour()
  const machine = createLessonMachine(tour.lesson)
  // Stop on the quiz step, after the two pod-gateway answers.
  const quizIndex = TOUR_SCRIPT.findIndex(
    (e) => e.type === 'user.answer' && e.questionId === 'flannel-programs'
  )
  const actor = createActor(machine, { input: { contentHash: tour.contentHash } }).start()
  for (const event of TOUR_SCRIPT.slice(0, quizIndex)) actor.send(event)
  const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as {
    value: string
    context: { completed: string[] }
  }

  it('returns the stored snapshot untouched when the lesson is unchanged', () => {
    expect(resumeSnapshot(machine, tour.lesson, tour.contentHash, persisted)).toBe(persisted)
  })

  it('starts afresh (undefined) for something that is not a lesson snapshot', () => {
    expect(resumeSnapshot(machine, tour.lesson, tour.contentHash, { value: 'x' })).toBeUndefined()
    expect(resumeSnapshot(machine, tour.lesson, tour.contentHash, null)).toBeUndefined()
  })

  it('after an edit that removed the current step, resumes at the nearest earlier one and keeps every completion', () => {
    const edited: Lesson = {
      ...tour.lesson,
      steps: tour.lesson.steps.filter((s) => s.id !== 'quiz' && s.id !== 'look-around')
    }
    const editedMachine = createLessonMachine(edited)
    const resumed = resumeSnapshot(editedMachine, edited, 'new-hash', persisted)
    const restored = createActor(editedMachine, {
      snapshot: resumed,
      input: { contentHash: 'new-hash' }
    }).start()
    const snapshot = restored.getSnapshot()
    expect(snapshot.value).toBe('repair')
    expect(snapshot.context.contentHash).toBe('new-hash')
    expect(snapshot.context.stepOrder).toEqual(edited.steps.map((s) => s.id))
    expect(snapshot.context.completed).toEqual(persisted.context.completed)
    expect(snapshot.context.completed).toContain('look-around')
    expect(snapshot.context.answers['pod-gateway']).toHaveLength(2)
    // The restored actor goes on working with the edited lesson.
    restored.send({ type: 'user.next' })
    expect(restored.getSnapshot().value).toBe('wrap-up')
    expect(viewLesson(edited, restored.getSnapshot()).steps.find((s) => s.id === 'repair')?.status).toBe(
      'done'
    )
  })

  it('after an edit that kept the current step, resumes on it', () => {
    const edited: Lesson = { ...tour.lesson, passScore: 0.8 }
    const resumed = resumeSnapshot(
      createLessonMachine(edited),
      edited,
      'other-hash',
      persisted
    ) as unknown as { value: unknown }
    expect(resumed.value).toBe('quiz')
  })

  it('forgets half-met event goals of unsolved tasks, whose paths may point into a changed goal', () => {
    const half = createActor(machine, { input: { contentHash: tour.contentHash } }).start()
    const breakIndex = TOUR_SCRIPT.findIndex(
      (e) => e.type === 'sim.commandRan' && e.command.command === 'ip link set cni0 up'
    )
    for (const event of TOUR_SCRIPT.slice(0, breakIndex + 1)) half.send(event)
    const repair = half.getSnapshot().context.tasks['repair']
    expect(repair?.solved).toBe(false)
    const stored = JSON.parse(JSON.stringify(half.getPersistedSnapshot()))
    const resumed = resumeSnapshot(machine, tour.lesson, 'changed', stored) as unknown as {
      context: { tasks: Record<string, unknown> }
    }
    expect(resumed.context.tasks['repair']).toEqual({ satisfied: [], failing: [], solved: false })
    expect(resumed.context.tasks['look-around']).toMatchObject({ solved: true })
  })
})
