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

describe('moving a learner’s progress between machines through the API', () => {
  test('an exported file imports on another machine once; importing again changes nothing', async () => {
    const from = tempDir('podnet-export-from-')
    const to = tempDir('podnet-export-to-')
    try {
      const a = createService({ dataDir: from.path, lessonsDir, version: 'test' })
      const learner = await call<{ id: string }>(a, 'profiles:create', { name: 'Ada Lovelace' })
      await call(a, 'lesson:open', { learnerId: learner.id, lessonId: 'tour' })
      await call(a, 'lesson:send', { learnerId: learner.id, lessonId: 'tour', event: { type: 'user.next' } })
      const file = await call<{ fileName: string; content: string }>(a, 'progress:export', {
        learnerId: learner.id,
        format: 'json'
      })
      expect(file.fileName).toMatch(/^podnet-progress-Ada-Lovelace-\d{4}-\d{2}-\d{2}\.json$/)
      const summaryBefore = await call(a, 'progress:summary', { learnerId: learner.id })
      a.close()

      const b = createService({ dataDir: to.path, lessonsDir, version: 'test' })
      const first = await call<{
        learnerId: string
        learnerCreated: boolean
        changes: Record<string, number>
      }>(b, 'progress:import', {
        content: file.content
      })
      expect(first.learnerCreated).toBe(true)
      expect(await call(b, 'progress:summary', { learnerId: first.learnerId })).toEqual(summaryBefore)
      const second = await call<{ changes: Record<string, number> }>(b, 'progress:import', {
        content: file.content
      })
      expect(Object.values(second.changes).every((n) => n === 0)).toBe(true)
      b.close()
    } finally {
      from.remove()
      to.remove()
    }
  })

  test('a damaged file is refused, names where it breaks, and changes nothing', async () => {
    const data = tempDir('podnet-import-bad-')
    try {
      const service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
      const result = await dispatch(service.handlers, 'progress:import', {
        content: '{"format": "podnet-progress",\n  "version": 1,\n  oops'
      })
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'invalid_input', message: expect.stringMatching(/line 3, column 3/) }
      })
      expect(await call(service, 'profiles:list', {})).toMatchObject({ profiles: [] })
      service.close()
    } finally {
      data.remove()
    }
  })

  test('CSV and xAPI exports come back as files', async () => {
    const data = tempDir('podnet-export-formats-')
    try {
      const service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
      const learner = await call<{ id: string }>(service, 'profiles:create', { name: 'Lin' })
      const csv = await call<{ mimeType: string; content: string }>(service, 'progress:export', {
        learnerId: learner.id,
        format: 'csv'
      })
      expect(csv.mimeType).toBe('text/csv')
      expect(csv.content.split('\n')[0]).toMatch(/question/i)
      const xapi = await call<{ content: string }>(service, 'progress:export', {
        learnerId: learner.id,
        format: 'xapi'
      })
      expect(Array.isArray(JSON.parse(xapi.content))).toBe(true)
      service.close()
    } finally {
      data.remove()
    }
  })
})
