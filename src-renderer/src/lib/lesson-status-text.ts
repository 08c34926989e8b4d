import type { MethodOutput } from './api.ts'
// The compiled messages themselves rather than i18n/index.ts: no reactive state here, so the rule
// can be tested outside Svelte's compiler.
import * as m from './i18n/paraglide/messages.js'
import { wholePercent } from './score-text.ts'

type LessonProgress = NonNullable<MethodOutput<'lessons:list'>['lessons'][number]['progress']>

/** "Step 5 of 17" while a lesson is under way; the status, with the score once it is done. */
export function lessonStatusText(progress: LessonProgress): string {
  if (progress.status === 'in-progress')
    return progress.step ? m.lessons_step_of(progress.step) : m.progress_status_in_progress()
  if (progress.status === 'not-started') return m.progress_status_not_started()
  const done = m.progress_status_completed()
  return progress.score === null
    ? done
    : `${done} · ${m.lessons_score({ percent: wholePercent(progress.score) })}`
}
