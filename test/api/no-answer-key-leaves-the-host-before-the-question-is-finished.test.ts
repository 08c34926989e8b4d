import { describe, expect, test } from 'vitest'
import { learnerOpenMethods, learnerScopedMethods } from '../../src-main/api/classroom-contract.ts'
import { lessonFilesFromDir } from '../../src-main/api/lesson-files.ts'
import { methodNames, type MethodName } from '../../src-main/api/method-names.ts'
import { loadCourse, type LoadedLesson } from '../../src-main/core/lesson/course-loader.ts'
import { questionsOf } from '../../src-main/core/lesson/lesson.machine.ts'
import { keyedPrediction } from '../../src-main/core/lesson/prediction.ts'
import type { Localized, Question, Step } from '../../src-main/core/lesson/lesson.schema.ts'
import { correctAnswer, type Answer } from '../../src-main/core/lesson/quiz.ts'
import type { Service } from '../../src-main/api/service.ts'
import { dispatch } from '../../src-main/api/dispatch.ts'
import { call, lessonsDir, withService } from './api-call.ts'

/**
 * An attacker-learner calls the host directly. The whole course is walked the way a learner
 * goes (a wrong try first wherever one is possible), and at every step every method a learner
 * may call is called; no answer reaches them before its question is finished in its lesson.
 */

/** Methods left out of the walk, each for a reason; every other method is called at every step. */
const notCalled: Partial<Record<MethodName, string>> = {
  'classroomHost:addresses': 'instructor: runs the class server',
  'classroomHost:start': 'instructor: runs the class server',
  'classroomHost:status': 'instructor: runs the class server',
  'classroomHost:stop': 'instructor: runs the class server',
  'classroomHost:openDashboard': 'instructor: runs the class server',
  'lessons:outline': "instructor: names the class dashboard's lessons and questions",
  'progress:reset': 'ends the walk; its answer is only counts',
  'profiles:delete': 'ends the walk; its answer is the remaining profiles',
  'profiles:create': 'a profile of its own knows nothing of this one'
}

/** Answers that are simulated-tool output: the lab may print any value (`dstport 8472`). */
const labOutputMethods = new Set<string>([
  'shell:complete',
  'trace:pcap',
  'trace:capturePoints',
  'sandbox:open',
  'sandbox:exec',
  'sandbox:trace',
  'sandbox:topology',
  'sandbox:diagram',
  'sandbox:inspect',
  'sandbox:reset',
  'lab:topology',
  'lab:diagram',
  'lab:inspect'
])

/**
 * Fields that are lab output (a device a question opens on is a device of the lab), the learner's
 * own input, a question as it is asked (its premise may name the address it asks about), or a
 * prediction's reveal (only there once it is finished). Anywhere else a value is a giveaway.
 */
const notKeyFields = new Set([
  'stdout',
  'stderr',
  'elsewhere',
  'topology',
  'trace',
  'story',
  'hops',
  'hop',
  'question',
  'options',
  'after',
  'at',
  'answer',
  'prediction',
  'reveal',
  'pendingCommand'
])

interface Key {
  lessonId: string
  /** A question id, or a predict step's id. */
  id: string
  stepIndex: number
  explanation: Localized
  /** The value that answers it, where it is a value a text could state; short ones say too little. */
  value?: string
  /** Ids of the options that are right. */
  correctOptions: string[]
  /** An ordering question's right order. */
  order?: string[]
}

function keysOf(loaded: LoadedLesson): Key[] {
  const lessonId = loaded.lesson.id
  return loaded.lesson.steps.flatMap((step, stepIndex) => {
    const keys: Key[] = questionsOf(step).map((q) => questionKey(lessonId, stepIndex, q))
    if (step.kind === 'predict') {
      keys.push({
        lessonId,
        id: step.id,
        stepIndex,
        explanation: step.explanation,
        value: String(step.prediction.answer),
        correctOptions: step.justification?.options.filter((o) => o.correct).map((o) => o.id) ?? []
      })
    }
    return keys
  })
}

