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
  /**
   * The window is a learner's in someone's class. Presenter mode is the instructor's tool: there
   * no key turns it on or off by accident (its button still does, and Escape still leaves it).
   */
  inClass: boolean
  /** The key went to something that types or chooses (a field, the terminal, a select). */
  inField: boolean
  /** The key went to a button, where Space already means "press". */
  onButton: boolean
  /** A modifier (Ctrl, Alt, Meta) was held: leave browser and system shortcuts alone. */
  modified: boolean
}

/**
 * The keys of each action, as `KeyboardEvent.key` names them (letters in lower case). The controls'
 * key list and the app's shortcut sheet are drawn from this table, so they list what acts.
 */
export const presenterKeys: readonly { action: PresenterAction; keys: readonly string[] }[] = [
  { action: 'toggle-mode', keys: ['p', 'F5'] },
  { action: 'next', keys: ['PageDown', 'ArrowRight'] },
  { action: 'previous', keys: ['PageUp', 'ArrowLeft'] },
  { action: 'play', keys: [' '] },
  { action: 'blank', keys: ['b', '.'] },
  { action: 'leave', keys: ['Escape'] }
]

/** The keys that act in this window, for the lists that show them. */
export function presenterKeysFor(inClass: boolean): typeof presenterKeys {
  return inClass ? presenterKeys.filter(({ action }) => action !== 'toggle-mode') : presenterKeys
}

const actionOfKey = new Map(
  presenterKeys.flatMap(({ action, keys }) => keys.map((key) => [key, action] as const))
)

export function presenterAction(context: KeyContext): PresenterAction | null {
  const { key, presenting, inClass, inField, onButton, modified } = context
  if (modified || inField) return null
  const action = actionOfKey.get(key.length === 1 ? key.toLowerCase() : key) ?? null
  if (action === 'toggle-mode') return inClass ? null : action
  if (!presenting) return null
  // Space on a button already means "press".
  return action === 'play' && onButton ? null : action
}

/** Reads the context out of a DOM key event. */
export function keyContext(
  event: KeyboardEvent,
  { presenting, inClass }: Pick<KeyContext, 'presenting' | 'inClass'>
): KeyContext {
  const target = event.target instanceof Element ? event.target : null
  const within = (selector: string): boolean => (target?.closest(selector) ?? null) !== null
  return {
    key: event.key,
    presenting,
    inClass,
    inField: within('input, select, textarea, [contenteditable=""], [contenteditable="true"], .xterm'),
    onButton: within('button, a[href], summary, [role="button"], [role="tab"]'),
    modified: event.ctrlKey || event.altKey || event.metaKey
  }
}
