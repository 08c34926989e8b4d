export * as m from './paraglide/messages.js'
export { locale, pick } from './locale.svelte.ts'
