import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createService, type Service } from '../../src-main/api/service.ts'
import { Classroom, type PackDialogs } from '../../src-main/classroom/classroom.ts'
import { loadCourse, type LoadedLesson } from '../../src-main/core/lesson/course-loader.ts'
import { questionsOf } from '../../src-main/core/lesson/lesson.machine.ts'
import { keyedPrediction } from '../../src-main/core/lesson/prediction.ts'
import { correctAnswer, type Answer } from '../../src-main/core/lesson/quiz.ts'
import { lessonFilesFromDir } from '../../src-main/api/lesson-files.ts'
import { startWebHost, type WebHost, type WebHostLimits } from '../../src-main/platform/web/server.ts'
import {
  startClassroomHost as startPlatformHost,
  type ClassroomHostOptions as PlatformHostOptions,
  type ClassroomHostRun
} from '../../src-main/platform/classroom-host.ts'
import type { ProgressStore } from '../../src-main/store/index.ts'
import { afterAll, beforeAll } from 'vitest'
import { repoRoot, tempDir } from '../e2e/harness.ts'

export const lessonsDir = join(repoRoot, 'lessons')
export const rendererFixture = join(repoRoot, 'test', 'fixtures', 'renderer')

/** A real service over a real SQLite file, a classroom on it, served by the real web host. */
export interface ClassroomHost {
  host: WebHost
  service: Service
  classroom: Classroom
  instructorToken: string
  stop: () => Promise<void>
}

export interface ClassroomHostOptions {
  joinLimit?: { limit: number; windowMs: number }
  bodyLimit?: number
  now?: () => number
  packDialogs?: PackDialogs
  limits?: Partial<WebHostLimits>
}

export async function startClassroomHost(
  dataDir: string,
  options: ClassroomHostOptions = {}
): Promise<ClassroomHost> {
  const packsDir = join(dataDir, 'packs')
  const service = createService({
    dataDir,
    lessonsDir,
    packsDir,
    version: 'test',
    ...(options.now ? { now: options.now } : {})
  })
  const classroom = new Classroom({
    store: service.store!,
    handlers: service.handlers,
    lessonDefinition: service.lessonDefinition,
    packsDir,
    lessonsDir,
    ...(options.now ? { now: options.now } : {}),
    ...(options.joinLimit ? { joinLimit: options.joinLimit } : {}),
    ...(options.packDialogs ? { packDialogs: options.packDialogs } : {})
  })
  const host = await startWebHost({
    handlers: service.handlers,
    streams: service.streams,
    rendererDir: rendererFixture,
    classroom,
    classroomMode: true,
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.limits ? { limits: options.limits } : {})
  })
  return {
    host,
    service,
    classroom,
    instructorToken: host.token!,
    stop: async () => {
      await host.close()
      service.close()
    }
  }
}

/**
 * The classroom host of the enclosing describe block, on a data folder of its own (`dataDir`,
 * known at once): started before the block's own beforeAll, stopped and its folder removed
 * after the block's own afterAll (hooks unwind as a stack). Its other fields are there from the
 * first beforeAll on.
 */
export function classroomHostForSuite(
  folderPrefix: string,
  options: ClassroomHostOptions = {}
): ClassroomHost & { dataDir: string } {
  const data = tempDir(folderPrefix)
  const suite = { dataDir: data.path } as ClassroomHost & { dataDir: string }
  beforeAll(async () => {
    Object.assign(suite, await startClassroomHost(data.path, options))
  })
  afterAll(async () => {
    await suite.stop?.()
    data.remove()
  })
  return suite
}

/**
 * A service of the enclosing describe block on a data folder of its own (closed and removed
 * after the block's own afterAll), and `start`, which brings the platform's class host up on it
 * on loopback and any free port, as often as a test restarts it.
 */
export function restartableClassHost(folderPrefix: string): {
  dataDir: string
  store: ProgressStore
  start: (extra?: Partial<PlatformHostOptions>) => Promise<ClassroomHostRun>
} {
  const data = tempDir(folderPrefix)
  const packsDir = join(data.path, 'packs')
  const service = createService({ dataDir: data.path, lessonsDir, packsDir, version: 'test' })
  const store = service.store!
  afterAll(() => {
    service.close()
    data.remove()
  })
  const start = (extra: Partial<PlatformHostOptions> = {}): Promise<ClassroomHostRun> =>
    startPlatformHost({
      handlers: service.handlers,
      lessonDefinition: service.lessonDefinition,
      store,
      rendererDir: rendererFixture,
      packsDir,
      lessonsDir,
      host: '127.0.0.1',
      port: 0,
      ...extra
    })
  return { dataDir: data.path, store, start }
}

