/**
 * Whether the window is wide enough to put the lesson and the lab side by side; narrower
 * windows stack them. One media query for the whole app, followed as the window is resized.
 */
class WindowSize {
  #query = window.matchMedia('(min-width: 56rem)')
  #wide = $state(this.#query.matches)

  constructor() {
    this.#query.addEventListener('change', (event) => (this.#wide = event.matches))
  }

  get wide(): boolean {
    return this.#wide
  }
}

export const wideWindow = new WindowSize()
