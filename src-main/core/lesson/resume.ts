import type { Snapshot } from 'xstate'
import type { Lesson } from './lesson.schema.ts'
import { COMPLETED, type LessonContext, type LessonMachine } from './lesson.machine.ts'

/**
 * Reopening a lesson. The service stores each learner's persisted snapshot with the lesson's
 * content hash; when the author has edited the lesson since, the old position is mapped onto
 * the new steps: the same step id if it still exists, otherwise the nearest earlier one that
 * does. Recorded completions, answers, predictions and hint use are kept as they are, even for
 * steps that no longer exist, because they are the learner's history, not the lesson's.
 */

/** The parts of a persisted snapshot this module reads. */
interface PersistedLessonSnapshot {
  value: unknown
  context: LessonContext
}

export function isPersistedLessonSnapshot(value: unknown): value is PersistedLessonSnapshot {
  if (typeof value !== 'object' || value === null) return false
  const context = (value as { context?: unknown }).context
  return (
    typeof context === 'object' && context !== null && Array.isArray((context as LessonContext).stepOrder)
  )
}

/** Where to resume: the same step id, or the nearest earlier one (by the old order) that still exists. */
export function resumeStepId(
  oldOrder: readonly string[],
  oldCurrent: string,
  newOrder: readonly string[],
  completed: readonly string[]
): string {
  const present = new Set(newOrder)
  if (oldCurrent === COMPLETED) {
    if (newOrder.every((id) => completed.includes(id))) return COMPLETED
    return [...oldOrder].reverse().find((id) => present.has(id)) ?? (newOrder[0] as string)
  }
  if (present.has(oldCurrent)) return oldCurrent
  const at = oldOrder.indexOf(oldCurrent)
  for (let i = at - 1; i >= 0; i--) {
    const id = oldOrder[i] as string
    if (present.has(id)) return id
  }
  return newOrder[0] as string
}

/**
 * The snapshot to restore with `createActor(machine, { snapshot })`: `persisted` itself when the
 * lesson is unchanged, otherwise a snapshot at the mapped step. Returns `undefined` when
 * `persisted` is not a lesson snapshot at all (start the lesson afresh).
 */
export function resumeSnapshot(
  machine: LessonMachine,
  lesson: Lesson,
  contentHash: string,
  persisted: unknown
): Snapshot<unknown> | undefined {
  if (!isPersistedLessonSnapshot(persisted)) return undefined
  const old = persisted.context
  if (old.contentHash === contentHash && old.lessonId === lesson.id)
    return persisted as unknown as Snapshot<unknown>
  const newOrder = lesson.steps.map((step) => step.id)
  const target = resumeStepId(old.stepOrder, String(persisted.value), newOrder, old.completed)
  // Event leaves are recorded by path into a goal that may have changed: an unsolved task starts
  // its events over, while a solved one stays solved.
  const tasks = Object.fromEntries(
    Object.entries(old.tasks).map(([id, task]) => [
      id,
      task.solved ? task : { satisfied: [], failing: [], solved: false }
    ])
  )
  const context: LessonContext = { ...old, lessonId: lesson.id, contentHash, stepOrder: newOrder, tasks }
  delete context.pendingCommand
  delete context.rejection
  const snapshot = machine.resolveState({ value: target, context })
  return machine.getPersistedSnapshot(snapshot)
}
