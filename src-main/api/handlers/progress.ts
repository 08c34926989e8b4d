import { ApiError } from '../envelope.ts'
import { reason } from '../error-reasons.ts'
import { unknownLearner } from '../refusals.ts'
import type { Handlers } from '../dispatch.ts'
import type { ServiceContext } from './context.ts'
import { learnerProgress, namedTopics } from './learner-progress.ts'

/** A learner's record: summary, export, import and reset. */
export function progressHandlers(
  ctx: ServiceContext
): Pick<Handlers, 'progress:summary' | 'progress:export' | 'progress:import' | 'progress:reset'> {
  const { course, usableStore, requireLearner, now } = ctx
  return {
    'progress:summary': ({ learnerId }) => {
      const store = usableStore()
      requireLearner(store, learnerId)
      const c = course()
      const progress = learnerProgress(store, learnerId, c)
      return {
        lessons: [...progress.lessons].map(([lessonId, row]) => ({
          lessonId,
          status: row.status,
          openedAt: row.openedAt,
          completedAt: row.completedAt,
          score: row.score,
          step: row.step
        })),
        topics: namedTopics(progress.topics, c)
      }
    },

    'progress:export': ({ learnerId, format }) => {
      const store = usableStore()
      requireLearner(store, learnerId)
      const name = (store.profiles.get(learnerId)?.name ?? 'learner').replace(/[^\p{L}\p{N}_-]+/gu, '-')
      const day = new Date(now()).toISOString().slice(0, 10)
      switch (format) {
        case 'json':
          return {
            fileName: `podnet-progress-${name}-${day}.json`,
            mimeType: 'application/json',
            content: store.exportProgress(learnerId)
          }
        case 'csv':
          return {
            fileName: `podnet-attempts-${name}-${day}.csv`,
            mimeType: 'text/csv',
            content: store.exportAttemptsCsv(learnerId)
          }
        case 'xapi':
          return {
            fileName: `podnet-xapi-${name}-${day}.json`,
            mimeType: 'application/json',
            content: JSON.stringify(store.exportXapi(learnerId), null, 2)
          }
      }
    },

    'progress:import': ({ content }) => {
      const report = usableStore().importProgress(content)
      return {
        learnerId: report.learnerId,
        learnerCreated: report.learnerCreated,
        changes: { ...report.changes }
      }
    },

    'progress:reset': ({ learnerId, confirm }) => {
      const store = usableStore()
      const profile = store.profiles.get(learnerId)
      if (!profile) throw unknownLearner(learnerId)
      if (confirm !== profile.name) {
        throw new ApiError(
          'invalid_input',
          `confirm: type the profile's name "${profile.name}" to reset its progress`,
          { reason: reason('confirm_mismatch', { name: profile.name }) }
        )
      }
      const removed = store.resetProgress(learnerId)
      // Open lessons would otherwise write their old snapshots back on the next event.
      ctx.openLessons()?.forget(learnerId)
      return { removed: { ...removed } }
    }
  }
}
