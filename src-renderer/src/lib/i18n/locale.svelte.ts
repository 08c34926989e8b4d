import { baseLocale, isLocale, overwriteGetLocale } from './paraglide/runtime.js'
import type { locales } from './paraglide/runtime.js'

export type Locale = (typeof locales)[number]

function initialLocale(): Locale {
  const fromNavigator = navigator.languages.find((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : null
  return fromNavigator ?? baseLocale
}

/**
 * The UI language as reactive state. Paraglide's message functions ask `getLocale()`, which we
 * point here, so every `m.key()` in a template re-renders when the locale changes — no reload.
 */
class LocaleState {
  #current = $state<Locale>(initialLocale())

  get current(): Locale {
    return this.#current
  }

  set(next: string): void {
    if (!isLocale(next)) return
    this.#current = next
    document.documentElement.lang = next
  }
}

export const locale = new LocaleState()
overwriteGetLocale(() => locale.current)
document.documentElement.lang = locale.current

/** Picks the current locale's text (or figure) from a `{en, zh-CN}` pair coming from the API. */
export function pick<T>(text: { en: T; 'zh-CN': T }): T {
  return text[locale.current]
}
