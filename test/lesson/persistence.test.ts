import { createActor } from 'xstate'
import { getShortestPaths } from 'xstate/graph'
import { describe, expect, it } from 'vitest'
import { createLessonMachine, type LessonEvent } from '../../src-main/core/lesson/lesson.machine.ts'
import { progressRecords } from '../../src-main/core/lesson/progress-records.ts'
import { viewLesson } from '../../src-main/core/lesson/snapshot-view.ts'
import { loadTour } from './tour-lesson.ts'
import { TOUR_SCRIPT } from './tour-script.ts'

const tour = loadTour()
const machine = createLessonMachine(tour.lesson)
const input = { contentHash: tour.contentHash }

/** Runs the script's events from `from` on, returning the final snapshot. */
function play(actor: ReturnType<typeof createActor<typeof machine>>, from: number) {
  for (const event of TOUR_SCRIPT.slice(from)) actor.send(event)
  return actor.getSnapshot()
}

describe('the tour, persisted and restored after every event', () => {
  const reference = play(createActor(machine, { input }).start(), 0)

  it('the script completes the tour', () => {
    expect(reference.status).toBe('done')
    // Wrong TTL prediction (0 of 1); three questions right at the second try (2/3 each).
    expect(reference.output).toEqual({ score: 7, maxScore: 9, passed: true })
  })

  it.each(TOUR_SCRIPT.map((event, i) => [i, event.type] as const))('after event %i (%s)', (index) => {
    const actor = createActor(machine, { input }).start()
    for (const event of TOUR_SCRIPT.slice(0, index + 1)) actor.send(event)
    const before = actor.getSnapshot()
    const stored = JSON.stringify(actor.getPersistedSnapshot())
    actor.stop()

    const restored = createActor(machine, { snapshot: JSON.parse(stored), input }).start()
    const after = restored.getSnapshot()
    expect(after.value).toEqual(before.value)
    expect(after.context).toEqual(before.context)
    expect(viewLesson(tour.lesson, after)).toEqual(viewLesson(tour.lesson, before))
    const end = play(restored, index + 1)
    expect(end.status).toBe('done')
    expect(end.context).toEqual(reference.context)
  })
})

describe('progressRecords', () => {
  it('derives what the store records from consecutive contexts', () => {
    const actor = createActor(machine, { input }).start()
    const stepOf = (questionId: string): string =>
      tour.lesson.steps.find((s) =>
        s.kind === 'quiz'
          ? s.questions.some((q) => q.id === questionId)
          : s.kind === 'trace' && s.questions.some((p) => p.question.id === questionId)
      )?.id ?? ''
    const records = TOUR_SCRIPT.flatMap((event) => {
      const before = actor.getSnapshot().context
      actor.send(event)
      return progressRecords(before, actor.getSnapshot().context, stepOf)
    })
    const kinds = records.map((r) =>
      r.kind === 'quiz-attempt'
        ? `${r.kind}:${r.grading.questionId}`
        : r.kind === 'hint-used'
          ? `${r.kind}:${r.stepId}:${r.level}`
          : `${r.kind}:${r.stepId}`
    )
    expect(kinds).toEqual([
      'step-completed:welcome',
      'hint-used:look-around:static',
      'step-completed:look-around',
      'step-completed:predict-ttl',
      'prediction-revealed:predict-ttl',
      'quiz-attempt:outer-source',
      'quiz-attempt:outer-source',
      'step-completed:follow-the-packet',
      'step-completed:predict-endpoint',
      'prediction-revealed:predict-endpoint',
      'hint-used:break-the-bridge:static',
      'hint-used:break-the-bridge:dynamic',
      'step-completed:break-the-bridge',
      'hint-used:repair:solution',
      'step-completed:repair',
      'quiz-attempt:pod-gateway',
      'quiz-attempt:pod-gateway',
      'quiz-attempt:flannel-programs',
      'quiz-attempt:hop-order',
      'quiz-attempt:same-node-ttl',
      'quiz-attempt:same-node-ttl',
      'quiz-attempt:vxlan-port',
      'quiz-attempt:gateway-device',
      'step-completed:quiz',
      'step-completed:wrap-up'
    ])
  })
})

describe('xstate/graph', () => {
  /**
   * The script's events grouped by the step the learner was on when sending them. Hint requests
   * (unbounded) and wrong answers (each multiplies the states) are left out, as the checker does.
   */
  const byStep = new Map<string, LessonEvent[]>()
  const walker = createActor(machine, { input }).start()
  for (const event of TOUR_SCRIPT) {
    const step = String(walker.getSnapshot().value)
    walker.send(event)
    const wrong =
      event.type === 'user.answer' &&
      walker.getSnapshot().context.answers[event.questionId]?.at(-1)?.correct !== true
    if (event.type !== 'user.requestHint' && !wrong) byStep.set(step, [...(byStep.get(step) ?? []), event])
  }
  const reach = (keep: (e: LessonEvent) => boolean) =>
    getShortestPaths(machine, {
      input,
      events: (snapshot) => (byStep.get(String(snapshot.value)) ?? []).filter(keep),
      serializeState: serializeLessonSnapshot,
      toState: (snapshot) => snapshot.status === 'done'
    })

  it('completed is reachable in the tour machine with the learner script’s events', () => {
    const paths = reach(() => true)
    expect(paths.length).toBeGreaterThan(0)
    expect(paths[0]?.state.value).toBe('completed')
  })

  it('but not if one question can never be answered', () => {
    expect(reach((e) => !(e.type === 'user.answer' && e.questionId === 'pod-gateway'))).toEqual([])
  })
})

/**
 * A state's identity for graph search. Contexts that differ only in the order their records were
 * written are the same state; sorting keys merges them, which keeps the search from exploring
 * every permutation of answering a quiz.
 */
function serializeLessonSnapshot(snapshot: { value: unknown; context: unknown }): string {
  return `${String(snapshot.value)}|${stableStringify(snapshot.context)}`
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'undefined'
}