function questionKey(lessonId: string, stepIndex: number, q: Question): Key {
  const key: Key = { lessonId, id: q.id, stepIndex, explanation: q.explanation, correctOptions: [] }
  if (q.kind === 'numeric') key.value = String(q.answer)
  if (q.kind === 'text') key.value = q.modelAnswer
  if (q.kind === 'hotspot') key.value = q.answer[0]
  if (q.kind === 'single' || q.kind === 'multiple')
    key.correctOptions = q.options.filter((o) => o.correct).map((o) => o.id)
  if (q.kind === 'ordering') key.order = q.items.map((i) => i.id)
  return key
}

/** A clock reading (`openedAt`); its minutes are not an answer even when the clock says `:50`. */
const timestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** The value as a word of its own: `62` is not in `10.244.1.62`, `8472` is in `dstport 8472`. */
const asWord = (value: string): RegExp => new RegExp(`(?<![\\w.-])${escape(value)}(?![\\w-]|\\.\\w)`, 'i')

/** A deliberately wrong answer of the right kind, or null where no answer can be wrong. */
function wrongAnswer(q: Question): Answer | null {
  switch (q.kind) {
    case 'single': {
      const wrong = q.options.find((o) => !o.correct)
      return wrong ? { kind: 'single', option: wrong.id } : null
    }
    case 'multiple': {
      const wrong = q.options.find((o) => !o.correct)
      return wrong ? { kind: 'multiple', options: [wrong.id] } : null
    }
    case 'ordering':
      return { kind: 'ordering', order: q.items.map((i) => i.id).reverse() }
    case 'numeric':
      return { kind: 'numeric', value: q.answer + q.tolerance + 1 }
    case 'text':
      return { kind: 'text', text: 'no idea' }
    case 'hotspot':
      return { kind: 'hotspot', object: 'nowhere' }
  }
}

/** Any answer of the question's kind, for a review item whose key the learner does not have. */
function someAnswer(question: {
  kind: string
  options?: { id: string }[]
  items?: { id: string }[]
}): Answer {
  switch (question.kind) {
    case 'single':
      return { kind: 'single', option: question.options?.[0]?.id ?? 'x' }
    case 'multiple':
      return { kind: 'multiple', options: [question.options?.[0]?.id ?? 'x'] }
    case 'ordering':
      return { kind: 'ordering', order: (question.items ?? []).map((i) => i.id) }
    case 'numeric':
      return { kind: 'numeric', value: 0 }
    case 'hotspot':
      return { kind: 'hotspot', object: 'nowhere' }
    default:
      return { kind: 'text', text: 'no idea' }
  }
}

interface Response {
  method: string
  /** The lesson the answer speaks for, where one does. */
  lessonId: string | null
  value: unknown
}

interface Session {
  current: string
  completed: boolean
}

/** What the walk knows: which keys the learner has earned and which steps they have reached. */
class Learner {
  readonly finished = new Set<string>()
  readonly reached = new Map<string, number>()

  finish(lessonId: string, id: string): void {
    this.finished.add(`${lessonId}\u0000${id}`)
  }
  isFinished(key: Pick<Key, 'lessonId' | 'id'>): boolean {
    return this.finished.has(`${key.lessonId}\u0000${key.id}`)
  }
  reach(lessonId: string, stepIndex: number): void {
    this.reached.set(lessonId, Math.max(stepIndex, this.reached.get(lessonId) ?? -1))
  }
  hasReached(lessonId: string, stepIndex: number): boolean {
    return stepIndex <= (this.reached.get(lessonId) ?? -1)
  }
}

