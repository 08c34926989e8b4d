import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { unzipSync } from 'fflate'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { lessonFilesFromDir } from '../../src-main/api/lesson-files.ts'
import { checkCourse } from '../../src-main/core/lesson/check-course.ts'
import { openLessonLab } from '../../src-main/core/lesson/lab-adapter.ts'
import { tempDir } from '../e2e/harness.ts'
import { classroomHostForSuite, ok, post, type Joined } from './classroom-host.ts'
import { tourCopyPack } from './tour-copy-pack.ts'

interface Exported {
  fileName: string
  mimeType: string
  base64: string
  savedTo: string | null
  lessons: string[]
}
interface Imported {
  ok: boolean
  packId: string | null
  lessons: { dir: string; id: string | null; ok: boolean }[]
  problems: string[]
}

function unzipTo(base64: string, root: string): string[] {
  const files = unzipSync(Buffer.from(base64, 'base64'))
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true })
    writeFileSync(join(root, name), data)
  }
  return Object.keys(files).sort()
}

describe('a lesson pack goes out as the file import reads, and leaves without taking records', () => {
  const h = classroomHostForSuite('podnet-pack-export-')
  const work = tempDir('podnet-pack-export-src-')
  let lin: Joined
  let exported: Exported
  const call = <T>(method: string, body: unknown): Promise<T> =>
    ok<T>(h.host.origin, method, body, h.instructorToken)
  const courseIds = async (): Promise<string[]> =>
    (await call<{ lessons: { id: string }[] }>('lessons:list', {})).lessons.map((l) => l.id)

  beforeAll(async () => {
    expect((await call<Imported>('pack:import', { path: tourCopyPack(join(work.path, 'pack')) })).ok).toBe(
      true
    )
    const { joinCode } = await call<{ joinCode: string }>('class:start', { name: 'Packs' })
    lin = await ok<Joined>(h.host.origin, 'class:join', { code: joinCode, name: 'Lin' })
    const learner = { learnerId: lin.learnerId, lessonId: 'tour-copy' }
    await ok(h.host.origin, 'lesson:open', learner, lin.learnerToken)
    await ok(h.host.origin, 'lesson:send', { ...learner, event: { type: 'user.next' } }, lin.learnerToken)
  })

  afterAll(async () => {
    work.remove()
  })

  test('an imported pack exports as a zip of its index.yaml and lesson folders', async () => {
    exported = await call<Exported>('pack:export', { packId: 'workshop-pack' })
    expect(exported).toMatchObject({
      fileName: 'workshop-pack.podnet-pack.zip',
      mimeType: 'application/zip',
      savedTo: null,
      lessons: ['tour-copy']
    })
    const files = unzipTo(exported.base64, join(work.path, 'exported'))
    expect(files).toContain('index.yaml')
    expect(files).toContain('10-tour-copy/lesson.yaml')
  })

  test('removing the pack takes its lessons out of the course and the class, not the learner’s record', async () => {
    const removed = await call<{ lessonsRemoved: string[] }>('pack:remove', { packId: 'workshop-pack' })
    expect(removed.lessonsRemoved).toEqual(['tour-copy'])
    expect(await courseIds()).not.toContain('tour-copy')
    expect((await call<{ packs: unknown[] }>('pack:list', {})).packs).toEqual([])
    const dashboard = await call<{ lessons: { lessonId: string }[] }>('class:dashboard', {
      classId: lin.classId
    })
    expect(dashboard.lessons.map((g) => g.lessonId)).not.toContain('tour-copy')
    const reopened = await post(
      h.host.origin,
      'lesson:open',
      { learnerId: lin.learnerId, lessonId: 'tour-copy' },
      lin.learnerToken
    )
    expect(reopened.body.ok).toBe(false)
    const kept = h.service.store!.sessions.list(lin.learnerId).find((s) => s.lessonId === 'tour-copy')
    expect(kept?.stepId).toBe('look-around')
  })

  test('removing a pack nobody imported names it', async () => {
    const answer = await post(h.host.origin, 'pack:remove', { packId: 'workshop-pack' }, h.instructorToken)
    expect(answer.status).toBe(404)
    expect(answer.body.error?.reason).toEqual({ id: 'pack_unknown', params: { packId: 'workshop-pack' } })
  })

  test('the exported file, sent back from a browser, brings the lessons and the learner’s place back', async () => {
    const imported = await call<Imported>('pack:upload', {
      fileName: exported.fileName,
      base64: exported.base64
    })
    expect(imported).toMatchObject({ ok: true, packId: 'workshop-pack', problems: [] })
    expect(await courseIds()).toContain('tour-copy')
    const opened = await ok<{ session: { current: string } }>(
      h.host.origin,
      'lesson:open',
      { learnerId: lin.learnerId, lessonId: 'tour-copy' },
      lin.learnerToken
    )
    expect(opened.session.current).toBe('look-around')
  })

  test('chosen lessons of the course and of a pack export as a pack the lesson checker passes', async () => {
    const picked = await call<Exported>('pack:export', {
      packId: 'my-picks',
      title: 'Picks',
      lessons: ['tour-copy', 'tour']
    })
    expect(picked.lessons).toEqual(['tour-copy', 'tour'])
    const root = join(work.path, 'picked')
    unzipTo(picked.base64, root)
    const index = parse(readFileSync(join(root, 'index.yaml'), 'utf8')) as Record<string, unknown>
    expect(index).toMatchObject({
      id: 'my-picks',
      title: { en: 'Picks', 'zh-CN': 'Picks' },
      lessons: ['10-tour-copy', '00-tour'],
      topics: { tour: { en: 'Getting around the lab', 'zh-CN': '熟悉实验环境' } }
    })
    const check = checkCourse(lessonFilesFromDir(root), { openLab: openLessonLab, now: () => 0 })
    expect(check.issues).toEqual([])
    expect(check.lessons.map((l) => l.ok)).toEqual([true, true])
  })
})
