import { maxScoreOf, questionsOf } from '../core/lesson/lesson.machine.ts'
import type { Lesson, Localized, Question, Step } from '../core/lesson/lesson.schema.ts'
import { answerSchema } from '../core/lesson/quiz.ts'
import {
  isoDuration,
  LESSON_COMPLETED,
  uuidV5,
  type LessonCompletedData,
  type ClassMember,
  type LessonSession,
  type QuizAttempt,
  type StepEvent
} from '../store/index.ts'

/** ADL's registered verbs (https://registry.tincanapi.com); LRSs group statements by these IRIs. */
const VERBS = {
  attempted: { id: 'http://adlnet.gov/expapi/verbs/attempted', 'en-US': 'attempted', 'zh-CN': '开始了' },
  answered: { id: 'http://adlnet.gov/expapi/verbs/answered', 'en-US': 'answered', 'zh-CN': '回答了' },
  completed: { id: 'http://adlnet.gov/expapi/verbs/completed', 'en-US': 'completed', 'zh-CN': '完成了' },
  passed: { id: 'http://adlnet.gov/expapi/verbs/passed', 'en-US': 'passed', 'zh-CN': '通过了' },
  failed: { id: 'http://adlnet.gov/expapi/verbs/failed', 'en-US': 'failed', 'zh-CN': '未通过' }
} as const

const LESSON_TYPE = 'http://adlnet.gov/expapi/activities/lesson'
const QUESTION_TYPE = 'http://adlnet.gov/expapi/activities/cmi.interaction'

/** xAPI 1.0.3 language map: the lesson's two locales under their RFC 5646 tags. */
type LanguageMap = { 'en-US': string; 'zh-CN': string }

type InteractionType = 'choice' | 'sequencing' | 'numeric' | 'fill-in' | 'other'

interface InteractionComponent {
  id: string
  description: LanguageMap
}

interface ActivityDefinition {
  type?: string
  name?: LanguageMap
  description?: LanguageMap
  interactionType?: InteractionType
  correctResponsesPattern?: string[]
  choices?: InteractionComponent[]
}

interface Activity {
  objectType: 'Activity'
  id: string
  definition?: ActivityDefinition
}

export interface ClassStatement {
  id: string
  actor: { objectType: 'Agent'; name: string; account: { homePage: string; name: string } }
  verb: { id: string; display: LanguageMap }
  object: Activity
  result?: {
    score?: { scaled: number; raw: number; min: number; max: number }
    success?: boolean
    completion?: boolean
    response?: string
    duration?: string
  }
  context: {
    registration: string
    contextActivities: { parent?: Activity[]; grouping: Activity[] }
    extensions?: Record<string, string>
  }
  timestamp: string
}

/** One member's records, as the store keeps them. */
export interface MemberRecords {
  member: ClassMember
  sessions: readonly LessonSession[]
  attempts: readonly QuizAttempt[]
  events: readonly StepEvent[]
}

export interface ClassXapiInput {
  /** The instructor's IRI base (the course's site); activity ids and the account home page hang off it. */
  iriBase: string
  classId: string
  className: string
  learners: readonly MemberRecords[]
  lessonDefinition: (lessonId: string) => Lesson | null
}

/**
 * The class as xAPI 1.0.3 statements, oldest first: per lesson `attempted` when started, and
 * `completed` plus `passed` or `failed` at each completion; per answer `answered`, its question an
 * interaction activity with its correct responses. Every statement carries the learner's
 * registration in this class and the class as grouping activity.
 *
 * Built only from records that never change (a completion is its own event, with the score and
 * time of that moment), and identified by a hash of the content: sending again repeats identical
 * statements, which an LRS keeps once, and a revisit adds statements of its own.
 */
