import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { dispatch } from '../../src-main/api/dispatch.ts'
import { createService, type Service } from '../../src-main/api/service.ts'
import { repoRoot, tempDir } from '../e2e/harness.ts'

const lessonsDir = join(repoRoot, 'lessons')

async function call<T>(service: Service, method: string, input: unknown): Promise<T> {
  const result = await dispatch(service.handlers, method, input)
  if (!result.ok) throw new Error(`${method}: ${result.error.code}: ${result.error.message}`)
  return result.value as T
}

interface Session {
  current: string
  steps: { id: string; status: string }[]
  step?: { kind: string; solved?: boolean }
}

describe('a half-done lesson after the host restarts', () => {
  test('resumes at the same step with the cluster as the learner left it', async () => {
    const data = tempDir('podnet-resume-')
    try {
      let service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
      const learner = await call<{ id: string }>(service, 'profiles:create', { name: 'Ada' })
      const ref = { learnerId: learner.id, lessonId: 'tour' }

      let opened = await call<{ session: Session }>(service, 'lesson:open', ref)
      expect(opened.session.current).toBe('welcome')
      let session = await call<Session>(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
      expect(session.current).toBe('look-around')

      const ran = await call<{ stdout: string; exitCode: number; session: Session }>(service, 'shell:exec', {
        ...ref,
        on: 'client',
        line: 'ip addr'
      })
      expect(ran.exitCode).toBe(0)
      expect(ran.stdout).toContain('inet 10.244.1.2/24')
      expect(ran.session.step).toMatchObject({ kind: 'task', solved: true })

      // A change to the cluster that no lesson step asked for: it must survive the restart too.
      await call(service, 'shell:exec', { ...ref, on: 'node-2', line: 'ip link set cni0 down' })
      session = await call<Session>(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
      expect(session.current).toBe('predict-ttl')
      service.close()

      service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
      opened = await call<{ session: Session }>(service, 'lesson:open', ref)
      expect(opened.session.current).toBe('predict-ttl')
      expect(opened.session.steps.slice(0, 2).map((s) => s.status)).toEqual(['done', 'done'])
      const link = await call<{ stdout: string }>(service, 'shell:exec', {
        ...ref,
        on: 'node-2',
        line: 'ip link show cni0'
      })
      expect(link.stdout).toMatch(/cni0: <BROADCAST,MULTICAST> .* state DOWN/)
      const untouched = await call<{ stdout: string }>(service, 'shell:exec', {
        ...ref,
        on: 'node-1',
        line: 'ip link show cni0'
      })
      expect(untouched.stdout).toMatch(/cni0: <BROADCAST,MULTICAST,UP,LOWER_UP> .* state UP/)
      service.close()
    } finally {
      data.remove()
    }
  })

  test('quiz:submit returns the grading without the key until the question is finished', async () => {
    const data = tempDir('podnet-quiz-')
    try {
      const service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
      const learner = await call<{ id: string }>(service, 'profiles:create', { name: 'Lin' })
      const ref = { learnerId: learner.id, lessonId: 'tour' }
      await call(service, 'lesson:open', ref)
      const answer = await dispatch(service.handlers, 'quiz:submit', {
        ...ref,
        questionId: 'outer-source',
        answer: { kind: 'text', text: '10.244.1.2' }
      })
      // Not on the trace step yet: the machine refuses the answer, and nothing is graded.
      expect(answer).toMatchObject({ ok: true, value: { grading: null } })
      service.close()
    } finally {
      data.remove()
    }
  })
})
