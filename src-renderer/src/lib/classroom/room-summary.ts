import type { LearnerState } from '../../../../src-main/api/classroom-contract.ts'

/** What the projector says about the room: the lesson most learners are in, and who finished it. */
export interface RoomSummary {
  /** Null while nobody opened a lesson. */
  lessonId: string | null
  finished: number
}

/**
 * The room's lesson is the one most learners are in now (the first of them on a tie, so the line
 * does not flicker); "finished" counts everyone who completed it, including those who moved on
 * to the next lesson since.
 */
export function roomSummary(learners: readonly LearnerState[]): RoomSummary {
  const inLesson = new Map<string, number>()
  for (const learner of learners)
    if (learner.lessonId) inLesson.set(learner.lessonId, (inLesson.get(learner.lessonId) ?? 0) + 1)
  let lessonId: string | null = null
  for (const [id, count] of inLesson) if (lessonId === null || count > inLesson.get(lessonId)!) lessonId = id
  if (lessonId === null) return { lessonId: null, finished: 0 }
  const room = lessonId
  return { lessonId, finished: learners.filter((l) => l.completedLessons.includes(room)).length }
}
