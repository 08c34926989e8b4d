import type { MethodOutput } from './api.ts'

type ListedLesson = MethodOutput<'lessons:list'>['lessons'][number]

export interface NextLesson {
  lesson: ListedLesson
  /**
   * `continue`: the unfinished lesson the learner was at most recently; `start-here`: nothing
   * begun yet, so the course's first lesson; `up-next`: the first lesson not yet begun.
   */
  why: 'continue' | 'start-here' | 'up-next'
}

/** The lesson the lesson list offers at its top, or null when every lesson is done (or nobody asked). */
export function nextLesson(lessons: readonly ListedLesson[]): NextLesson | null {
  const open = lessons.filter((l) => l.available && l.progress !== null)
  let latest: ListedLesson | null = null
  for (const lesson of open) {
    if (lesson.progress?.status !== 'in-progress') continue
    const at = lesson.progress.lastActiveAt ?? ''
    if (latest === null || at > (latest.progress?.lastActiveAt ?? '')) latest = lesson
  }
  if (latest) return { lesson: latest, why: 'continue' }
  const fresh = open.find((l) => l.progress?.status === 'not-started')
  if (!fresh) return null
  const begun = open.some((l) => l.progress?.status !== 'not-started')
  return { lesson: fresh, why: begun ? 'up-next' : 'start-here' }
}
