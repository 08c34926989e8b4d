import { getNextSnapshot, initialTransition } from 'xstate'
import { describe, expect, it } from 'vitest'
import {
  createLessonMachine,
  type LessonEvent,
  type LessonSnapshot
} from '../../src-main/core/lesson/lesson.machine.ts'
import { lessonSchema } from '../../src-main/core/lesson/lesson.schema.ts'
import { viewLesson } from '../../src-main/core/lesson/snapshot-view.ts'
import { CROSS_NODE_PING, staticFacts, TOUR_START, traceFacts } from './static-lab.ts'

const t = (en: string): { en: string; 'zh-CN': string } => ({ en, 'zh-CN': `（${en}）` })

/** A lesson with one step of each kind, small enough to read next to the assertions. */
const lesson = lessonSchema.parse({
  formatVersion: 1,
  id: 'kinds',
  title: t('Kinds'),
  summary: t('One step of each kind'),
  objectives: [t('test')],
  topics: ['test'],
  estimatedMinutes: 1,
  steps: [
    { id: 'intro', kind: 'read', title: t('Intro') },
    {
      id: 'break',
      kind: 'task',
      title: t('Break'),
      goal: {
        kind: 'all',
        of: [
          { kind: 'link-state', link: 'node-1/cni0', state: 'down', hint: t('cni0 is still up') },
          {
            kind: 'command-ran',
            on: 'client',
            command: '^ping',
            output: '100% packet loss',
            hint: t('ping from client')
          }
        ]
      },
      hints: [t('first hint'), t('second hint')],
      solution: [
        { on: 'node-1', run: 'ip link set cni0 down' },
        { on: 'client', run: 'ping -c 1 10.244.1.3' }
      ]
    },
    {
      id: 'ttl',
      kind: 'predict',
      title: t('TTL'),
      trace: { from: 'client', to: '10.244.2.2' },
      prediction: { what: 'arriving-ttl', answer: 62 },
      explanation: t('two routers'),
      points: 2
    },
    {
      id: 'walk',
      kind: 'trace',
      title: t('Walk'),
      trace: { from: 'client', to: '10.244.2.2' },
      questions: [
        {
          hop: 'node-1/flannel.1',
          question: {
            id: 'port',
            kind: 'numeric',
            prompt: t('port?'),
            explanation: t('8472'),
            answer: 8472,
            attempts: 2
          }
        }
      ]
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
          options: [
            { id: 'cni0', text: t('cni0'), correct: true },
            { id: 'flannel', text: t('flannel.1'), feedback: t('VTEP') }
          ]
        }
      ]
    },
    { id: 'done', kind: 'checkpoint', title: t('Done') }
  ]
})

const machine = createLessonMachine(lesson)
const start = (): LessonSnapshot => initialTransition(machine, { contentHash: 'h1' })[0]
const send = (snapshot: LessonSnapshot, ...events: LessonEvent[]): LessonSnapshot =>
  events.reduce((s, e) => getNextSnapshot(machine, s, e), snapshot)
const at = (stepId: string): LessonSnapshot => {
  const s = machine.resolveState({ value: stepId, context: { ...start().context } })
  return s
}

const up = staticFacts(TOUR_START)
const down = staticFacts({ ...TOUR_START, links: { ...TOUR_START.links, 'node-1/cni0': 'down' } })
const ranPing = (output: string, facts = down): LessonEvent => ({
  type: 'sim.commandRan',
  command: { on: 'client', command: 'ping -c 1 10.244.1.3', output, exitCode: 1 },
  facts
})

describe('read', () => {
  it('user.next moves on and records the step; user.back returns; the first step has no back', () => {
    const s0 = start()
    expect(s0.value).toBe('intro')
    expect(send(s0, { type: 'user.back' }).value).toBe('intro')
    const s1 = send(s0, { type: 'user.next' })
    expect(s1.value).toBe('break')
    expect(s1.context.completed).toEqual(['intro'])
    expect(send(s1, { type: 'user.back' }).value).toBe('intro')
  })

  it('user.runCommand asks the service to run a clicked command until sim.commandRan reports it', () => {
    const s = send(start(), { type: 'user.runCommand', on: 'client', command: 'ip route' })
    expect(viewLesson(lesson, s).pendingCommand).toEqual({ on: 'client', command: 'ip route' })
    const ran = send(s, {
      type: 'sim.commandRan',
      command: { on: 'client', command: 'ip route', output: '', exitCode: 0 },
      facts: up
    })
    expect(viewLesson(lesson, ran).pendingCommand).toBeUndefined()
  })
})

