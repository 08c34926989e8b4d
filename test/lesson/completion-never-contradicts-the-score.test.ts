import { createActor, getNextSnapshot, initialTransition } from 'xstate'
import { describe, expect, it } from 'vitest'
import {
  createLessonMachine,
  type LessonEvent,
  type LessonSnapshot
} from '../../src-main/core/lesson/lesson.machine.ts'
import { lessonSchema } from '../../src-main/core/lesson/lesson.schema.ts'
import { viewLesson } from '../../src-main/core/lesson/snapshot-view.ts'
import { CROSS_NODE_PING, staticFacts, TOUR_START } from './static-lab.ts'
import { loadTour } from './tour-lesson.ts'
import { TOUR_SCRIPT } from './tour-script.ts'

const t = (en: string): { en: string; 'zh-CN': string } => ({ en, 'zh-CN': `（${en}）` })

describe('what a finished lesson calls worth reviewing', () => {
  it('after a restart, the tour finished below full marks lists what was missed, from the stored answers alone', () => {
    const tour = loadTour()
    const machine = createLessonMachine(tour.lesson)
    const input = { contentHash: tour.contentHash }
    const actor = createActor(machine, { input }).start()
    for (const event of TOUR_SCRIPT) actor.send(event)
    const stored = JSON.stringify(actor.getPersistedSnapshot())
    actor.stop()

    const restored = createActor(machine, { snapshot: JSON.parse(stored), input }).start()
    const view = viewLesson(tour.lesson, restored.getSnapshot())
    expect(view.completed).toBe(true)
    expect(view.score.score).toBeLessThan(view.score.maxScore)
    expect(view.missed?.map((item) => `${item.kind} ${item.id}`)).toEqual([
      'prediction predict-ttl',
      'question outer-source',
      'question pod-gateway',
      'question same-node-ttl'
    ])
    expect(view.missed?.[1]?.text.en).toMatch(/outer header/)
  })

  /** A prediction and two questions, one of which costs nothing to retry. */
  const lesson = lessonSchema.parse({
    formatVersion: 1,
    id: 'marks',
    title: t('Marks'),
    summary: t('Marks'),
    objectives: [t('test')],
    topics: ['test'],
    steps: [
      {
        id: 'ttl',
        kind: 'predict',
        title: t('TTL'),
        trace: { from: 'client', to: '10.244.2.2' },
        prediction: { what: 'arriving-ttl', answer: 62 },
        explanation: t('two routers')
      },
      {
        id: 'check',
        kind: 'quiz',
        title: t('Check'),
        questions: [
          {
            id: 'gw',
            kind: 'single',
            prompt: t('gateway?'),
            explanation: t('cni0'),
            attempts: 2,
            options: [
              { id: 'cni0', text: t('cni0'), correct: true },
              { id: 'flannel', text: t('flannel.1') }
            ]
          },
          {
            id: 'port',
            kind: 'numeric',
            prompt: t('port?'),
            explanation: t('8472'),
            answer: 8472,
            attempts: 2,
            penalty: 0
          }
        ]
      }
    ]
  })
  const machine = createLessonMachine(lesson)
  const send = (snapshot: LessonSnapshot, events: LessonEvent[]): LessonSnapshot =>
    events.reduce((s, e) => getNextSnapshot(machine, s, e), snapshot)

  type Way = 'right' | 'wrong-then-right' | 'wrong-twice'
  const ways: Way[] = ['right', 'wrong-then-right', 'wrong-twice']
  const answers = (questionId: string, way: Way, right: object, wrong: object): LessonEvent[] => {
    const event = (answer: object): LessonEvent =>
      ({ type: 'user.answer', questionId, answer }) as LessonEvent
    if (way === 'right') return [event(right)]
    return [event(wrong), event(way === 'wrong-then-right' ? right : wrong)]
  }

  const cases = [62, 63].flatMap((ttl) => ways.flatMap((gw) => ways.map((port) => ({ ttl, gw, port }))))

  it.each(cases)(
    'an empty list comes only with full marks: predicted $ttl, gw $gw, port $port',
    ({ ttl, gw, port }) => {
      const done = send(initialTransition(machine, { contentHash: 'h' })[0], [
        { type: 'user.predict', value: ttl },
        { type: 'sim.traceFinished', trace: CROSS_NODE_PING, facts: staticFacts(TOUR_START) },
        { type: 'user.next' },
        ...answers('gw', gw, { kind: 'single', option: 'cni0' }, { kind: 'single', option: 'flannel' }),
        ...answers('port', port, { kind: 'numeric', value: 8472 }, { kind: 'numeric', value: 4789 }),
        { type: 'user.next' }
      ])
      const view = viewLesson(lesson, done)
      expect(view.completed).toBe(true)
      const full = view.score.score === view.score.maxScore
      const missed = view.missed ?? []
      if (missed.length === 0) expect(full).toBe(true)
      if (!full) expect(missed.length).toBeGreaterThan(0)
      expect(missed.length === 0).toBe(ttl === 62 && gw === 'right' && port === 'right')
    }
  )
})
