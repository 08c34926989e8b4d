import type { Route } from './router.svelte.ts'
import { loadXterm } from './terminal/load-xterm.ts'

/**
 * The pages beyond the lesson list load on demand, so the first page parses only what it shows.
 * Each loader fetches its chunk once; `preloadRoute` starts the one the app opens on while the
 * first API calls are still in flight, so the chunk is ready when the data is.
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null
  return () => (loading ??= load())
}

export const loadLessonView = once(() => import('./views/LessonView.svelte'))
export const loadSandboxView = once(() => import('./views/SandboxView.svelte'))
export const loadProgressView = once(() => import('./views/ProgressView.svelte'))
export const loadSettingsView = once(() => import('./views/SettingsView.svelte'))
export const loadAboutView = once(() => import('./views/AboutView.svelte'))
export const loadLearnerShell = once(() => import('./classroom/LearnerShell.svelte'))

export function preloadRoute(route: Route): void {
  switch (route.name) {
    case 'lesson':
      void loadLessonView()
      void loadXterm()
      return
    case 'sandbox':
      void loadSandboxView()
      void loadXterm()
      return
    case 'progress':
      return void loadProgressView()
    case 'settings':
      return void loadSettingsView()
    case 'about':
      return void loadAboutView()
    default:
  }
}
