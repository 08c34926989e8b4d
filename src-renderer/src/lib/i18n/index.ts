export * as m from './paraglide/messages.js'
export { locale, pick, type Locale } from './locale.svelte.ts'
