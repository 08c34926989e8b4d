import { estimateMinutes } from '../../core/lesson/estimate.ts'
import { formatIssue } from '../../core/lesson/issues.ts'
import type { Handlers } from '../dispatch.ts'
import { topicsByLesson, type ServiceContext } from './context.ts'

/** The course, opening lessons and moving through them. */
export function lessonHandlers(
  ctx: ServiceContext
): Pick<
  Handlers,
  'lessons:list' | 'lesson:open' | 'lesson:send' | 'lesson:step' | 'lesson:reset' | 'quiz:submit'
> {
  const { course, availableLesson, usableStore, requireLearner, lessons } = ctx

  /** Status and score per lesson for one learner; lessons never opened are absent. */
  function progressByLesson(
    learnerId: string
  ): Map<string, { status: 'in-progress' | 'completed'; score: number | null }> {
    const store = usableStore()
    requireLearner(store, learnerId)
    const summary = store.summary.progressSummary(learnerId, topicsByLesson(course()))
    return new Map(
      summary.lessons.map((row) => [
        row.lessonId,
        {
          status: row.status === 'completed' ? ('completed' as const) : ('in-progress' as const),
          score: row.score
        }
      ])
    )
  }
  return {
    'lessons:list': ({ learnerId }) => {
      const c = course()
      const progress = learnerId === undefined ? null : progressByLesson(learnerId)
      const progressOf = (
        id: string
      ): { status: 'not-started' | 'in-progress' | 'completed'; score: number | null } | null =>
        progress === null ? null : (progress.get(id) ?? { status: 'not-started', score: null })
      return {
        courseTitle: c.index?.title ?? { en: 'Podnet Lab', 'zh-CN': 'Podnet Lab' },
        lessons: c.lessons.map((entry) =>
          entry.status === 'available'
            ? {
                id: entry.lesson.lesson.id,
                slug: entry.dir,
                title: entry.lesson.lesson.title,
                minutes: estimateMinutes(entry.lesson.lesson, entry.lesson.prose),
                topics: entry.lesson.lesson.topics,
                available: true,
                problems: [],
                progress: progressOf(entry.lesson.lesson.id)
              }
            : {
                id: entry.id ?? entry.dir,
                slug: entry.dir,
                title: entry.title ?? { en: entry.dir, 'zh-CN': entry.dir },
                minutes: { en: 0, 'zh-CN': 0 },
                topics: [],
                available: false,
                problems: entry.issues.map(formatIssue),
                progress: null
              }
        )
      }
    },

    'lesson:open': async ({ learnerId, lessonId }) => {
      const store = usableStore()
      requireLearner(store, learnerId)
      const loaded = availableLesson(lessonId)
      store.lessonOpens.record(learnerId, lessonId)
      const { lesson, prose } = loaded
      const host = lessons(store)
      const session = await host.open(learnerId, loaded)
      return {
        session,
        topology: await host.topology(learnerId, lessonId),
        id: lesson.id,
        title: lesson.title,
        minutes: estimateMinutes(lesson, prose),
        objectives: lesson.objectives,
        steps: lesson.steps.map((step) => ({
          id: step.id,
          kind: step.kind,
          body: {
            en: prose.en.sections[step.id] ?? '',
            'zh-CN': prose['zh-CN'].sections[step.id] ?? ''
          }
        }))
      }
    },

    'lesson:send': ({ learnerId, lessonId, event }) =>
      lessons(usableStore()).send(learnerId, lessonId, event),

    'lesson:step': async ({ learnerId, lessonId, stepId }) => ({
      stepId,
      step: await lessons(usableStore()).step(learnerId, lessonId, stepId)
    }),

    'lesson:reset': ({ learnerId, lessonId, scope }) =>
      lessons(usableStore()).reset(learnerId, lessonId, scope),

    'quiz:submit': async ({ learnerId, lessonId, questionId, answer }) => {
      const session = await lessons(usableStore()).answer(learnerId, lessonId, questionId, answer)
      const questions =
        session.step?.kind === 'quiz' || session.step?.kind === 'trace' ? session.step.questions : []
      const grading = questions.find((q) => q.question.id === questionId)?.gradings.at(-1) ?? null
      return { grading, session }
    }
  }
}
