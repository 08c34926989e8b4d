import { request, type IncomingHttpHeaders } from 'node:http'
import { join } from 'node:path'
import { dispatch } from '../../src-main/api/dispatch.ts'
import { createService, type Service } from '../../src-main/api/service.ts'
import { startWebHost, type WebHost, type WebHostOptions } from '../../src-main/platform/web/server.ts'
import { repoRoot, tempDir } from '../e2e/harness.ts'

export const lessonsDir = join(repoRoot, 'lessons')

/** Calls a method through the same dispatch both transports use; a failure throws its code and message. */
export async function call<T>(service: Service, method: string, input: unknown): Promise<T> {
  const result = await dispatch(service.handlers, method, input)
  if (!result.ok) throw new Error(`${method}: ${result.error.code}: ${result.error.message}`)
  return result.value as T
}

/** The error envelope of a call expected to fail. */
export async function failure(
  service: Service,
  method: string,
  input: unknown
): Promise<{ code: string; message: string }> {
  const result = await dispatch(service.handlers, method, input)
  if (result.ok) throw new Error(`${method} succeeded but was expected to fail`)
  return result.error
}

/** A real service over a real SQLite file in a fresh temp dir, with one learner profile. */
export async function withService(
  work: (service: Service, learnerId: string, dataDir: string) => Promise<void>
): Promise<void> {
  const data = tempDir('podnet-api-')
  const service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
  try {
    const learner = await call<{ id: string }>(service, 'profiles:create', { name: 'Ada' })
    await work(service, learner.id, data.path)
  } finally {
    service.close()
    data.remove()
  }
}

export const rendererFixture = join(repoRoot, 'test', 'fixtures', 'renderer')

/**
 * A real web host on 127.0.0.1 (a free port) over a real service in a fresh temp dir. `options`
 * may replace anything, the handlers included; the host's token is in `host.token`.
 */
export async function withWebHost(
  work: (host: WebHost, service: Service, dataDir: string) => Promise<void>,
  options: (service: Service, dataDir: string) => Partial<WebHostOptions> = () => ({})
): Promise<void> {
  const data = tempDir('podnet-web-host-')
  const service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
  try {
    const host = await startWebHost({
      handlers: service.handlers,
      rendererDir: rendererFixture,
      ...options(service, data.path)
    })
    try {
      await work(host, service, data.path)
    } finally {
      await host.close()
    }
  } finally {
    service.close()
    data.remove()
  }
}

export interface RawAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/**
 * One HTTP request with exactly the headers given, `Host` included, on a connection of its own
 * (fetch sets Host and Origin itself, as a browser does, so it cannot play a foreign page).
 */
export function rawRequest(
  origin: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string }
): Promise<RawAnswer> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers ?? {},
        agent: false
      },
      (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (body += chunk))
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body })
        )
        response.on('error', reject)
      }
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

/** `POST /api/<method>` with a JSON body, the host's token and whatever else `headers` adds or replaces. */
export function rawPost(
  host: WebHost,
  method: string,
  body: unknown,
  headers: Record<string, string> = {}
): Promise<RawAnswer> {
  const port = new URL(host.origin).port
  return rawRequest(host.origin, {
    method: 'POST',
    path: `/api/${method}`,
    headers: {
      host: `127.0.0.1:${port}`,
      'content-type': 'application/json',
      authorization: `Bearer ${host.token}`,
      ...headers
    },
    body: JSON.stringify(body)
  })
}
