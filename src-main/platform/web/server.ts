import { randomBytes, timingSafeEqual } from 'node:crypto'
import { existsSync } from 'node:fs'
import fastifyStatic from '@fastify/static'
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import { dispatch, type Handlers } from '../../api/dispatch.ts'
import type { ApiErrorCode, Envelope } from '../../api/envelope.ts'
import { contentSecurityPolicy } from '../csp.ts'

export interface WebHostOptions {
  handlers: Handlers
  /** The built renderer (out/renderer). */
  rendererDir: string
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** Request bodies above this many bytes get 413. */
  bodyLimit?: number
  /** Fixed token (tests); otherwise one is generated when the host is not loopback. */
  token?: string
}

export interface WebHost {
  /** The address to open, with `?token=` when one is required. */
  url: string
  /** The bare origin, e.g. http://127.0.0.1:4321 */
  origin: string
  token: string | null
  close: () => Promise<void>
}

const statusByCode: Record<ApiErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  not_found: 404,
  unknown_method: 404,
  payload_too_large: 413,
  internal: 500,
  store_unavailable: 503
}

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\./.test(host)
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

function sendEnvelope(reply: FastifyReply, envelope: Envelope<unknown>): FastifyReply {
  const status = envelope.ok ? 200 : statusByCode[envelope.error.code]
  return reply.code(status).type('application/json').send(envelope)
}

function buildApp(options: WebHostOptions, token: string | null): FastifyInstance {
  const app = Fastify({ bodyLimit: options.bodyLimit ?? 9 * 1024 * 1024, logger: false })

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('Content-Security-Policy', contentSecurityPolicy)
    reply.header('X-Content-Type-Options', 'nosniff')
    reply.header('Referrer-Policy', 'no-referrer')
    return payload
  })

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, _request, reply) => {
    if (error.statusCode === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendEnvelope(reply, {
        ok: false,
        error: { code: 'payload_too_large', message: 'request body is larger than the host accepts' }
      })
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply
        .code(error.statusCode)
        .send({ ok: false, error: { code: 'invalid_input', message: error.message } })
    }
    return sendEnvelope(reply, { ok: false, error: { code: 'internal', message: error.message } })
  })

  app.setNotFoundHandler((request, reply) => {
    const message = request.url.startsWith('/api/')
      ? `no API method at ${request.method} ${request.url}; methods are POST /api/<domain:verb>`
      : `not found: ${request.url}`
    return sendEnvelope(reply, { ok: false, error: { code: 'unknown_method', message } })
  })

  app.post<{ Params: { method: string } }>('/api/:method', async (request, reply) => {
    if (token !== null) {
      const header = request.headers['authorization']
      const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : ''
      if (!sameSecret(given, token)) {
        return sendEnvelope(reply, {
          ok: false,
          error: { code: 'unauthorized', message: 'this host needs the token from the URL it printed' }
        })
      }
    }
    return sendEnvelope(reply, await dispatch(options.handlers, request.params.method, request.body))
  })

  if (!existsSync(options.rendererDir)) {
    throw new Error(`renderer not built: ${options.rendererDir} is missing (run npm run build)`)
  }
  void app.register(fastifyStatic, { root: options.rendererDir, index: 'index.html', wildcard: true })
  return app
}

/** Serves the contract as `POST /api/<method>` and the built renderer, on loopback unless told otherwise. */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? (isLoopback(host) ? null : randomBytes(18).toString('base64url'))
  const app = buildApp(options, token)
  await app.listen({ host, port: options.port ?? 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('web host did not bind a TCP port')
  const shownHost = host.includes(':') ? `[${host}]` : host
  const origin = `http://${shownHost}:${address.port}`
  return {
    origin,
    url: token === null ? `${origin}/` : `${origin}/?token=${token}`,
    token,
    close: () => app.close()
  }
}
