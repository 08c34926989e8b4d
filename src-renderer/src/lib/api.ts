import type { ApiErrorCode, Envelope } from '../../../src-main/api/envelope.ts'
import type { MethodName } from '../../../src-main/api/method-names.ts'
import type { MethodInput, MethodOutput, PodnetApi, PodnetBridge } from '../../../src-main/api/contract.ts'
import type { ClassroomApi, ClassroomMethodName } from '../../../src-main/api/classroom-contract.ts'

export type { MethodInput, MethodOutput, PodnetApi }

/** An API failure, re-thrown on the renderer side with the code the UI localises. */
export class ApiCallError extends Error {
  readonly code: ApiErrorCode | 'network'

  constructor(code: ApiErrorCode | 'network', message: string) {
    super(message)
    this.name = 'ApiCallError'
    this.code = code
  }
}

declare global {
  interface Window {
    /** Present only inside the Electron shell, exposed by its preload. */
    podnet?: PodnetBridge
  }
}

const tokenKey = 'podnet.token'

/** A web host bound beyond loopback prints `?token=…`; keep it for this tab and drop it from the address bar. */
function takeToken(): string | null {
  const url = new URL(window.location.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    sessionStorage.setItem(tokenKey, fromUrl)
    url.searchParams.delete('token')
    history.replaceState(null, '', url.toString())
    return fromUrl
  }
  return sessionStorage.getItem(tokenKey)
}

/**
 * The bearer token HTTP calls carry: the host's (instructor's) token from the URL, or, once a
 * learner joined a class, their learner token (the classroom state sets it).
 */
let token: string | null = window.podnet ? null : takeToken()

export function setApiToken(next: string | null): void {
  token = next
}

export function apiToken(): string | null {
  return token
}

/** Dispatched on window whenever the host answers 401: the token this window holds is no longer good. */
export const unauthorizedEvent = 'podnet:unauthorized'

/** Whether this window was opened with the host's instructor token (`?token=…` printed by the host). */
export const openedWithHostToken = token !== null

async function overHttp(method: string, input: unknown): Promise<Envelope<unknown>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token) headers['authorization'] = `Bearer ${token}`
  let response: Response
  try {
    response = await fetch(`/api/${method}`, { method: 'POST', headers, body: JSON.stringify(input) })
  } catch (error) {
    return { ok: false, error: { code: 'internal', message: `host unreachable: ${String(error)}` } }
  }
  return (await response.json()) as Envelope<unknown>
}

/** The typed client: `window.podnet` inside Electron, `POST /api/<method>` in a browser. */
export function createApi<Api extends object = PodnetApi>(): Api {
  const bridge = window.podnet
  const call = async (method: MethodName | ClassroomMethodName, input: unknown): Promise<unknown> => {
    const viaBridge = (bridge as Record<string, unknown> | undefined)?.[method] as
      ((input: unknown) => Promise<Envelope<unknown>>) | undefined
    const envelope = viaBridge ? await viaBridge(input) : await overHttp(method, input)
    if (!envelope.ok) {
      // A class closed under a learner: their state hears it and sends them to the join page.
      if (envelope.error.code === 'unauthorized') window.dispatchEvent(new Event(unauthorizedEvent))
      throw new ApiCallError(envelope.error.code, envelope.error.message)
    }
    return envelope.value
  }
  return new Proxy({} as Api, {
    get: (_target, method: string) => (input: unknown) => call(method as MethodName, input)
  })
}

export const api = createApi()
/** The classroom methods (src-main/api/classroom-contract.ts), through the same transport. */
export const classroomApi = createApi<ClassroomApi>()