/** Everything in `response` that hands over a key the learner has not earned. */
function leaks(response: Response, course: LoadedLesson[], keys: Key[], learner: Learner): string[] {
  const found: string[] = []
  const open = keys.filter((k) => !learner.isFinished(k))
  const reachedBodies = new Set<string>()
  const unreachedBodies: string[] = []
  for (const loaded of course) {
    loaded.lesson.steps.forEach((step, i) => {
      for (const locale of ['en', 'zh-CN'] as const) {
        const body = loaded.prose[locale].sections[step.id]?.trim() ?? ''
        if (body === '') continue
        if (learner.hasReached(loaded.lesson.id, i)) reachedBodies.add(body)
        else unreachedBodies.push(body)
      }
    })
  }
  // Some short texts recur word for word ("Six questions on the diagnosis."): reached once is reached.
  const unreached = unreachedBodies.filter((body) => !reachedBodies.has(body))
  const explanations = open.flatMap((k) =>
    [k.explanation.en, k.explanation['zh-CN']].map((text) => ({ k, text }))
  )
  const labOutput = labOutputMethods.has(response.method)

  /** `only`: inside what is graded for one question, its feedback may name other values of the lab. */
  const visit = (
    value: unknown,
    path: string,
    lessonId: string | null,
    keyFree: boolean,
    only: string | null = null
  ): void => {
    if (typeof value === 'string') {
      const text = value.trim()
      for (const body of unreached)
        if (text.includes(body)) found.push(`${path}: the prose of a step not reached yet`)
      for (const { k, text: explanation } of explanations)
        if (value.includes(explanation)) found.push(`${path}: the explanation of ${k.lessonId}/${k.id}`)
      if (labOutput || keyFree || reachedBodies.has(text) || timestamp.test(text)) return
      for (const k of open) {
        if (k.lessonId !== lessonId || k.value === undefined || k.value.length < 2) continue
        if (only !== null && k.id !== only) continue
        if (asWord(k.value).test(value))
          found.push(`${path}: "${k.value}", the answer of ${k.lessonId}/${k.id}`)
      }
      return
    }
    if (Array.isArray(value)) {
      const ids = value.map((v) => (typeof v === 'string' ? v : (v as { id?: unknown } | null)?.id))
      for (const k of open)
        if (k.order && lessonId === k.lessonId && ids.join('\u0000') === k.order.join('\u0000'))
          found.push(`${path}: the right order of ${k.lessonId}/${k.id}`)
      value.forEach((v, i) => visit(v, `${path}[${i}]`, lessonId, keyFree, only))
      return
    }
    if (typeof value !== 'object' || value === null) return
    const object = value as Record<string, unknown>
    const scope = typeof object['lessonId'] === 'string' ? object['lessonId'] : lessonId
    const questionId = typeof object['questionId'] === 'string' ? object['questionId'] : null
    const ownKey = open.find((k) => k.lessonId === scope && k.id === questionId)
    if (ownKey && ('explanation' in object || 'correctAnswer' in object))
      found.push(`${path}: the explanation or right answer of ${ownKey.lessonId}/${ownKey.id}`)
    for (const field of ['accept', 'modelAnswer', 'goal'])
      if (field in object && !labOutput) found.push(`${path}.${field}: a lesson file field`)
    if (object['correct'] === true && typeof object['id'] === 'string') {
      const k = open.find((k) => k.lessonId === scope && k.correctOptions.includes(object['id'] as string))
      if (k) found.push(`${path}: option "${String(object['id'])}" of ${k.lessonId}/${k.id} marked right`)
    }
    // A question the lesson has finished may show its own key wherever it is graded.
    const finishedHere = questionId !== null && learner.isFinished({ lessonId: scope ?? '', id: questionId })
    for (const [field, child] of Object.entries(object))
      visit(
        child,
        `${path}.${field}`,
        scope,
        keyFree || finishedHere || notKeyFields.has(field),
        questionId ?? only
      )
  }
  visit(response.value, response.method, response.lessonId, false)
  return found
}

/** Calls a method and keeps what came back, answer or refusal alike. */
async function probe(
  service: Service,
  method: string,
  input: unknown,
  lessonId: string | null
): Promise<Response> {
  const result = await dispatch(service.handlers, method, input)
  return { method, lessonId, value: result.ok ? result.value : result.error }
}

