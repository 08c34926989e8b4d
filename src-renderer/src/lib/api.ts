import type { ApiErrorBody, Envelope } from '../../../src-main/api/envelope.ts'
import type { ErrorReasonId } from '../../../src-main/api/error-reasons.ts'
import type { MethodName } from '../../../src-main/api/method-names.ts'
import type { MethodInput, MethodOutput, PodnetApi, PodnetBridge } from '../../../src-main/api/contract.ts'
import type { ClassroomApi, ClassroomMethodName } from '../../../src-main/api/classroom-contract.ts'
import type { StreamBridge, StreamEvent, StreamInput, StreamName } from '../../../src-main/api/streams.ts'
import { ApiCallError } from './api-error.ts'
import { ConnectionMonitor, type ConnectionState } from './connection.ts'
import { StreamSocket, streamSocketUrl, type StreamConnectionState } from './stream-socket.ts'

export { ApiCallError, errorText, isConnectionLost } from './api-error.ts'
export type {
  ConnectionState,
  MethodInput,
  MethodOutput,
  PodnetApi,
  StreamConnectionState,
  StreamEvent,
  StreamName
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
  /** The token the refused call carried: a call sent before a newer token was taken says nothing about it. */
  sentWith: string | null
  /** Why a learner token was refused (`learner_seat_moved`, `learner_class_closed`); absent from a stream socket. */
  reason?: ErrorReasonId
}

/** The `WWW-Authenticate` realm of a class host's 401 (server.ts `classHostRealm`). */
const classHostRealm = 'realm="podnet-lab-class"'

/** Whether this window was opened with the host's instructor token (`?token=…` printed by the host). */
export const openedWithHostToken = token !== null

/**
 * How this window reaches Podnet Lab: `ipc` inside the desktop app (its preload's `window.podnet`),
 * `http` in a browser, from the web host (`npm run serve`) or an instructor's class host.
 */
export const transport: 'ipc' | 'http' = window.podnet ? 'ipc' : 'http'

function postApi(method: string, body: string, bearer: string | null = token): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (bearer) headers['authorization'] = `Bearer ${bearer}`
  return fetch(`/api/${method}`, { method: 'POST', headers, body })
}

/**
 * The call over HTTP. Reaching the host means getting its JSON envelope back: no answer, or a page
 * from something else (a proxy whose host is gone), is `network`, shown as a lost connection and
 * never as the browser's own words.
 */
async function overHttp(
  method: string,
  input: unknown,
  bearer: string | null
): Promise<{ envelope: Envelope<unknown>; classHost: boolean }> {
  let response: Response
  let envelope: Envelope<unknown>
  try {
    response = await postApi(method, JSON.stringify(input), bearer)
    envelope = (await response.json()) as Envelope<unknown>
  } catch (error) {
    connection.failed()
    throw new ApiCallError('network', String(error))
  }
  connection.succeeded()
  return {
    envelope,
    classHost: response.headers.get('www-authenticate')?.includes(classHostRealm) === true
  }
}

/** The same call over the desktop app's IPC: a rejected promise means main did not answer it. */
async function overIpc(
  call: (input: unknown) => Promise<Envelope<unknown>>,
  input: unknown
): Promise<Envelope<unknown>> {
  let envelope: Envelope<unknown>
  try {
    envelope = await call(input)
  } catch (error) {
    connection.failed()
    throw new ApiCallError('network', String(error))
  }
  connection.succeeded()
  return envelope
}

/** Any answer of the host's, even a refusal of the token, means Podnet Lab can be reached again. */
async function probe(): Promise<boolean> {
  if (window.podnet) await window.podnet['app:info']({})
  else await (await postApi('app:info', '{}')).json()
  return true
}

const connection = new ConnectionMonitor({
  probe,
  // Streams waiting out their own backoff are renewed at once: the host is back.
  onRestored: () => {
    if (streamSocket?.state === 'reconnecting') streamSocket.reconnect()
  }
})

/**
 * The connection to Podnet Lab, now and at every change: `lost` from the first call that could
 * not reach it until a call or the monitor's own probe gets an answer again. The app shows it
 * once, as a banner; views show only that their call was not sent.
 */
export function onConnection(listener: (state: ConnectionState) => void): () => void {
  return connection.onState(listener)
}

/** The typed client: `window.podnet` inside Electron, `POST /api/<method>` in a browser. */
export function createApi<Api extends object = PodnetApi>(): Api {
  const bridge = window.podnet
  const call = async (method: MethodName | ClassroomMethodName, input: unknown): Promise<unknown> => {
    const viaBridge = (bridge as Record<string, unknown> | undefined)?.[method] as
      ((input: unknown) => Promise<Envelope<unknown>>) | undefined
    const sentWith = token
    const { envelope, classHost } = viaBridge
      ? { envelope: await overIpc(viaBridge, input), classHost: false }
      : await overHttp(method, input, sentWith)
    if (!envelope.ok) {
      // A class closed under a learner: their state hears it and sends them to the join page. A
      // window opened without the host's link: the app says where to find it.
      if (envelope.error.code === 'unauthorized') {
        const detail: Unauthorized = {
          withoutToken: !viaBridge && sentWith === null,
          classHost,
          sentWith,
          ...(envelope.error.reason ? { reason: envelope.error.reason.id } : {})
        }
        window.dispatchEvent(new CustomEvent(unauthorizedEvent, { detail }))
      }
      throw new ApiCallError(
        envelope.error.code,
        envelope.error.message,
        envelope.error.retryAfterSeconds,
        envelope.error.reason
      )
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
  if (streamSocket) return streamSocket
  streamSocket = new StreamSocket({
    url: () => streamSocketUrl(window.location),
    token: () => token,
    // A token the host no longer takes (a closed class) is handled as a refused call is.
    onUnauthorized: () => {
      const detail: Unauthorized = { withoutToken: token === null, classHost: false, sentWith: token }
      window.dispatchEvent(new CustomEvent(unauthorizedEvent, { detail }))
    }
  })
  streamSocket.onState((state) => {
    if (state === 'reconnecting') connection.check()
    else if (state === 'open') connection.succeeded()
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
  const failed = (error: ApiErrorBody): void =>
    onError(new ApiCallError(error.code, error.message, error.retryAfterSeconds, error.reason))
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