export interface Answered {
  status: number
  headers: Headers
  body: {
    ok: boolean
    value?: unknown
    error?: { code: string; message: string; reason?: { id: string; params: unknown } }
  }
}

/** `POST /api/<method>` as the renderer sends it, with the token as a bearer header. */
export async function post(
  origin: string,
  method: string,
  body: unknown,
  token?: string | null
): Promise<Answered> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token) headers['authorization'] = `Bearer ${token}`
  const response = await fetch(`${origin}/api/${method}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body)
  })
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Answered['body']
  }
}

/** A call expected to succeed; its value. */
export async function ok<T>(
  origin: string,
  method: string,
  body: unknown,
  token?: string | null
): Promise<T> {
  const answer = await post(origin, method, body, token)
  if (answer.status !== 200 || !answer.body.ok) {
    throw new Error(`${method} answered ${answer.status}: ${JSON.stringify(answer.body.error)}`)
  }
  return answer.body.value as T
}

export interface Joined {
  learnerToken: string
  learnerId: string
  name: string
  seatCode: string
  classId: string
  className: string
  lessons: { lessonId: string; state: string }[]
  newLessons: string
}

export function loadLesson(id: string): LoadedLesson {
  for (const entry of loadCourse(lessonFilesFromDir(lessonsDir)).lessons) {
    if (entry.status === 'available' && entry.lesson.lesson.id === id) return entry.lesson
  }
  throw new Error(`no lesson ${id}`)
}

export type Call = (method: string, body: Record<string, unknown>) => Promise<unknown>

/**
 * Plays a lesson to the end through the API the way a learner would: the step's own solution
 * commands, the prediction keys, the correct answers (after `wrongFirst`'s answer, when it gives
 * one, so tests and the load run also see failed attempts), then Next.
 */
export async function playLesson(
  call: Call,
  loaded: LoadedLesson,
  wrongFirst: (questionId: string, right: Answer) => Answer | null = () => null
): Promise<void> {
  const lessonId = loaded.lesson.id
  await call('lesson:open', { lessonId })
  for (const step of loaded.lesson.steps) {
    switch (step.kind) {
      case 'task':
        for (const solution of step.solution) {
          if ('run' in solution) await call('shell:exec', { lessonId, on: solution.on, line: solution.run })
          else await call('trace:run', { lessonId, trace: solution.trace })
        }
        break
      case 'predict':
        await call('lesson:send', {
          lessonId,
          event: keyedPrediction(step)
        })
        break
      case 'trace':
      case 'quiz':
        for (const question of questionsOf(step)) {
          const right = correctAnswer(question)
          const wrong = wrongFirst(question.id, right)
          if (wrong) await call('quiz:submit', { lessonId, questionId: question.id, answer: wrong })
          await call('quiz:submit', { lessonId, questionId: question.id, answer: right })
        }
        break
      case 'read':
      case 'checkpoint':
      case 'review':
        break
    }
    await call('lesson:send', { lessonId, event: { type: 'user.next' } })
  }
}

/** A learner's calls over HTTP with their token and their own learnerId filled in. */
export function learnerCall(origin: string, joined: Joined): Call {
  return (method, body) => ok(origin, method, { learnerId: joined.learnerId, ...body }, joined.learnerToken)
}

/**
 * A minimal xAPI statement endpoint on loopback: checks credentials (`lrs-user` / `s3cret`) and
 * the version header, and keeps each batch it got.
 */
export function startLoopbackLrs(): Promise<{
  server: Server
  endpoint: string
  received: { headers: Record<string, unknown>; path: string; body: unknown }[]
}> {
  const received: { headers: Record<string, unknown>; path: string; body: unknown }[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    request.on('end', () => {
      const expected = `Basic ${Buffer.from('lrs-user:s3cret').toString('base64')}`
      if (request.headers['authorization'] !== expected) {
        response.writeHead(401, { 'content-type': 'text/plain' }).end('bad credentials')
        return
      }
      if (
        request.method !== 'POST' ||
        request.url !== '/xapi/statements' ||
        request.headers['x-experience-api-version'] !== '1.0.3'
      ) {
        response.writeHead(400).end('not a 1.0.3 statements POST')
        return
      }
      const parsed = JSON.parse(body) as { id: string }[]
      received.push({ headers: request.headers, path: request.url, body: parsed })
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(parsed.map((s) => s.id)))
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({ server, endpoint: `http://127.0.0.1:${port}/xapi/`, received })
    })
  })
}
