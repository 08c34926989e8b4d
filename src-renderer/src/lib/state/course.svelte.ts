import { api, errorText, type MethodOutput } from '../api.ts'

type CourseList = MethodOutput<'lessons:list'>

/**
 * The lesson list, fetched once at start in parallel with the learner's session (it does not
 * depend on who is learning) and refreshed when a view asks.
 */
class CourseState {
  #list = $state.raw<CourseList | null>(null)
  /** Kept as thrown, so its text follows a change of language. */
  #error = $state.raw<unknown>(null)
  #pending: Promise<void> | null = null
  #pendingFor: string | undefined

  get list(): CourseList | null {
    return this.#list
  }
  get error(): string | null {
    return this.#error === null ? null : errorText(this.#error)
  }

  /** With a learner, the list carries their status and score per lesson; the latest request wins. */
  refresh(learnerId?: string): Promise<void> {
    if (this.#pending && this.#pendingFor === learnerId) return this.#pending
    this.#pendingFor = learnerId
    const pending: Promise<void> = api['lessons:list'](learnerId === undefined ? {} : { learnerId }).then(
      (value) => {
        if (this.#pending !== pending) return
        this.#list = value
        this.#error = null
        this.#pending = null
      },
      (e: unknown) => {
        if (this.#pending !== pending) return
        this.#error = e
        this.#pending = null
      }
    )
    this.#pending = pending
    return pending
  }
}

export const course = new CourseState()
