export type Route =
  | { name: 'lessons' }
  | { name: 'lesson'; lessonId: string }
  | { name: 'progress' }
  | { name: 'settings' }

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent)
  if (parts[0] === 'lessons' && parts[1]) return { name: 'lesson', lessonId: parts[1] }
  if (parts[0] === 'progress') return { name: 'progress' }
  if (parts[0] === 'settings') return { name: 'settings' }
  return { name: 'lessons' }
}

export function href(route: Route): string {
  return route.name === 'lesson' ? `#/lessons/${encodeURIComponent(route.lessonId)}` : `#/${route.name}`
}

/** Hash routing: the app is served from a file in Electron and from one index.html by the web host. */
class Router {
  #route = $state.raw<Route>(parseHash(window.location.hash))

  constructor() {
    window.addEventListener('hashchange', () => {
      this.#route = parseHash(window.location.hash)
    })
  }

  get route(): Route {
    return this.#route
  }
}

export const router = new Router()
