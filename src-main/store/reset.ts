import type { StoreContext } from './context.ts'

/**
 * Tables that hold what a learner did, as opposed to who they are (`learners`), how they like the
 * app (`learner_settings`) or which class they belong to. Named one by one: a table a later
 * migration adds is kept unless someone decides here that resetting progress should empty it.
 */
const progressTables = [
  'lesson_opens',
  'lesson_sessions',
  'lesson_journal',
  'step_events',
  'quiz_attempts',
  'hint_uses',
  'review_items'
] as const

export type ProgressTable = (typeof progressTables)[number]

/** "Start the course again" for one learner; every other learner's rows are untouched. */
export function resetProgress(ctx: StoreContext, learnerId: string): Record<ProgressTable, number> {
  return ctx.write('reset the progress', () => {
    const removed = {} as Record<ProgressTable, number>
    for (const table of progressTables) {
      removed[table] = ctx.db
        .prepare<[string]>(`DELETE FROM ${table} WHERE learner_id = ?`)
        .run(learnerId).changes
    }
    return removed
  })
}
