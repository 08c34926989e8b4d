import type { LoadedLesson } from '../../core/lesson/course-loader.ts'
import { estimateMinutes, type LessonMinutes } from '../../core/lesson/estimate.ts'
import { formatIssue } from '../../core/lesson/issues.ts'
import { stepProse } from '../../core/lesson/snapshot-view.ts'
import type { MethodOutput } from '../contract.ts'
import { lessonOutline } from '../lesson-outline.ts'
import type { Handlers } from '../dispatch.ts'
import type { ServiceContext } from './context.ts'
import { learnerProgress, type LearnerLessonProgress } from './learner-progress.ts'

type ListedProgress = MethodOutput<'lessons:list'>['lessons'][number]['progress']

const notStarted: NonNullable<ListedProgress> = {
  status: 'not-started',
  score: null,
  step: null,
  lastActiveAt: null
}

function listed(progress: LearnerLessonProgress | undefined): NonNullable<ListedProgress> {
  if (!progress) return notStarted
  const { status, score, step, lastActiveAt } = progress
  return { status, score, step, lastActiveAt }
}

/**
 * Estimating reads every step's prose in both locales (about 1 ms a lesson), and the course is listed
 * on every class join. A loaded lesson never changes: an edited file is loaded anew, as a new object.
 */
const minutesOfLoaded = new WeakMap<LoadedLesson, LessonMinutes>()

function minutesOf(loaded: LoadedLesson): LessonMinutes {
  let minutes = minutesOfLoaded.get(loaded)
  if (!minutes) {
    minutes = estimateMinutes(loaded.lesson, loaded.prose)
    minutesOfLoaded.set(loaded, minutes)
  }
  return minutes
}

/** The course, opening lessons and moving through them. */
export function lessonHandlers(
  ctx: ServiceContext
): Pick<
  Handlers,
  | 'lessons:list'
  | 'lessons:outline'
  | 'lesson:open'
  | 'lesson:send'
  | 'lesson:step'
  | 'lesson:reset'
  | 'quiz:submit'
> {
  const { course, availableLesson, usableStore, requireLearner, lessons } = ctx

  return {
    'lessons:list': ({ learnerId }) => {
      const c = course()
      let progress: Map<string, LearnerLessonProgress> | null = null
      if (learnerId !== undefined) {
        const store = usableStore()
        requireLearner(store, learnerId)
        progress = learnerProgress(store, learnerId, c).lessons
      }
      const progressOf = (id: string): ListedProgress => (progress === null ? null : listed(progress.get(id)))
      return {
        courseTitle: c.index?.title ?? { en: 'Podnet Lab', 'zh-CN': 'Podnet Lab' },
        lessons: c.lessons.map((entry) =>
          entry.status === 'available'
            ? {
                id: entry.lesson.lesson.id,
                slug: entry.dir,
                title: entry.lesson.lesson.title,
                summary: entry.lesson.lesson.summary,
                minutes: minutesOf(entry.lesson),
                topics: entry.lesson.lesson.topics,
                available: true,
                problems: [],
                progress: progressOf(entry.lesson.lesson.id)
              }
            : {
                id: entry.id ?? entry.dir,
                slug: entry.dir,
                title: entry.title ?? { en: entry.dir, 'zh-CN': entry.dir },
                summary: { en: '', 'zh-CN': '' },
                minutes: { en: 0, 'zh-CN': 0 },
                topics: [],
                available: false,
                problems: entry.issues.map(formatIssue),
                progress: null
              }
        )
      }
    },

    'lessons:outline': () => ({
      lessons: course().lessons.flatMap((entry) =>
        entry.status === 'available' ? [lessonOutline(entry.lesson.lesson)] : []
      )
    }),
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
        reachedBodies: Object.fromEntries(
          session.steps.filter((s) => s.status !== 'todo').map((s) => [s.id, stepProse(prose, s.id)])
        ),
        topology: await host.topology(learnerId, lessonId),
        id: lesson.id,
        title: lesson.title,
        minutes: minutesOf(loaded)
      }
    },

    'lesson:send': ({ learnerId, lessonId, event }) =>
      lessons(usableStore()).send(learnerId, lessonId, event),

    'lesson:step': async ({ learnerId, lessonId, stepId }) => ({
      stepId,
      ...(await lessons(usableStore()).step(learnerId, lessonId, stepId))
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
