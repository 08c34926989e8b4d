import type { ClassEvent, Dashboard, LearnerState, QuestionStats } from '../api/classroom-contract.ts'

/**
 * The projector's copy of a class: every learner still counted (the room summary needs where
 * each one is), but no name, seat code, student id or last failed command ever leaves the
 * host. Blanking them in the projector's page would still send them to a screen the whole
 * room can read through the browser's developer tools.
 */
export function anonymousDashboard(dashboard: Dashboard): Dashboard {
  return {
    ...dashboard,
    learners: dashboard.learners.map(anonymousLearner),
    questions: dashboard.questions.map(anonymousQuestion)
  }
}

export function anonymousEvent(event: ClassEvent): ClassEvent {
  switch (event.type) {
    case 'snapshot':
      return { ...event, dashboard: anonymousDashboard(event.dashboard) }
    case 'learner-joined':
      return { ...event, name: '', seatCode: '' }
    case 'learner-left':
      return { ...event, name: '' }
    case 'learner-state':
      return { ...event, learner: anonymousLearner(event.learner) }
    case 'question-stats':
      return { ...event, question: anonymousQuestion(event.question) }
    default:
      return event
  }
}

function anonymousLearner(learner: LearnerState): LearnerState {
  return { ...learner, name: '', seatCode: '', studentId: '', lastFailure: null }
}

function anonymousQuestion(question: QuestionStats): QuestionStats {
  return {
    ...question,
    answers: question.answers.map((a) => ({ ...a, learners: [] })),
    firstAnswers: question.firstAnswers.map((a) => ({ ...a, learners: [] }))
  }
}