describe('task', () => {
  const s0 = at('break')

  it('cannot be left before the goal holds', () => {
    expect(send(s0, { type: 'user.next' }).value).toBe('break')
    expect(send(s0, { type: 'sim.worldChanged', facts: down }, { type: 'user.next' }).value).toBe('break')
  })

  it('judges the end state: the event leaf and the state leaf may be met in any order', () => {
    const pingFirst = send(s0, ranPing('1 packets transmitted, 0 received, 100% packet loss', up))
    expect(pingFirst.context.tasks['break']).toMatchObject({ solved: false, satisfied: ['goal.of[1]'] })
    const solved = send(pingFirst, { type: 'sim.worldChanged', facts: down })
    expect(solved.context.tasks['break']?.solved).toBe(true)
    expect(solved.context.completed).toContain('break')
    expect(send(solved, { type: 'user.next' }).value).toBe('ttl')
  })

  it('an output that does not match leaves the event leaf unmet', () => {
    const s = send(
      s0,
      { type: 'sim.worldChanged', facts: down },
      ranPing('1 packets transmitted, 1 received, 0% packet loss')
    )
    expect(s.context.tasks['break']).toMatchObject({ solved: false, failing: ['goal.of[1]'] })
  })

  it('a solved task stays solved when the lab changes again', () => {
    const s = send(
      s0,
      ranPing('100% packet loss'),
      { type: 'sim.worldChanged', facts: down },
      { type: 'sim.worldChanged', facts: up }
    )
    expect(s.context.tasks['break']?.solved).toBe(true)
  })

  it('hints come in layers: static in order, then the dynamic hint for what fails, then the solution on request', () => {
    const evaluated = send(s0, { type: 'sim.worldChanged', facts: up })
    const hint = (s: LessonSnapshot): LessonSnapshot => send(s, { type: 'user.requestHint', level: 'hint' })
    const one = hint(evaluated)
    expect(viewLesson(lesson, one).step).toMatchObject({
      kind: 'task',
      hints: [t('first hint')],
      hintsLeft: 1
    })
    expect(viewLesson(lesson, one).step).not.toHaveProperty('dynamicHint')
    const three = hint(hint(one))
    expect(viewLesson(lesson, three).step).toMatchObject({
      hints: [t('first hint'), t('second hint')],
      hintsLeft: 0,
      dynamicHint: t('cni0 is still up')
    })
    expect(viewLesson(lesson, three).step).not.toHaveProperty('solution')
    // Once cni0 is down, the hint names the part that still fails.
    const later = send(three, { type: 'sim.worldChanged', facts: down })
    expect(viewLesson(lesson, later).step).toMatchObject({ dynamicHint: t('ping from client') })
    const solution = send(later, { type: 'user.requestHint', level: 'solution' })
    expect(viewLesson(lesson, solution).step).toMatchObject({
      solution: lesson.steps[1]?.kind === 'task' ? lesson.steps[1].solution : []
    })
    expect(solution.context.hints['break']).toEqual({ revealed: 2, dynamic: 1, solution: true })
  })
})

describe('predict', () => {
  const s0 = at('ttl')
  const ping = { type: 'sim.traceFinished', trace: CROSS_NODE_PING, facts: up } as const

  it('needs a prediction before the trace reveals anything', () => {
    const early = send(s0, ping)
    expect(early.context.predictions).toEqual({})
    expect(send(early, { type: 'user.next' }).value).toBe('ttl')
  })

  it('reveals by comparing the prediction with what the trace did, and scores it', () => {
    const predicted = send(s0, { type: 'user.predict', value: 64 })
    expect(viewLesson(lesson, predicted).step).toMatchObject({
      kind: 'predict',
      prediction: 64,
      awaitingTrace: true
    })
    const other = send(predicted, {
      ...ping,
      trace: traceFacts(
        { from: 'client', to: '10.244.1.3' },
        { verdict: 'delivered', hops: [], arrivingTtl: 64 }
      )
    })
    expect(other.context.predictions['ttl']?.reality).toBeUndefined()
    const revealed = send(predicted, ping)
    expect(viewLesson(lesson, revealed).step).toMatchObject({
      awaitingTrace: false,
      reveal: { reality: 62, correct: false, score: 0, explanation: t('two routers') }
    })
    expect(send(revealed, { type: 'user.predict', value: 62 }).context.predictions['ttl']?.value).toBe(64)
    expect(send(revealed, { type: 'user.next' }).value).toBe('walk')
  })

  it('a right prediction earns the step points', () => {
    const s = send(s0, { type: 'user.predict', value: 62 }, ping)
    expect(s.context.predictions['ttl']).toEqual({
      value: 62,
      reality: 62,
      valueCorrect: true,
      correct: true,
      score: 2
    })
  })

  it('the view never carries the key before the reveal', () => {
    const view = viewLesson(lesson, send(s0, { type: 'user.predict', value: 63 }))
    expect(JSON.stringify(view.step)).not.toContain('answer')
    expect(view.step).not.toHaveProperty('reveal')
  })
})

