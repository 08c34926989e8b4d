import type { ApiErrorCode, Envelope } from '../../../src-main/api/envelope.ts'
import type { MethodName } from '../../../src-main/api/method-names.ts'
import type { MethodInput, MethodOutput, PodnetApi, PodnetBridge } from '../../../src-main/api/contract.ts'

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

async function overHttp(method: MethodName, input: unknown, token: string | null): Promise<Envelope<unknown>> {
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
export function createApi(): PodnetApi {
  const bridge = window.podnet
  const token = bridge ? null : takeToken()
  const call = async (method: MethodName, input: unknown): Promise<unknown> => {
    const viaBridge = bridge?.[method] as ((input: unknown) => Promise<Envelope<unknown>>) | undefined
    const envelope = viaBridge ? await viaBridge(input) : await overHttp(method, input, token)
    if (!envelope.ok) throw new ApiCallError(envelope.error.code, envelope.error.message)
    return envelope.value
  }
  return new Proxy({} as PodnetApi, {
    get: (_target, method: string) => (input: unknown) => call(method as MethodName, input)
  })
}

export const api = createApi()
