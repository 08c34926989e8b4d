import { errorText } from '../api.ts'

/**
 * A panel's actions, one at a time: `busy` while one runs (its buttons are disabled), `error`
 * the text of the last one's failure, cleared when the next one starts.
 */
export class FormAction {
  busy = $state(false)
  error = $state<string | null>(null)

  async run(work: () => Promise<void>): Promise<void> {
    this.busy = true
    this.error = null
    try {
      await work()
    } catch (e) {
      this.error = errorText(e)
    } finally {
      this.busy = false
    }
  }
}
