/**
 * Presenter mode for the lesson workspace: large type for the projector, quiz answers and
 * predictions kept back until the presenter reveals them (the room votes before it sees the result), and a blank screen (B) for when the room should look at the
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

  /**
   * Outside presenter mode everything shows as usual; inside it a grading or a prediction's outcome
   * waits for a reveal. `id` names what is held back: a question's id, or a prediction's.
   */
  isRevealed(id: string): boolean {
    return !this.#active || this.#revealed.includes(id)
  }

  reveal(id: string): void {
    if (!this.#revealed.includes(id)) this.#revealed = [...this.#revealed, id]
  }
}

export const presenter = new Presenter()
