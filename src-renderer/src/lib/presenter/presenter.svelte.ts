/**
 * Presenter mode for the lesson workspace: large type for the projector, quiz answers kept back
 * until the presenter reveals them, and a blank screen (B) for when the room should look at the
 * presenter. One per window; the lesson view owns the keyboard, the rest only read this.
 */
export class Presenter {
  #active = $state(false)
  #blanked = $state(false)
  #revealed = $state<string[]>([])

  get active(): boolean {
    return this.#active
  }
  get blanked(): boolean {
    return this.#blanked
  }

  toggle(): void {
    if (this.#active) this.leave()
    else this.enter()
  }

  enter(): void {
    this.#active = true
    this.#revealed = []
    document.documentElement.dataset['presenting'] = 'true'
  }

  leave(): void {
    this.#active = false
    this.#blanked = false
    delete document.documentElement.dataset['presenting']
  }

  toggleBlank(): void {
    if (this.#active) this.#blanked = !this.#blanked
  }

  /** Outside presenter mode everything shows as usual; inside it a grading waits for a reveal. */
  isRevealed(questionId: string): boolean {
    return !this.#active || this.#revealed.includes(questionId)
  }

  reveal(questionId: string): void {
    if (!this.#revealed.includes(questionId)) this.#revealed = [...this.#revealed, questionId]
  }
}

export const presenter = new Presenter()