export function classXapi(input: ClassXapiInput): ClassStatement[] {
  const base = input.iriBase.endsWith('/') ? input.iriBase : `${input.iriBase}/`
  const lessonIri = (lessonId: string): string => `${base}lessons/${encodeURIComponent(lessonId)}`
  const grouping: Activity = {
    objectType: 'Activity',
    id: `${base}classes/${encodeURIComponent(input.classId)}`,
    definition: { name: { 'en-US': input.className, 'zh-CN': input.className } }
  }
  const lessonActivity = (lessonId: string): Activity => {
    const lesson = input.lessonDefinition(lessonId)
    return {
      objectType: 'Activity',
      id: lessonIri(lessonId),
      definition: {
        type: LESSON_TYPE,
        name: lesson ? languageMap(lesson.title) : { 'en-US': lessonId, 'zh-CN': lessonId }
      }
    }
  }

  // The actor keeps its one identifier (the spec allows exactly one), the seat in this class; the
  // department's student ID is context about that person, which an extension carries.
  const studentIdExtension = `${base}extensions/student-id`
  const out: ClassStatement[] = []
  for (const { member, sessions, attempts, events } of input.learners) {
    const registration = uuidV5(`registration\n${input.classId}\n${member.learnerId}`)
    const actor = {
      objectType: 'Agent' as const,
      name: member.displayName,
      account: { homePage: base, name: member.learnerId }
    }
    const statement = (
      verb: keyof typeof VERBS,
      object: Activity,
      at: number,
      result: ClassStatement['result'],
      parent?: Activity
    ): ClassStatement => {
      const { id: verbId, ...display } = VERBS[verb]
      const content: Omit<ClassStatement, 'id'> = {
        actor,
        verb: { id: verbId, display },
        object,
        ...(result ? { result } : {}),
        context: {
          registration,
          contextActivities: { ...(parent ? { parent: [parent] } : {}), grouping: [grouping] },
          ...(member.studentId ? { extensions: { [studentIdExtension]: member.studentId } } : {})
        },
        timestamp: new Date(at).toISOString()
      }
      return { id: uuidV5(JSON.stringify(content)), ...content }
    }

    for (const session of sessions) {
      out.push(statement('attempted', lessonActivity(session.lessonId), session.startedAt, undefined))
    }
    for (const event of events) {
      if (event.kind !== LESSON_COMPLETED) continue
      const data = event.data as LessonCompletedData
      const lesson = input.lessonDefinition(event.lessonId)
      const maxPoints = lesson ? maxScoreOf(lesson) : 1
      const duration = isoDuration(data.timeSpentMs)
      const activity = lessonActivity(event.lessonId)
      out.push(statement('completed', activity, event.at, { completion: true, duration }))
      out.push(
        statement(data.passed ? 'passed' : 'failed', activity, event.at, {
          score: { scaled: data.score, raw: round(data.score * maxPoints), min: 0, max: maxPoints },
          success: data.passed,
          completion: true,
          duration
        })
      )
    }
    for (const attempt of attempts) {
      const lesson = input.lessonDefinition(attempt.lessonId)
      const asked = lesson ? askedIn(lesson, attempt) : null
      const points = asked?.points ?? 1
      const questionIri = `${lessonIri(attempt.lessonId)}/questions/${encodeURIComponent(attempt.questionId)}`
      out.push(
        statement(
          'answered',
          {
            objectType: 'Activity',
            id: questionIri,
            definition: { type: QUESTION_TYPE, ...asked?.definition }
          },
          attempt.at,
          {
            score: { scaled: attempt.score, raw: round(attempt.score * points), min: 0, max: points },
            success: attempt.correct,
            response: asked ? asked.response(attempt.answer) : JSON.stringify(attempt.answer),
            duration: isoDuration(attempt.durationMs)
          },
          lessonActivity(attempt.lessonId)
        )
      )
      const why = lesson && attempt.justification !== null ? justificationAsked(lesson, attempt) : null
      if (why && attempt.justification !== null)
        out.push(
          statement(
            'answered',
            { objectType: 'Activity', id: `${questionIri}/why`, definition: { type: QUESTION_TYPE, ...why } },
            attempt.at,
            {
              success: why.correctResponsesPattern?.[0] === attempt.justification,
              response: attempt.justification
            },
            lessonActivity(attempt.lessonId)
          )
        )
    }
  }
  return out.sort((x, y) =>
    x.timestamp < y.timestamp ? -1 : x.timestamp > y.timestamp ? 1 : x.id < y.id ? -1 : 1
  )
}

interface Asked {
  points: number
  definition: ActivityDefinition
  /** The learner's answer in the xAPI response format of the interaction type. */
  response: (answer: unknown) => string
}

/** The question or prediction an attempt answered, as the lesson defines it now. */
function askedIn(lesson: Lesson, attempt: QuizAttempt): Asked | null {
  for (const step of lesson.steps) {
    if (attempt.kind === 'prediction' && step.id === attempt.questionId && step.kind === 'predict')
      return predictionAsked(step)
    const question = questionsOf(step).find((q) => q.id === attempt.questionId)
    if (attempt.kind === 'quiz' && question) return questionAsked(question)
  }
  return null
}