describe('trace', () => {
  const s0 = at('walk')
  const ping = { type: 'sim.traceFinished', trace: CROSS_NODE_PING, facts: up } as const
  const answer = (value: number): LessonEvent => ({
    type: 'user.answer',
    questionId: 'port',
    answer: { kind: 'numeric', value }
  })

  it('pinned questions open only once the trace has run', () => {
    expect(send(s0, answer(8472)).context.answers).toEqual({})
    const traced = send(s0, ping)
    expect(viewLesson(lesson, traced).step).toMatchObject({
      kind: 'trace',
      hops: CROSS_NODE_PING.hops.map((h) => h.device)
    })
    const answered = send(traced, answer(8472))
    expect(answered.context.answers['port']?.[0]).toMatchObject({ correct: true, finished: true })
    expect(send(answered, { type: 'user.next' }).value).toBe('check')
  })

  it('the step finishes when attempts run out, and ignores further answers', () => {
    const out = send(s0, ping, answer(4789), answer(4789))
    expect(out.context.answers['port']?.map((g) => g.finished)).toEqual([false, true])
    expect(send(out, answer(8472)).context.answers['port']).toHaveLength(2)
    expect(send(out, { type: 'user.next' }).value).toBe('check')
  })
})

describe('quiz', () => {
  const s0 = at('check')

  it('grades with feedback, rejects malformed answers without counting them, and unlocks next when finished', () => {
    const rejected = send(s0, {
      type: 'user.answer',
      questionId: 'gw',
      answer: { kind: 'numeric', value: 1 }
    })
    expect(viewLesson(lesson, rejected).rejection).toEqual({ questionId: 'gw', reason: 'wrong-kind' })
    expect(rejected.context.answers).toEqual({})
    const wrong = send(rejected, {
      type: 'user.answer',
      questionId: 'gw',
      answer: { kind: 'single', option: 'flannel' }
    })
    expect(wrong.context.rejection).toBeUndefined()
    expect(viewLesson(lesson, wrong).step).toMatchObject({
      kind: 'quiz',
      questions: [{ gradings: [{ correct: false, feedback: [t('VTEP')] }] }]
    })
    expect(send(wrong, { type: 'user.next' }).value).toBe('check')
    const right = send(wrong, {
      type: 'user.answer',
      questionId: 'gw',
      answer: { kind: 'single', option: 'cni0' }
    })
    expect(right.context.answers['gw']?.at(-1)).toMatchObject({ attempt: 2, finished: true })
    expect(right.context.answers['gw']?.at(-1)?.score).toBeCloseTo(2 / 3, 12)
    expect(send(right, { type: 'user.next' }).value).toBe('done')
  })

  it('ignores answers to questions of other steps', () => {
    expect(
      send(s0, { type: 'user.answer', questionId: 'port', answer: { kind: 'numeric', value: 8472 } }).context
        .answers
    ).toEqual({})
  })
})

describe('checkpoint and completed', () => {
  it('user.next from the last step reaches the final state with the score as output', () => {
    const predicted = {
      ...start().context,
      predictions: { ttl: { value: 62, reality: 62, correct: true, score: 2 } }
    }
    const done = send(machine.resolveState({ value: 'done', context: predicted }), { type: 'user.next' })
    expect(done.value).toBe('completed')
    expect(done.status).toBe('done')
    expect(done.output).toEqual({ score: 2, maxScore: 4, passed: false })
    expect(viewLesson(lesson, done)).toMatchObject({ completed: true, canNext: false })
  })
})