describe('no answer key leaves the host before its question is finished', () => {
  test('walking every lesson, every learner method at every step hands over only what was earned', async () => {
    const course = loadCourse(lessonFilesFromDir(lessonsDir)).lessons.flatMap((entry) =>
      entry.status === 'available' ? [entry.lesson] : []
    )
    expect(course.length).toBeGreaterThanOrEqual(11)
    const keys = course.flatMap(keysOf)
    const learnerMethods = new Set<string>([...learnerScopedMethods, ...learnerOpenMethods])
    const called = methodNames.filter((method) => notCalled[method] === undefined)
    // Every learner-callable method of the class server is called; a new method is sorted here.
    for (const method of learnerMethods) expect(called, method).toContain(method)

    await withService(async (service, learnerId) => {
      const learner = new Learner()
      const problems: string[] = []
      let lastTraceId: number | null = null

      for (const loaded of course) {
        const lesson = loaded.lesson
        const ref = { learnerId, lessonId: lesson.id }
        const sandbox = await call<{ sandboxId: string }>(service, 'sandbox:open', {
          learnerId,
          source: { kind: 'lesson', lessonId: lesson.id }
        })
        let session = (await call<{ session: Session }>(service, 'lesson:open', ref)).session
        lastTraceId = null

        /** Every learner method once, as the learner stands now. */
        const callEverything = async (moment: string): Promise<void> => {
          const topology = await call<{ nodes: { name: string; pods: { name: string }[] }[] }>(
            service,
            'lab:topology',
            ref
          )
          const node = topology.nodes[0]?.name ?? 'node-1'
          const responses: Response[] = []
          const add = async (method: MethodName, input: unknown, lessonId: string | null = lesson.id) => {
            expect(called).toContain(method)
            responses.push(await probe(service, method, input, lessonId))
          }
          await add('app:info', {}, null)
          await add('lessons:list', { learnerId }, null)
          await add('lesson:open', ref)
          for (const step of lesson.steps) await add('lesson:step', { ...ref, stepId: step.id })
          await add('lesson:send', { ...ref, event: { type: 'user.requestHint', level: 'hint' } })
          await add('shell:exec', { ...ref, on: node, line: 'hostname' })
          await add('shell:complete', {
            learnerId,
            lab: { kind: 'lesson', lessonId: lesson.id },
            on: node,
            line: 'ip ',
            cursor: 3
          })
          if (lastTraceId !== null) {
            await add('trace:pcap', {
              learnerId,
              lab: { kind: 'lesson', lessonId: lesson.id },
              traceId: lastTraceId
            })
            await add('trace:capturePoints', {
              learnerId,
              lab: { kind: 'lesson', lessonId: lesson.id },
              traceId: lastTraceId
            })
          }
          await add('lab:topology', ref)
          await add('lab:diagram', ref)
          await add('lab:inspect', { ...ref, objectId: node })
          const sandboxRef = { learnerId, sandboxId: sandbox.sandboxId }
          await add('sandbox:open', { learnerId, source: { kind: 'lesson', lessonId: lesson.id } })
          await add('sandbox:exec', { ...sandboxRef, on: node, line: 'ip -d link' })
          await add('sandbox:trace', { ...sandboxRef, trace: { from: node, to: node, protocol: 'icmp' } })
          await add('sandbox:topology', sandboxRef)
          await add('sandbox:diagram', sandboxRef)
          await add('sandbox:inspect', { ...sandboxRef, objectId: node })
          await add('sandbox:reset', sandboxRef)
          await add('progress:summary', { learnerId }, null)
          for (const format of ['json', 'csv', 'xapi'] as const)
            await add('progress:export', { learnerId, format }, null)
          const exported = responses.at(-3)?.value as { content?: string }
          if (exported.content) await add('progress:import', { content: exported.content }, null)
          await add('settings:get', { learnerId }, null)
          await add('settings:set', { learnerId, settings: {} }, null)
          await add('profiles:list', {}, null)
          await add('profiles:select', { learnerId }, null)
          await add('profiles:rename', { learnerId, name: 'Ada' }, null)
          const due = await probe(service, 'review:due', { learnerId }, null)
          responses.push(due)
          const items =
            (
              due.value as {
                items?: { itemId: string; lessonId: string; questionId: string; question: { kind: string } }[]
              }
            ).items ?? []
          for (const item of items)
            if (!learner.isFinished({ lessonId: item.lessonId, id: item.questionId }))
              problems.push(`${moment}: review:due offers ${item.lessonId}/${item.questionId}, still open`)
          // The newest items are the ones a wrong try just queued.
          for (const item of items.slice(-2))
            await add(
              'review:answer',
              { learnerId, itemId: item.itemId, answer: someAnswer(item.question) },
              item.lessonId
            )
          await add(
            'review:answer',
            { learnerId, itemId: 'no-such-item', answer: { kind: 'text', text: 'x' } },
            null
          )
          for (const response of responses)
            for (const leak of leaks(response, course, keys, learner)) problems.push(`${moment}: ${leak}`)
        }

        const answer = async (question: Question): Promise<void> => {
          const wrong = question.attempts > 1 ? wrongAnswer(question) : null
          if (wrong) {
            await call(service, 'quiz:submit', { ...ref, questionId: question.id, answer: wrong })
            await callEverything(`${lesson.id}/${question.id} after a wrong try`)
          }
          await call(service, 'quiz:submit', {
            ...ref,
            questionId: question.id,
            answer: correctAnswer(question)
          })
          learner.finish(lesson.id, question.id)
        }

        for (const [index, step] of lesson.steps.entries()) {
          expect(session.current, `${lesson.id}: the walk is on the step it expects`).toBe(step.id)
          learner.reach(lesson.id, index)
          await callEverything(`${lesson.id}/${step.id}`)
          await doStep(step)
          session = await call<Session>(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
        }
        expect(session.completed, lesson.id).toBe(true)
        await callEverything(`${lesson.id} completed`)

        async function doStep(step: Step): Promise<void> {
          switch (step.kind) {
            case 'task':
              for (const solution of step.solution) {
                if ('run' in solution)
                  await call(service, 'shell:exec', { ...ref, on: solution.on, line: solution.run })
                else {
                  const traced = await call<{ traceId: number }>(service, 'trace:run', {
                    ...ref,
                    trace: solution.trace
                  })
                  lastTraceId = traced.traceId
                }
              }
              return
            case 'predict': {
              // The packet the prediction is about, named as the lesson names it or by its address:
              // refused until the prediction is locked in.
              const pods = (
                await call<{ nodes: { pods: { name: string; ip: string }[] }[] }>(
                  service,
                  'lab:topology',
                  ref
                )
              ).nodes.flatMap((n) => n.pods)
              const byAddress = {
                ...step.trace,
                to: pods.find((p) => p.name === step.trace.to)?.ip ?? step.trace.to
              }
              for (const trace of [step.trace, byAddress]) {
                const inLesson = await dispatch(service.handlers, 'trace:run', { ...ref, trace })
                const inFreePlay = await dispatch(service.handlers, 'sandbox:trace', {
                  learnerId,
                  sandboxId: sandbox.sandboxId,
                  trace
                })
                for (const [where, early] of [
                  ['lesson', inLesson],
                  ['free play', inFreePlay]
                ] as const) {
                  if (early.ok)
                    problems.push(
                      `${lesson.id}/${step.id}: ${JSON.stringify(trace)} traced in ${where} before the prediction`
                    )
                  else
                    expect(early.error.code, `${lesson.id}/${step.id} in ${where}`).toBe('prediction_pending')
                }
              }
              await call(service, 'lesson:send', {
                ...ref,
                event: keyedPrediction(step)
              })
              learner.finish(lesson.id, step.id)
              return
            }
            case 'trace':
            case 'quiz':
              for (const question of questionsOf(step)) await answer(question)
              return
            case 'read':
            case 'checkpoint':
            case 'review':
              return
          }
        }
      }
      expect(problems).toEqual([])
    })
  }, 1_800_000)
})