/**
 * The "why" a prediction asks beside its value, as a choice interaction of its own (the activity
 * `…/questions/<step>/why`): the spec's `choice` response is one of the interaction's own ids,
 * which the reason options are and the predicted value's options are not.
 */
function justificationAsked(lesson: Lesson, attempt: QuizAttempt): ActivityDefinition | null {
  const step = lesson.steps.find((s) => s.id === attempt.questionId)
  if (attempt.kind !== 'prediction' || step?.kind !== 'predict' || !step.justification) return null
  const name = languageMap(step.justification.prompt ?? WHY)
  return {
    name,
    description: name,
    interactionType: 'choice',
    correctResponsesPattern: step.justification.options.filter((o) => o.correct).map((o) => o.id),
    choices: step.justification.options.map((o) => ({ id: o.id, description: languageMap(o.text) }))
  }
}

/** A justification's prompt when the lesson leaves it out, as the lesson player shows it. */
const WHY: Localized = { en: 'Why?', 'zh-CN': '为什么？' }

/** Several ids in one response or pattern, as the spec writes them. */
const list = (ids: readonly string[]): string => ids.join('[,]')

function questionAsked(question: Question): Asked {
  const name = languageMap(question.prompt)
  const base = { name, description: name }
  const answer = (value: unknown): ReturnType<typeof answerSchema.safeParse>['data'] =>
    answerSchema.safeParse(value).data
  switch (question.kind) {
    case 'single':
    case 'multiple':
      return {
        points: question.points,
        definition: {
          ...base,
          interactionType: 'choice',
          correctResponsesPattern: [list(question.options.filter((o) => o.correct).map((o) => o.id))],
          choices: question.options.map((o) => ({ id: o.id, description: languageMap(o.text) }))
        },
        response: (value) => {
          const a = answer(value)
          return a?.kind === 'single' ? a.option : a?.kind === 'multiple' ? list(a.options) : ''
        }
      }
    case 'ordering':
      return {
        points: question.points,
        definition: {
          ...base,
          interactionType: 'sequencing',
          correctResponsesPattern: [list(question.items.map((i) => i.id))],
          choices: question.items.map((i) => ({ id: i.id, description: languageMap(i.text) }))
        },
        response: (value) => {
          const a = answer(value)
          return a?.kind === 'ordering' ? list(a.order) : ''
        }
      }
    case 'numeric':
      return {
        points: question.points,
        definition: {
          ...base,
          interactionType: 'numeric',
          correctResponsesPattern: [
            question.tolerance > 0
              ? `${question.answer - question.tolerance}[:]${question.answer + question.tolerance}`
              : String(question.answer)
          ]
        },
        response: (value) => {
          const a = answer(value)
          return a?.kind === 'numeric' ? String(a.value) : ''
        }
      }
    case 'text':
      return {
        points: question.points,
        definition: {
          ...base,
          interactionType: 'fill-in',
          correctResponsesPattern: [`{case_matters=false}${question.modelAnswer}`]
        },
        response: (value) => {
          const a = answer(value)
          return a?.kind === 'text' ? a.text : ''
        }
      }
    case 'hotspot':
      // A pick in the topology view: any of the listed objects is right, each its own pattern.
      return {
        points: question.points,
        definition: { ...base, interactionType: 'other', correctResponsesPattern: question.answer },
        response: (value) => {
          const a = answer(value)
          return a?.kind === 'hotspot' ? a.object : ''
        }
      }
  }
}

function predictionAsked(step: Extract<Step, { kind: 'predict' }>): Asked {
  const name = languageMap(step.title)
  const prediction = step.prediction
  const response = (value: unknown): string => String(value)
  if (prediction.what === 'arriving-ttl') {
    return {
      points: step.points,
      definition: {
        name,
        interactionType: 'numeric',
        correctResponsesPattern: [String(prediction.answer)]
      },
      response
    }
  }
  const options = prediction.what === 'verdict' ? ['delivered', 'dropped'] : prediction.options
  return {
    points: step.points,
    definition: {
      name,
      interactionType: 'choice',
      correctResponsesPattern: [prediction.answer],
      choices: options.map((o) => ({ id: o, description: { 'en-US': o, 'zh-CN': o } }))
    },
    response
  }
}

function languageMap(text: Localized): LanguageMap {
  return { 'en-US': text.en, 'zh-CN': text['zh-CN'] }
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6
}
