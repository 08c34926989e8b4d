import { m } from '../i18n/index.ts'
import { presenterKeysFor, type PresenterAction } from '../presenter/keys.ts'

/**
 * The app's keyboard shortcuts as the `?` sheet lists them. Keys are `KeyboardEvent.key` names;
 * presenter mode's come from the table its key handler reads, the others from where each view
 * handles its keys (the packet stepper, the terminal's line editor, the lab's tabs, the dividers).
 */

/** Keys pressed together (`Ctrl`+`C`), or one after the other when `then` is set (`Esc`, then `Tab`). */
export interface KeyCombo {
  keys: readonly string[]
  then?: boolean
}

export interface Shortcut {
  /** Alternatives: any one of them does it. */
  combos: readonly KeyCombo[]
  does: () => string
}

export interface ShortcutGroup {
  id: string
  title: () => string
  shortcuts: readonly Shortcut[]
}

const press = (...keys: string[]): KeyCombo => ({ keys })

/** The key that opens the sheet, outside fields and the terminal. */
export const sheetKey = '?'

const presenterDoes: Record<PresenterAction, () => string> = {
  'toggle-mode': m.presenter_key_toggle,
  next: m.presenter_key_next,
  previous: m.presenter_key_previous,
  play: m.presenter_key_play,
  blank: m.presenter_key_blank,
  leave: m.presenter_key_escape
}

/** Presenter mode's keys, from the table its handler reads. */
export function presenterShortcuts(inClass: boolean): readonly Shortcut[] {
  return presenterKeysFor(inClass).map(({ action, keys }) => ({
    combos: keys.map((key) => press(key)),
    does: presenterDoes[action]
  }))
}

/** The groups of the sheet; a class learner's window lists no key that toggles presenter mode. */
export const shortcutGroups = (inClass: boolean): readonly ShortcutGroup[] => [
  {
    id: 'app',
    title: m.shortcuts_group_app,
    shortcuts: [
      { combos: [press(sheetKey)], does: m.shortcut_show_sheet },
      { combos: [press('Escape')], does: m.shortcut_close }
    ]
  },
  {
    id: 'stepper',
    title: m.shortcuts_group_stepper,
    shortcuts: [
      { combos: [press(' ')], does: m.presenter_key_play },
      { combos: [press('ArrowRight')], does: m.presenter_key_next },
      { combos: [press('ArrowLeft')], does: m.presenter_key_previous }
    ]
  },
  {
    id: 'terminal',
    title: m.shortcuts_group_terminal,
    shortcuts: [
      { combos: [press('Tab')], does: m.shortcut_terminal_complete },
      { combos: [press('ArrowUp'), press('ArrowDown')], does: m.shortcut_terminal_history },
      { combos: [press('Control', 'a'), press('Home')], does: m.shortcut_terminal_line_start },
      { combos: [press('Control', 'e'), press('End')], does: m.shortcut_terminal_line_end },
      { combos: [press('Control', 'u')], does: m.shortcut_terminal_clear_line },
      { combos: [press('Control', 'c')], does: m.shortcut_terminal_cancel },
      { combos: [press('Control', 'l')], does: m.shortcut_terminal_clear_screen },
      { combos: [{ keys: ['Escape', 'Tab'], then: true }], does: m.shortcut_terminal_leave },
      { combos: [press('Shift', 'Tab')], does: m.shortcut_terminal_back }
    ]
  },
  {
    id: 'tabs',
    title: m.shortcuts_group_tabs,
    shortcuts: [
      { combos: [press('ArrowLeft'), press('ArrowRight')], does: m.shortcut_tab_neighbour },
      { combos: [press('Home'), press('End')], does: m.shortcut_tab_ends }
    ]
  },
  {
    id: 'panes',
    title: m.shortcuts_group_panes,
    shortcuts: [
      {
        combos: [press('ArrowLeft'), press('ArrowRight'), press('ArrowUp'), press('ArrowDown')],
        does: m.shortcut_pane_move
      },
      { combos: [press('Home'), press('End')], does: m.shortcut_pane_ends }
    ]
  },
  { id: 'presenter', title: m.presenter_keys_title, shortcuts: presenterShortcuts(inClass) }
]

const symbols: Record<string, string> = {
  ArrowLeft: '←',
  ArrowRight: '→',
  ArrowUp: '↑',
  ArrowDown: '↓'
}
const named: Record<string, () => string> = {
  ' ': m.key_space,
  Escape: m.key_escape,
  PageDown: m.key_page_down,
  PageUp: m.key_page_up,
  Tab: m.key_tab,
  Shift: m.key_shift,
  Control: m.key_ctrl,
  Home: m.key_home,
  End: m.key_end
}

/** The key as its key cap shows it. */
export function keyLabel(key: string): string {
  const name = named[key]
  if (name) return name()
  return symbols[key] ?? (key.length === 1 ? key.toUpperCase() : key)
}
