import type {
  ClassEvent,
  Dashboard,
  LearnerState,
  QuestionStats
} from '../../../../src-main/api/classroom-contract.ts'

/**
 * Applies one pushed event to the dashboard the instructor sees, without asking the host again.
 * Pure (a new object out, the old one untouched) so the live view is a fold over the feed and the
 * tests can replay a feed. The projector's feed arrives from the host already without names.
 */
export function applyClassEvent(dashboard: Dashboard | null, event: ClassEvent): Dashboard | null {
  if (event.type === 'snapshot') return event.dashboard
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
        name: event.name,
        seatCode: event.seatCode,
        studentId: '',
        online: true,
        joinedAt: event.at,
        lessonId: null,
        stepId: null,
        completed: false,
        stepSince: null,
        timeOnStepMs: 0,
        timingSince: null,
        stepSolved: false,
        failedAttempts: 0,
        hintsUsed: 0,
        stuck: false,
        stuckReasons: [],
        lastFailure: null,
        lessonsCompleted: 0,
        completedLessons: [],
        score: null,
        passed: null
      }
      return { ...dashboard, at: event.at, learners: [...dashboard.learners, learner] }
    }
    case 'learner-left':
      return withLearner(event.learnerId, (l) => ({ ...l, online: false, timingSince: null }))
    case 'step-changed':
      return withLearner(event.learnerId, (l) => {
        const moved = l.lessonId !== event.lessonId || l.stepId !== event.stepId
        return {
          ...l,
          online: true,
          lessonId: event.lessonId,
          stepId: event.stepId,
          completed: event.completed,
          ...(event.completed && !l.completedLessons.includes(event.lessonId)
            ? {
                completedLessons: [...l.completedLessons, event.lessonId],
                lessonsCompleted: l.lessonsCompleted + 1
              }
            : {}),
          ...(moved
            ? { stepSince: event.at, timeOnStepMs: 0, failedAttempts: 0, hintsUsed: 0, lastFailure: null }
            : {})
        }
      })
    // Counters and flags arrive whole in the `learner-state` the host sends after each call.
    case 'attempt':
    case 'hint-used':
    case 'task-failed':
      return { ...dashboard, at: event.at }
    case 'question-stats': {
      const question = event.question
      const same = (q: QuestionStats): boolean =>
        q.lessonId === question.lessonId && q.questionId === question.questionId
      const questions = dashboard.questions.some(same)
        ? dashboard.questions.map((q) => (same(q) ? question : q))
        : [...dashboard.questions, question]
      return { ...dashboard, at: event.at, questions }
    }
    case 'learner-state': {
      const learner = event.learner
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

/** Minutes and seconds on a step, as m:ss. */
export function clock(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}
