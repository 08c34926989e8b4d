import type { Course } from '../../core/lesson/course-loader.ts'
import { questionsOf } from '../../core/lesson/lesson.machine.ts'
import type { Lesson, Localized } from '../../core/lesson/lesson.schema.ts'
import type { LessonProgress, LessonTopics, ProgressStore, TopicMastery } from '../../store/index.ts'
import { iso } from './context.ts'

/** Where an unfinished lesson resumes: step `n` (from 1) of its `of` steps, and that step's title. */
export interface StepPosition {
  n: number
  of: number
  title: Localized
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
  const steps = new Map<string, readonly { id: string; title: Localized }[]>()
  const topics: Record<string, LessonTopics> = {}
  for (const entry of course.lessons) {
    if (entry.status !== 'available') continue
    const lesson = entry.lesson.lesson
    steps.set(lesson.id, lesson.steps)
    topics[lesson.id] = { topics: lesson.topics, questions: questionTopics(lesson) }
  }
  const summary = store.summary.progressSummary(learnerId, topics)
  const lessons = new Map<string, LearnerLessonProgress>()
  for (const row of summary.lessons) {
    const completed = row.status === 'completed'
    const ofLesson = steps.get(row.lessonId)
    lessons.set(row.lessonId, {
      status: completed ? 'completed' : 'in-progress',
      score: row.score,
      step: completed || ofLesson === undefined ? null : stepPosition(store, learnerId, row, ofLesson),
      lastActiveAt: iso(row.lastActiveAt),
      openedAt: iso(row.startedAt ?? row.lastOpenedAt),
      completedAt: iso(row.completedAt)
    })
  }
  return { lessons, topics: summary.topics }
}

/** The topic tag of each question that carries one. */
function questionTopics(lesson: Lesson): Record<string, string> {
  const tagged: Record<string, string> = {}
  for (const step of lesson.steps)
    for (const question of questionsOf(step))
      if (question.topic !== undefined) tagged[question.id] = question.topic
  return tagged
}

/**
 * The saved step's place among the lesson's steps. A lesson edited since may have lost that step:
 * then the store names the step the lesson will resume at, as opening it would.
 */
function stepPosition(
  store: ProgressStore,
  learnerId: string,
  row: LessonProgress,
  steps: readonly { id: string; title: Localized }[]
): StepPosition | null {
  const ids = steps.map((step) => step.id)
  let at = row.stepId === null ? 0 : ids.indexOf(row.stepId)
  if (at < 0) {
    const resumed = store.sessions.resumeStepId(learnerId, row.lessonId, ids)
    at = resumed === null ? 0 : Math.max(0, ids.indexOf(resumed))
  }
  const step = steps[at]
  return step === undefined ? null : { n: at + 1, of: ids.length, title: step.title }
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
