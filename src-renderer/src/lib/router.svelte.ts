export type Route =
  | { name: 'lessons' }
  | { name: 'lesson'; lessonId: string }
  | { name: 'progress' }
  | { name: 'settings' }
  | { name: 'sandbox' }
  | { name: 'about' }
  | { name: 'join'; code: string }
  | { name: 'classroom' }
  | { name: 'class'; classId: string }
  | { name: 'projector'; classId: string }

export function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?')
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent)
  if (parts[0] === 'join')
    return { name: 'join', code: decodeURIComponent(/(?:^|&)code=([^&]*)/.exec(query)?.[1] ?? '') }
  if (parts[0] === 'classroom' && parts[1] && parts[2] === 'projector')
    return { name: 'projector', classId: parts[1] }
  if (parts[0] === 'classroom' && parts[1]) return { name: 'class', classId: parts[1] }
  // The host's console prints the instructor's address with #/instructor.
  if (parts[0] === 'classroom' || parts[0] === 'instructor') return { name: 'classroom' }
  if (parts[0] === 'lessons' && parts[1]) return { name: 'lesson', lessonId: parts[1] }
  if (parts[0] === 'progress') return { name: 'progress' }
  if (parts[0] === 'settings') return { name: 'settings' }
  if (parts[0] === 'sandbox') return { name: 'sandbox' }
  if (parts[0] === 'about') return { name: 'about' }
  return { name: 'lessons' }
}

export function href(route: Route): string {
  switch (route.name) {
    case 'lesson':
      return `#/lessons/${encodeURIComponent(route.lessonId)}`
    case 'join':
      return route.code ? `#/join?code=${encodeURIComponent(route.code)}` : '#/join'
    case 'class':
      return `#/classroom/${encodeURIComponent(route.classId)}`
    case 'projector':
      return `#/classroom/${encodeURIComponent(route.classId)}/projector`
    default:
      return `#/${route.name}`
  }
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
