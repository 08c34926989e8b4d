import type { Course, LoadedLesson } from '../../core/lesson/course-loader.ts'
import type { ProgressStore } from '../../store/index.ts'
import type { LessonHost } from '../lesson-host.ts'
import type { SandboxHost } from '../sandbox-host.ts'

/**
 * What every domain's handlers share: the course as it is on disk now, the store (or why it
 * cannot be used), the lesson and sandbox hosts and the clock. service.ts builds it once.
 */
export interface ServiceContext {
  now: () => number
  /** Re-parsed whenever a lesson file changes, so authors see edits without a restart. */
  course: () => Course
  /** An available lesson of the course; not_found otherwise. */
  availableLesson: (lessonId: string) => LoadedLesson
  /** The store, or store_unavailable with the reason it could not be opened. */
  usableStore: () => ProgressStore
  /** The store, or null where `usableStore` would refuse (no lesson runs then). */
  storeIfUsable: () => ProgressStore | null
  requireLearner: (store: ProgressStore, learnerId: string) => void
  lessons: (store: ProgressStore) => LessonHost
  /** The lesson host if any lesson was opened since the start. */
  openLessons: () => LessonHost | null
  sandboxes: SandboxHost
}

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())
