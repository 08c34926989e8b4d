import type {
  ClassEvent,
  Dashboard,
  LearnerState,
  QuestionStats
} from '../../../../src-main/api/classroom-contract.ts'

/**
 * Applies one pushed event to the dashboard the instructor sees, without asking the host again.
 * Pure (a new object out, the old one untouched) so the live view is a fold over the feed and the
 * tests can replay a feed. `anonymous` keeps names out of the answer lists for projecting.
 */
export function applyClassEvent(
  dashboard: Dashboard | null,
  event: ClassEvent,
  anonymous = false
): Dashboard | null {
  if (event.type === 'snapshot') return anonymous ? anonymise(event.dashboard) : event.dashboard
  if (!dashboard) return null
  const withLearner = (learnerId: string, change: (learner: LearnerState) => LearnerState): Dashboard => {
    const learners = dashboard.learners.map((l) => (l.learnerId === learnerId ? change(l) : l))
    return { ...dashboard, at: event.at, learners, stuckCount: learners.filter((l) => l.stuck).length }
  }
  switch (event.type) {
    case 'learner-joined': {
      if (dashboard.learners.some((l) => l.learnerId === event.learnerId))
        return withLearner(event.learnerId, (l) => ({ ...l, online: true }))
      const learner: LearnerState = {
        learnerId: event.learnerId,
        name: anonymous ? '' : event.name,
        seatCode: anonymous ? '' : event.seatCode,
        online: true,
        joinedAt: event.at,
        lessonId: null,
        stepId: null,
        completed: false,
        stepSince: null,
        timeOnStepMs: 0,
        failedAttempts: 0,
        hintsUsed: 0,
        stuck: false,
        stuckReasons: [],
        lessonsCompleted: 0
      }
      return { ...dashboard, at: event.at, learners: [...dashboard.learners, learner] }
    }
    case 'learner-left':
      return withLearner(event.learnerId, (l) => ({ ...l, online: false }))
    case 'step-changed':
      return withLearner(event.learnerId, (l) => {
        const moved = l.lessonId !== event.lessonId || l.stepId !== event.stepId
        const finished = event.completed && !l.completed
        return {
          ...l,
          online: true,
          lessonId: event.lessonId,
          stepId: event.stepId,
          completed: event.completed,
          lessonsCompleted: l.lessonsCompleted + (finished ? 1 : 0),
          ...(moved ? { stepSince: event.at, timeOnStepMs: 0, failedAttempts: 0, hintsUsed: 0 } : {})
        }
      })
    case 'attempt': {
      const learner = dashboard.learners.find((l) => l.learnerId === event.learnerId)
      const next = event.correct
        ? dashboard
        : withLearner(event.learnerId, (l) => ({ ...l, failedAttempts: l.failedAttempts + 1 }))
      return {
        ...next,
        at: event.at,
        questions: countAnswer(dashboard.questions, event, anonymous ? null : (learner?.name ?? null))
      }
    }
    case 'hint-used':
      return withLearner(event.learnerId, (l) => ({ ...l, hintsUsed: l.hintsUsed + 1 }))
    case 'task-failed':
      return withLearner(event.learnerId, (l) => ({ ...l, failedAttempts: l.failedAttempts + 1 }))
    case 'learner-state': {
      const learner = anonymous ? { ...event.learner, name: '' } : event.learner
      const known = dashboard.learners.some((l) => l.learnerId === learner.learnerId)
      const learners = known
        ? dashboard.learners.map((l) => (l.learnerId === learner.learnerId ? learner : l))
        : [...dashboard.learners, learner]
      return { ...dashboard, at: event.at, learners, stuckCount: learners.filter((l) => l.stuck).length }
    }
    case 'lessons-changed':
      return { ...dashboard, at: event.at, lessons: event.lessons, newLessons: event.newLessons }
    case 'class-closed':
      return { ...dashboard, at: event.at, status: 'closed' }
  }
}

type Attempt = Extract<ClassEvent, { type: 'attempt' }>

function countAnswer(questions: QuestionStats[], event: Attempt, name: string | null): QuestionStats[] {
  const index = questions.findIndex((q) => q.lessonId === event.lessonId && q.questionId === event.questionId)
  const question: QuestionStats = questions[index] ?? {
    lessonId: event.lessonId,
    questionId: event.questionId,
    kind: event.kind,
    answered: 0,
    firstAttemptCorrect: null,
    answers: []
  }
  const first = event.attemptNo === 1
  const answered = question.answered + (first ? 1 : 0)
  const rightFirst =
    Math.round((question.firstAttemptCorrect ?? 0) * question.answered) + (first && event.correct ? 1 : 0)
  const known = question.answers.find((a) => a.answer === event.answer)
  const answers = known
    ? question.answers.map((a) =>
        a === known
          ? {
              ...a,
              count: a.count + 1,
              learners: name && !a.learners.includes(name) ? [...a.learners, name] : a.learners
            }
          : a
      )
    : [
        ...question.answers,
        { answer: event.answer, correct: event.correct, count: 1, learners: name ? [name] : [] }
      ]
  const updated: QuestionStats = {
    ...question,
    answered,
    firstAttemptCorrect: answered === 0 ? null : rightFirst / answered,
    answers
  }
  return index === -1 ? [...questions, updated] : questions.map((q, i) => (i === index ? updated : q))
}

/** The projector's copy: learners counted but never named, no names beside the answers. */
export function anonymise(dashboard: Dashboard): Dashboard {
  return {
    ...dashboard,
    learners: dashboard.learners.map((l) => ({ ...l, name: '' })),
    questions: dashboard.questions.map((q) => ({
      ...q,
      answers: q.answers.map((a) => ({ ...a, learners: [] }))
    }))
  }
}

/** An answer as the dashboard shows it: the JSON the host groups by, made readable. */
export function answerLabel(answer: string): string {
  try {
    const value: unknown = JSON.parse(answer)
    if (Array.isArray(value)) return value.map(String).join(', ')
    if (value !== null && typeof value === 'object') return JSON.stringify(value)
    return String(value)
  } catch {
    return answer
  }
}

/** Minutes and seconds on a step, as m:ss. */
export function clock(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}
