import { api, type MethodOutput } from '../api.ts'

type CourseList = MethodOutput<'lessons:list'>

/**
 * The lesson list, fetched once at start in parallel with the learner's session (it does not
 * depend on who is learning) and refreshed when a view asks.
 */
class CourseState {
  #list = $state.raw<CourseList | null>(null)
  #error = $state<string | null>(null)
  #pending: Promise<void> | null = null

  get list(): CourseList | null {
    return this.#list
  }
  get error(): string | null {
    return this.#error
  }

  refresh(): Promise<void> {
    this.#pending ??= api['lessons:list']({}).then(
      (value) => {
        this.#list = value
        this.#error = null
        this.#pending = null
      },
      (e: unknown) => {
        this.#error = e instanceof Error ? e.message : String(e)
        this.#pending = null
      }
    )
    return this.#pending
  }
}

export const course = new CourseState()
