import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { strToU8, zipSync, type Zippable } from 'fflate'
import { afterAll, describe, expect, test } from 'vitest'
import { tempDir } from '../e2e/harness.ts'
import { classroomHostForSuite, lessonsDir, ok, type Joined } from './classroom-host.ts'
import { TOUR_COPY_INDEX, tourCopyPack } from './tour-copy-pack.ts'

interface Imported {
  ok: boolean
  packId: string | null
  lessons: { dir: string; id: string | null; ok: boolean }[]
  problems: string[]
}

function filesOf(root: string, prefix = ''): Zippable {
  const out: Zippable = {}
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const rel = join(entry.parentPath, entry.name).slice(root.length + 1)
      out[prefix + rel] = readFileSync(join(root, rel))
    }
  }
  return out
}

describe('importing a lesson pack', () => {
  const h = classroomHostForSuite('podnet-class-packs-')
  const work = tempDir('podnet-pack-src-')
  const packsDir = join(h.dataDir, 'packs')
  const importPack = (path: string): Promise<Imported> =>
    ok<Imported>(h.host.origin, 'pack:import', { path }, h.instructorToken)
  const installed = (): string[] => (existsSync(packsDir) ? readdirSync(packsDir).sort() : [])

  afterAll(() => work.remove())

  test('a broken lesson is reported with the checker’s messages and nothing is installed', async () => {
    const broken = tourCopyPack(join(work.path, 'broken'), (yaml) =>
      yaml.replace('      answer: 62', '      answer: 61')
    )
    const result = await importPack(broken)
    expect(result.ok).toBe(false)
    expect(result.packId).toBe('workshop-pack')
    expect(result.lessons).toEqual([{ dir: '10-tour-copy', id: 'tour-copy', ok: false }])
    expect(result.problems).toContain(
      '10-tour-copy/lesson.yaml: steps[2].prediction.answer: the simulator says "62", not "61"'
    )
    expect(installed()).toEqual([])
  })

  test('a pack reusing a lesson id of the course is refused', async () => {
    const clash = join(work.path, 'clash')
    cpSync(join(lessonsDir, '00-tour'), join(clash, '10-tour'), { recursive: true })
    writeFileSync(join(clash, 'index.yaml'), TOUR_COPY_INDEX.replace('10-tour-copy', '10-tour'))
    const result = await importPack(clash)
    expect(result.ok).toBe(false)
    expect(result.problems).toEqual([
      '10-tour/lesson.yaml: id: lesson id "tour" is already used by another lesson of the course'
    ])
    expect(installed()).toEqual([])
  })

  test('a good folder is installed, listed after the course, and opens for a learner', async () => {
    const good = tourCopyPack(join(work.path, 'good'))
    const result = await importPack(good)
    expect(result).toEqual({
      ok: true,
      packId: 'workshop-pack',
      lessons: [{ dir: '10-tour-copy', id: 'tour-copy', ok: true }],
      problems: []
    })
    expect(installed()).toEqual(['workshop-pack'])
    const list = await ok<{ lessons: { id: string; slug: string; available: boolean }[] }>(
      h.host.origin,
      'lessons:list',
      {},
      h.instructorToken
    )
    expect(list.lessons.at(-1)).toMatchObject({
      id: 'tour-copy',
      slug: 'workshop-pack/10-tour-copy',
      available: true
    })

    const { joinCode } = await ok<{ joinCode: string }>(
      h.host.origin,
      'class:start',
      { name: 'Packs', lessons: ['tour-copy'] },
      h.instructorToken
    )
    const lin = await ok<Joined>(h.host.origin, 'class:join', { code: joinCode, name: 'Lin' })
    const opened = await ok<{ id: string }>(
      h.host.origin,
      'lesson:open',
      { learnerId: lin.learnerId, lessonId: 'tour-copy' },
      lin.learnerToken
    )
    expect(opened.id).toBe('tour-copy')
  })

  test('a zip wrapped in one top folder imports too, replacing the older copy', async () => {
    const zip = join(work.path, 'pack.zip')
    writeFileSync(zip, zipSync(filesOf(join(work.path, 'good'), 'my-pack/')))
    const result = await importPack(zip)
    expect(result.ok).toBe(true)
    expect(installed()).toEqual(['workshop-pack'])
  })

  test('a zip entry that climbs out of the pack (zip-slip) refuses the whole archive', async () => {
    const zip = join(work.path, 'slip.zip')
    writeFileSync(
      zip,
      zipSync({ ...filesOf(join(work.path, 'good')), '../../escaped.txt': strToU8('gotcha') })
    )
    const result = await importPack(zip)
    expect(result).toEqual({
      ok: false,
      packId: null,
      lessons: [],
      problems: ['../../escaped.txt: file name points outside the pack']
    })
    expect(existsSync(join(h.dataDir, 'escaped.txt'))).toBe(false)
    expect(existsSync(join(packsDir, '..', '..', 'escaped.txt'))).toBe(false)
    expect(installed()).toEqual(['workshop-pack'])
  })

  test('a zip that unpacks far beyond its size (zip bomb) is refused before inflating', async () => {
    const zip = join(work.path, 'bomb.zip')
    writeFileSync(
      zip,
      zipSync(
        { ...filesOf(join(work.path, 'good')), 'zeros.bin': new Uint8Array(5 * 1024 * 1024) },
        { level: 9 }
      )
    )
    const result = await importPack(zip)
    expect(result.ok).toBe(false)
    expect(result.problems).toEqual(['zeros.bin: unpacks to 5242880 bytes; one file may be at most 4194304'])
    expect(installed()).toEqual(['workshop-pack'])
  })

  test('a missing path and a folder without index.yaml are refused by name', async () => {
    expect((await importPack(join(work.path, 'nope'))).problems).toEqual([
      `${join(work.path, 'nope')}: no such file or folder`
    ])
    expect((await importPack(join(work.path, 'good', '10-tour-copy'))).problems).toEqual([
      `${join(work.path, 'good', '10-tour-copy')}: a lesson pack needs an index.yaml at its top`
    ])
  })
})
