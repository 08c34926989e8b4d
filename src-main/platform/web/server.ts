import { existsSync } from 'node:fs'
import fastifyStatic from '@fastify/static'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { classIdSchema } from '../../api/classroom-contract.ts'
import type { Handlers } from '../../api/dispatch.ts'
import type { ApiErrorCode, Envelope } from '../../api/envelope.ts'
import type { Classroom } from '../../classroom/classroom.ts'
import { Gateway } from '../../classroom/gateway.ts'
import { newInstructorToken } from '../../classroom/secrets.ts'
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
  /** Fixed token (tests); otherwise one is generated when the host is not loopback or runs a classroom. */
  token?: string
  /**
   * Serve a classroom (classroom-contract.ts): learners join with a code and call with their own
   * tokens. With `classroomMode` every call needs a token, even on loopback.
   */
  classroom?: Classroom
  classroomMode?: boolean
}

export interface WebHost {
  /** The address to open, with `?token=` when one is required. */
  url: string
  /** The bare origin, e.g. http://127.0.0.1:4321 */
  origin: string
  token: string | null
  close: () => Promise<void>
}

/** How often the dashboard feed re-evaluates time-based state and sends a keep-alive. */
const FEED_TICK_MS = 15_000

const statusByCode: Record<ApiErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  lesson_locked: 403,
  rate_limited: 429,
  not_found: 404,
  unknown_method: 404,
  payload_too_large: 413,
  lab_stopped: 422,
  internal: 500,
  store_unavailable: 503
}

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\./.test(host)
}

function sendEnvelope(reply: FastifyReply, envelope: Envelope<unknown>): FastifyReply {
  const status = envelope.ok ? 200 : statusByCode[envelope.error.code]
  return reply.code(status).type('application/json').send(envelope)
}

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers['authorization']
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : null
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

  const classroom = options.classroom ?? null
  const gateway = new Gateway({ handlers: options.handlers, classroom, instructorToken: token })

  app.post<{ Params: { method: string } }>('/api/:method', async (request, reply) => {
    const answer = await gateway.call(request.params.method, request.body, bearerOf(request), request.ip)
    if (answer.retryAfter !== undefined) reply.header('Retry-After', String(answer.retryAfter))
    return sendEnvelope(reply, answer.envelope)
  })

  if (classroom) {
    const ticker = setInterval(() => classroom.tick(), FEED_TICK_MS)
    ticker.unref()
    // Open feeds would keep the server from closing: end them first.
    const feeds = new Set<() => void>()
    app.addHook('preClose', async () => {
      clearInterval(ticker)
      for (const end of [...feeds]) end()
    })
    app.get<{ Params: { method: string }; Querystring: { classId?: string } }>(
      '/api/:method',
      (request, reply) => {
        if (request.params.method !== 'class:events') {
          return sendEnvelope(reply, {
            ok: false,
            error: {
              code: 'unknown_method',
              message: `no API method at GET ${request.url}; methods are POST /api/<domain:verb>`
            }
          })
        }
        const caller = gateway.caller(bearerOf(request))
        if (typeof caller === 'string') {
          return sendEnvelope(reply, {
            ok: false,
            error: { code: 'unauthorized', message: 'class:events needs the instructor token' }
          })
        }
        if (caller.kind !== 'instructor') {
          return sendEnvelope(reply, {
            ok: false,
            error: { code: 'forbidden', message: 'class:events is for the instructor' }
          })
        }
        const classId = classIdSchema.safeParse(request.query.classId)
        if (!classId.success) {
          return sendEnvelope(reply, {
            ok: false,
            error: { code: 'invalid_input', message: 'classId: expected a class id such as cls_…' }
          })
        }
        let unsubscribe: (() => void) | null = null
        const write = (text: string): void => {
          reply.raw.write(text)
        }
        try {
          reply.hijack()
          reply.raw.writeHead(200, {
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-store',
            connection: 'keep-alive',
            'content-security-policy': contentSecurityPolicy,
            'x-content-type-options': 'nosniff',
            'referrer-policy': 'no-referrer'
          })
          unsubscribe = classroom.subscribe(classId.data, (event) =>
            write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
          )
        } catch (error) {
          reply.raw.end(
            `event: error\ndata: ${JSON.stringify({ message: error instanceof Error ? error.message : String(error) })}\n\n`
          )
          return reply
        }
        const keepAlive = setInterval(() => write(': keep-alive\n\n'), FEED_TICK_MS)
        const end = (): void => {
          clearInterval(keepAlive)
          unsubscribe?.()
          feeds.delete(end)
          reply.raw.end()
        }
        feeds.add(end)
        request.raw.on('close', end)
        return reply
      }
    )
  }

  if (!existsSync(options.rendererDir)) {
    throw new Error(`renderer not built: ${options.rendererDir} is missing (run npm run build)`)
  }
  void app.register(fastifyStatic, { root: options.rendererDir, index: 'index.html', wildcard: true })
  return app
}

/** Serves the contract as `POST /api/<method>` and the built renderer, on loopback unless told otherwise. */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1'
  const needsToken = !isLoopback(host) || options.classroomMode === true
  const token = options.token ?? (needsToken ? newInstructorToken() : null)
  const app = buildApp(options, token)
  await app.listen({ host, port: options.port ?? 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('web host did not bind a TCP port')
  const shownHost = host.includes(':') ? `[${host}]` : host
  const origin = `http://${shownHost}:${address.port}`
  if (options.classroom) {
    options.classroom.origin = origin
    options.classroom.instructorToken = token
  }
  return {
    origin,
    url: token === null ? `${origin}/` : `${origin}/?token=${token}`,
    token,
    close: () => app.close()
  }
}
