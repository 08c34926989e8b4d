import type { ApiErrorCode, Envelope } from '../../../src-main/api/envelope.ts'
import type { MethodName } from '../../../src-main/api/method-names.ts'
import type { MethodInput, MethodOutput, PodnetApi, PodnetBridge } from '../../../src-main/api/contract.ts'
import type { ClassroomApi, ClassroomMethodName } from '../../../src-main/api/classroom-contract.ts'
import type { StreamBridge, StreamEvent, StreamInput, StreamName } from '../../../src-main/api/streams.ts'
import { StreamSocket, streamSocketUrl, type StreamConnectionState } from './stream-socket.ts'

export type { MethodInput, MethodOutput, PodnetApi, StreamConnectionState, StreamEvent, StreamName }

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
    podnet?: PodnetBridge & StreamBridge
  }
}

const tokenKey = 'podnet.token'

/**
 * The web host prints its link with `?token=…`. The token is kept for this tab (sessionStorage
 * survives reloads and in-app navigation, which only changes the hash) and dropped from the
 * address bar, so it is not left in screenshots or shared by copying the address.
 */
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

/** The page's one stream socket (web host only), made by the first `subscribe`. */
let streamSocket: StreamSocket | null = null

export function setApiToken(next: string | null): void {
  if (next === token) return
  token = next
  // Streams opened with the old token are renewed under the new one.
  streamSocket?.reconnect()
}

export function apiToken(): string | null {
  return token
}

/**
 * Dispatched on window (a `CustomEvent<Unauthorized>`) whenever the host answers 401: the token
 * this window holds is no longer good, or it holds none.
 */
export const unauthorizedEvent = 'podnet:unauthorized'

export interface Unauthorized {
  /** This window holds no token at all: it was opened without the link the host printed. */
  withoutToken: boolean
  /** The host runs a class, so someone without a token is a learner who has yet to join. */
  classHost: boolean
}

/** The `WWW-Authenticate` realm of a class host's 401 (server.ts `classHostRealm`). */
const classHostRealm = 'realm="podnet-lab-class"'

/** Whether this window was opened with the host's instructor token (`?token=…` printed by the host). */
export const openedWithHostToken = token !== null

async function overHttp(
  method: string,
  input: unknown
): Promise<{ envelope: Envelope<unknown>; classHost: boolean }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token) headers['authorization'] = `Bearer ${token}`
  let response: Response
  try {
    response = await fetch(`/api/${method}`, { method: 'POST', headers, body: JSON.stringify(input) })
  } catch (error) {
    return {
      envelope: { ok: false, error: { code: 'internal', message: `host unreachable: ${String(error)}` } },
      classHost: false
    }
  }
  return {
    envelope: (await response.json()) as Envelope<unknown>,
    classHost: response.headers.get('www-authenticate')?.includes(classHostRealm) === true
  }
}

/** The typed client: `window.podnet` inside Electron, `POST /api/<method>` in a browser. */
export function createApi<Api extends object = PodnetApi>(): Api {
  const bridge = window.podnet
  const call = async (method: MethodName | ClassroomMethodName, input: unknown): Promise<unknown> => {
    const viaBridge = (bridge as Record<string, unknown> | undefined)?.[method] as
      ((input: unknown) => Promise<Envelope<unknown>>) | undefined
    const { envelope, classHost } = viaBridge
      ? { envelope: await viaBridge(input), classHost: false }
      : await overHttp(method, input)
    if (!envelope.ok) {
      // A class closed under a learner: their state hears it and sends them to the join page. A
      // window opened without the host's link: the app says where to find it.
      if (envelope.error.code === 'unauthorized') {
        const detail: Unauthorized = { withoutToken: !viaBridge && token === null, classHost }
        window.dispatchEvent(new CustomEvent(unauthorizedEvent, { detail }))
      }
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

function pageStreamSocket(): StreamSocket {
  streamSocket ??= new StreamSocket({
    url: () => streamSocketUrl(window.location),
    token: () => token,
    // A token the host no longer takes (a closed class) is handled as a refused call is.
    onUnauthorized: () => {
      const detail: Unauthorized = { withoutToken: token === null, classHost: false }
      window.dispatchEvent(new CustomEvent(unauthorizedEvent, { detail }))
    }
  })
  return streamSocket
}

/**
 * Subscribes to a stream (src-main/api/streams.ts): `window.podnet`'s port inside Electron, else
 * the page's shared WebSocket. Events arrive in order; `onError` (refused, failed, or the token
 * was revoked) or `onEnd` ends the subscription. A lost connection is not an error: the
 * subscription waits and is renewed (see `onStreamConnection`). Returns how to unsubscribe.
 */
export function subscribe<S extends StreamName>(
  stream: S,
  input: StreamInput<S>,
  onEvent: (event: StreamEvent<S>) => void,
  onError: (error: ApiCallError) => void,
  onEnd?: () => void
): () => void {
  const failed = (error: { code: ApiErrorCode; message: string }): void =>
    onError(new ApiCallError(error.code, error.message))
  const bridge = window.podnet
  if (bridge) return bridge.subscribe(stream, input, onEvent, failed, onEnd)
  return pageStreamSocket().subscribe(
    stream,
    input,
    (event) => onEvent(event as StreamEvent<S>),
    failed,
    onEnd
  )
}

/**
 * The stream connection's state, now and at every change, for the app to show (a lost connection
 * is a state, never text in a view). Inside Electron the port cannot be lost: always `open`.
 */
export function onStreamConnection(listener: (state: StreamConnectionState) => void): () => void {
  if (window.podnet) {
    listener('open')
    return () => {}
  }
  return pageStreamSocket().onState(listener)
}
