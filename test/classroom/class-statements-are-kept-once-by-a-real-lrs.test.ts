import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ClassStatement } from '../../src-main/classroom/class-xapi.ts'
import { repoRoot } from '../e2e/harness.ts'
import { toolUnavailable } from '../required-tool.ts'
import {
  classroomHostForSuite,
  learnerCall,
  loadLesson,
  ok,
  playLesson,
  type Joined
} from './classroom-host.ts'

/** Learning Locker's statement service, installed by `.ci/run` into its own test-only package. */
const lrsServer = join(repoRoot, 'test', 'lrs', 'node_modules', 'xapi-statements', 'dist', 'server.js')
const iriBase = 'https://courses.example.edu/podnet/'
const credentials = { username: 'lrs-key', password: 'lrs-secret' }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Runs the LRS in memory (no MongoDB or Redis) and resolves once it listens. */
async function startLrs(cwd: string): Promise<{ endpoint: string; child: ChildProcess }> {
  const port = await freePort()
  const child = spawn(process.execPath, [lrsServer], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      AUTH_REPO: 'test',
      EVENTS_REPO: 'test',
      MODELS_REPO: 'memory',
      STORAGE_REPO: 'local',
      EXPRESS_PORT: String(port),
      // Answers only once the statements are stored, so a read right after a write sees them.
      SERVICE_AWAIT_UPDATES: 'true'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  await new Promise<void>((resolve, reject) => {
    let output = ''
    const read = (chunk: Buffer): void => {
      output += chunk.toString('utf8')
      if (output.includes(`Listening on port ${port}`)) resolve()
    }
    child.stdout!.on('data', read)
    child.stderr!.on('data', read)
    child.once('exit', (code) => reject(new Error(`the LRS exited with ${code}: ${output}`)))
  })
  return { endpoint: `http://127.0.0.1:${port}/xAPI`, child }
}

async function lrsRequest(endpoint: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${endpoint}${path}`, {
    ...init,
    headers: {
      authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
      'x-experience-api-version': '1.0.3',
      'content-type': 'application/json',
      ...init.headers
    }
  })
}

/** Every statement the LRS holds, following its `more` links. */
async function storedStatements(endpoint: string): Promise<ClassStatement[]> {
  const all: ClassStatement[] = []
  let next = '/statements?limit=100'
  for (;;) {
    const response = await lrsRequest(endpoint, next)
    expect(response.status).toBe(200)
    const page = (await response.json()) as { statements: ClassStatement[]; more: string }
    all.push(...page.statements)
    if (!page.more) return all
    next = page.more.slice(page.more.indexOf('/statements'))
  }
}

describe.skipIf(toolUnavailable(lrsServer, 'npm ci --prefix test/lrs') !== null)(
  'a class sent to a real LRS (Learning Locker xapi-statements)',
  () => {
    let clock = Date.parse('2026-11-25T09:00:00Z')
    const h = classroomHostForSuite('podnet-real-lrs-', { now: () => clock })
    let lrs: { endpoint: string; child: ChildProcess }
    let classId: string
    let zoe: Joined

    const send = (): Promise<{ sent: number; status: number }> =>
      ok(
        origin(),
        'class:sendToLrs',
        { classId, endpoint: lrs.endpoint, ...credentials, iriBase },
        h.instructorToken
      )
    const exported = async (): Promise<ClassStatement[]> =>
      JSON.parse(
        (
          await ok<{ content: string }>(
            origin(),
            'class:report',
            { classId, format: 'xapi', iriBase },
            h.instructorToken
          )
        ).content
      ) as ClassStatement[]
    const origin = (): string => h.host.origin

    beforeAll(async () => {
      lrs = await startLrs(h.dataDir)
      let joinCode: string
      ;({ classId, joinCode } = await ok<{ classId: string; joinCode: string }>(
        origin(),
        'class:start',
        { name: 'Networking 101', lessons: ['tour'] },
        h.instructorToken
      ))
      zoe = await ok<Joined>(origin(), 'class:join', { code: joinCode, name: 'Zoë', studentId: 'S-1024' })
      const wei = await ok<Joined>(origin(), 'class:join', { code: joinCode, name: '张伟' })
      await playLesson(learnerCall(origin(), zoe), loadLesson('tour'), (questionId) =>
        questionId === 'pod-gateway' ? { kind: 'single', option: 'flannel' } : null
      )
      await learnerCall(origin(), wei)('lesson:open', { lessonId: 'tour' })
    }, 120_000)

    afterAll(() => lrs?.child.kill())

    test('sent, read back, sent again: every statement stored once, a changed copy under an old id refused', async () => {
      const first = await exported()
      expect(first.length).toBeGreaterThan(10)
      expect(await send()).toEqual({ sent: first.length, status: 200 })
      const stored = await storedStatements(lrs.endpoint)
      expect(stored.map((s) => s.id).sort()).toEqual(first.map((s) => s.id).sort())
      const byId = new Map(stored.map((s) => [s.id, s]))
      for (const s of first) {
        expect(byId.get(s.id)).toMatchObject({
          verb: { id: s.verb.id },
          object: { id: s.object.id },
          context: { registration: s.context.registration }
        })
      }

      expect(await send()).toEqual({ sent: first.length, status: 200 })
      expect((await storedStatements(lrs.endpoint)).length).toBe(first.length)

      // The LRS does refuse what the export must never produce: other content behind a stored id.
      const changed = { ...first[0]!, timestamp: new Date(0).toISOString() }
      const conflict = await lrsRequest(lrs.endpoint, '/statements', {
        method: 'POST',
        body: JSON.stringify([changed])
      })
      expect(conflict.status).toBe(409)
    })

    test('a revisit of a finished lesson changes no statement sent before', async () => {
      const before = await exported()
      await send()
      // Back in the finished lesson a minute later, running a command again: its time grows.
      clock += 60_000
      const call = learnerCall(origin(), zoe)
      await call('lesson:open', { lessonId: 'tour' })
      const task = loadLesson('tour').lesson.steps.find((step) => step.kind === 'task')!
      const [command] = task.kind === 'task' ? task.solution : []
      if (!command || !('run' in command)) throw new Error('the tour has no task to redo')
      clock += 30_000
      await call('shell:exec', { lessonId: 'tour', on: command.on, line: command.run })

      const after = await exported()
      const afterById = new Map(after.map((s) => [s.id, s]))
      for (const s of before) expect(afterById.get(s.id)).toEqual(s)
      expect(await send()).toEqual({ sent: after.length, status: 200 })
      const stored = await storedStatements(lrs.endpoint)
      expect(stored.map((s) => s.id).sort()).toEqual(after.map((s) => s.id).sort())
    })
  }
)
