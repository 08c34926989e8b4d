import { describe, expect, it } from 'vitest'
import { lessonContentHash } from '../../src-main/core/lesson/content-hash.ts'
import { type LessonFiles, loadCourse } from '../../src-main/core/lesson/course-loader.ts'
import { LOCALES } from '../../src-main/core/lesson/lesson.schema.ts'
import { splitProse } from '../../src-main/core/lesson/markdown-sections.ts'
import { lessonFilesFromDir as fsLessonFiles } from '../../src-main/api/lesson-files.ts'
import { LESSONS_DIR, loadTour } from './tour-lesson.ts'

/** A lessons folder held in memory: how the loader's purity is meant to be used. */
function memoryFiles(files: Record<string, string>): LessonFiles {
  return {
    listDir: (dir) => {
      const prefix = dir === '' ? '' : `${dir}/`
      const names = Object.keys(files)
        .filter((p) => p.startsWith(prefix))
        .map((p) => p.slice(prefix.length).split('/')[0] as string)
      return names.length > 0 ? [...new Set(names)].sort() : undefined
    },
    readText: (path) => files[path]
  }
}

describe('loadCourse on the repository', () => {
  it('lists the course in index order with every lesson available', () => {
    const course = loadCourse(fsLessonFiles(LESSONS_DIR))
    expect(course.issues).toEqual([])
    expect(course.index?.id).toBe('podnet-course')
    const dirs = course.lessons.map((e) => e.dir)
    expect(dirs[0]).toBe('00-tour')
    // Folder numbers are the course order, so the index must list them sorted.
    expect(dirs).toEqual([...dirs].sort())
    expect(course.lessons.every((e) => e.status === 'available')).toBe(true)
  })

  it('ends with the final exam, so every lesson it examines comes before it', () => {
    const course = loadCourse(fsLessonFiles(LESSONS_DIR))
    const last = course.lessons.at(-1)
    expect(last?.status === 'available' ? last.lesson.lesson.id : undefined).toBe('final-exam')
  })

  it('splits the tour prose into one section per step in both locales', () => {
    const tour = loadTour()
    for (const locale of LOCALES) {
      expect(Object.keys(tour.prose[locale].sections)).toEqual(tour.lesson.steps.map((s) => s.id))
      expect(tour.prose[locale].intro).not.toBe('')
    }
    expect(tour.prose['zh-CN'].sections['welcome']).toContain('node-1')
  })

  it('the tour uses every step kind but review (nothing can be due in a first lesson) and every question type', () => {
    const tour = loadTour().lesson
    expect(new Set(tour.steps.map((s) => s.kind))).toEqual(
      new Set(['read', 'task', 'predict', 'trace', 'quiz', 'checkpoint'])
    )
    const kinds = tour.steps
      .flatMap((s) =>
        s.kind === 'quiz' ? s.questions : s.kind === 'trace' ? s.questions.map((p) => p.question) : []
      )
      .map((q) => q.kind)
    expect(new Set(kinds)).toEqual(new Set(['single', 'multiple', 'ordering', 'numeric', 'text', 'hotspot']))
  })
})

describe('content hash', () => {
  it('changes with any file of the lesson and not with listing order', () => {
    const a = lessonContentHash({ 'lesson.yaml': 'x', 'tour.en.md': 'y' })
    expect(lessonContentHash({ 'tour.en.md': 'y', 'lesson.yaml': 'x' })).toBe(a)
    expect(lessonContentHash({ 'lesson.yaml': 'x', 'tour.en.md': 'y!' })).not.toBe(a)
    // Names are part of the hash: moving text from one file to another is an edit.
    expect(lessonContentHash({ 'lesson.yaml': 'xy', 'tour.en.md': '' })).not.toBe(a)
  })

  it('is what the loader attaches to the lesson, over every file it read', () => {
    const files: Record<string, string> = {}
    const disk = fsLessonFiles(LESSONS_DIR)
    for (const name of disk.listDir('00-tour') ?? []) files[name] = disk.readText(`00-tour/${name}`) as string
    expect(loadTour().contentHash).toBe(lessonContentHash(files))
  })
})

describe('splitProse', () => {
  it('ignores ## lines inside fenced code and keeps deeper headings in their step', () => {
    const { prose, issues } = splitProse(
      'x.md',
      'Intro\n\n## a\n\n```sh\n## not a step\n```\n### detail\n\n## b\nB text\n'
    )
    expect(issues).toEqual([])
    expect(prose.intro).toBe('Intro')
    expect(Object.keys(prose.sections)).toEqual(['a', 'b'])
    expect(prose.sections['a']).toBe('```sh\n## not a step\n```\n### detail')
  })
})

describe('loadCourse in memory', () => {
  it('reports an invalid index.yaml and loads nothing', () => {
    const course = loadCourse(memoryFiles({ 'index.yaml': 'formatVersion: 2\n' }))
    expect(course.index).toBeUndefined()
    expect(course.issues.map((i) => `${i.path}: ${i.reason}`)).toEqual([
      'formatVersion: Invalid input: expected 1',
      'id: missing required field',
      'title: missing required field',
      'description: missing required field',
      'lessons: missing required field'
    ])
  })

  it('reports a lesson id used by two folders', () => {
    const disk = fsLessonFiles(LESSONS_DIR)
    const files: Record<string, string> = {
      'index.yaml': (disk.readText('index.yaml') as string).replace(
        /^lessons:\n[\s\S]*$/m,
        'lessons:\n  - 00-tour\n  - 01-tour\n'
      )
    }
    for (const name of disk.listDir('00-tour') ?? []) {
      files[`00-tour/${name}`] = disk.readText(`00-tour/${name}`) as string
      files[`01-tour/${name}`] = disk.readText(`00-tour/${name}`) as string
    }
    const course = loadCourse(memoryFiles(files))
    expect(course.issues).toEqual([
      { file: '01-tour/lesson.yaml', path: 'id', reason: 'lesson id "tour" is already used by 00-tour' }
    ])
    expect(course.lessons.map((e) => e.status)).toEqual(['available', 'available'])
  })
})
