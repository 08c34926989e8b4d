import type { Course } from '../../core/lesson/course-loader.ts'
import type { Localized } from '../../core/lesson/lesson.schema.ts'
import type { LessonProgress, ProgressStore, TopicMastery } from '../../store/index.ts'
import { iso } from './context.ts'

/** Where an unfinished lesson resumes: step `n` (from 1) of its `of` steps. */
export interface StepPosition {
  n: number
  of: number
}

/** One lesson as the lesson list and the Progress page show it to its learner. */
export interface LearnerLessonProgress {
  status: 'in-progress' | 'completed'
  score: number | null
  step: StepPosition | null
  lastActiveAt: string | null
  openedAt: string | null
  completedAt: string | null
}

export interface LearnerProgress {
  /** Lessons the learner opened, by id; lessons never opened are absent. */
  lessons: Map<string, LearnerLessonProgress>
  topics: TopicMastery[]
}

/** The learner's summary from the store, with each unfinished lesson's step counted in the course as it is now. */
export function learnerProgress(store: ProgressStore, learnerId: string, course: Course): LearnerProgress {
  const stepIds = new Map<string, readonly string[]>()
  const topics: Record<string, readonly string[]> = {}
  for (const entry of course.lessons) {
    if (entry.status !== 'available') continue
    const lesson = entry.lesson.lesson
    stepIds.set(
      lesson.id,
      lesson.steps.map((step) => step.id)
    )
    topics[lesson.id] = lesson.topics
  }
  const summary = store.summary.progressSummary(learnerId, topics)
  const lessons = new Map<string, LearnerLessonProgress>()
  for (const row of summary.lessons) {
    const completed = row.status === 'completed'
    const ids = stepIds.get(row.lessonId)
    lessons.set(row.lessonId, {
      status: completed ? 'completed' : 'in-progress',
      score: row.score,
      step: completed || ids === undefined ? null : stepPosition(store, learnerId, row, ids),
      lastActiveAt: iso(row.lastActiveAt),
      openedAt: iso(row.startedAt ?? row.lastOpenedAt),
      completedAt: iso(row.completedAt)
    })
  }
  return { lessons, topics: summary.topics }
}

/**
 * The saved step's place among the lesson's steps. A lesson edited since may have lost that step:
 * then the store names the step the lesson will resume at, as opening it would.
 */
function stepPosition(
  store: ProgressStore,
  learnerId: string,
  row: LessonProgress,
  ids: readonly string[]
): StepPosition | null {
  if (ids.length === 0) return null
  if (row.stepId === null) return { n: 1, of: ids.length }
  let at = ids.indexOf(row.stepId)
  if (at < 0) {
    const resumed = store.sessions.resumeStepId(learnerId, row.lessonId, ids)
    at = resumed === null ? 0 : Math.max(0, ids.indexOf(resumed))
  }
  return { n: at + 1, of: ids.length }
}

/** A topic's mastery under the name the course gives it, in the order the course first teaches it. */
export interface NamedTopicMastery {
  id: string
  title: Localized
  mastery: number | null
  questions: number
}

export function namedTopics(topics: readonly TopicMastery[], course: Course): NamedTopicMastery[] {
  const order = new Map<string, number>()
  for (const entry of course.lessons) {
    if (entry.status !== 'available') continue
    for (const topic of entry.lesson.lesson.topics) if (!order.has(topic)) order.set(topic, order.size)
  }
  const names = course.index?.topics ?? {}
  return [...topics]
    .sort((a, b) => (order.get(a.topic) ?? order.size) - (order.get(b.topic) ?? order.size))
    .map((t) => ({
      id: t.topic,
      title: Object.hasOwn(names, t.topic)
        ? (names[t.topic] as Localized)
        : { en: t.topic, 'zh-CN': t.topic },
      mastery: t.mastery,
      questions: t.questions
    }))
}
