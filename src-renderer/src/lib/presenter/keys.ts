/**
 * What a key does in presenter mode. Presentation remotes send PageDown/PageUp for next/previous,
 * and B or "." to blank the screen (the PowerPoint convention most of them are built for); some
 * send F5 to start a show, which toggles presenter mode here.
 */
export type PresenterAction = 'toggle-mode' | 'next' | 'previous' | 'blank' | 'play' | 'leave'

export interface KeyContext {
  key: string
  /** Presenter mode is on. Outside it only the toggle keys act. */
  presenting: boolean
  /** The key went to something that types or chooses (a field, the terminal, a select). */
  inField: boolean
  /** The key went to a button, where Space already means "press". */
  onButton: boolean
  /** A modifier (Ctrl, Alt, Meta) was held: leave browser and system shortcuts alone. */
  modified: boolean
}

export function presenterAction(context: KeyContext): PresenterAction | null {
  const { key, presenting, inField, onButton, modified } = context
  if (modified || inField) return null
  if (key === 'F5' || key === 'p' || key === 'P') return 'toggle-mode'
  if (!presenting) return null
  switch (key) {
    case 'PageDown':
    case 'ArrowRight':
      return 'next'
    case 'PageUp':
    case 'ArrowLeft':
      return 'previous'
    case 'b':
    case 'B':
    case '.':
      return 'blank'
    case ' ':
      return onButton ? null : 'play'
    case 'Escape':
      return 'leave'
    default:
      return null
  }
}

/** Reads the context out of a DOM key event. */
export function keyContext(event: KeyboardEvent, presenting: boolean): KeyContext {
  const target = event.target instanceof Element ? event.target : null
  const within = (selector: string): boolean => (target?.closest(selector) ?? null) !== null
  return {
    key: event.key,
    presenting,
    inField: within('input, select, textarea, [contenteditable=""], [contenteditable="true"], .xterm'),
    onButton: within('button, a[href], summary, [role="button"], [role="tab"]'),
    modified: event.ctrlKey || event.altKey || event.metaKey
  }
}
