import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { expect, it } from 'vitest'
import { checkCourse } from '../../src-main/core/lesson/check-course.ts'
import type { LessonFiles } from '../../src-main/core/lesson/course-loader.ts'
import { formatIssue } from '../../src-main/core/lesson/issues.ts'
import { openLessonLab } from '../../src-main/core/lesson/lab-adapter.ts'

const GUIDE = new URL('../../docs/authoring-lessons.md', import.meta.url).pathname

it("the authoring guide's complete example passes podnet lessons check", () => {
  const guide = readFileSync(GUIDE, 'utf8')
  const files: Record<string, string> = {
    'index.yaml':
      'formatVersion: 1\nid: guide\ntitle: { en: Guide, zh-CN: 指南 }\ndescription: { en: Guide., zh-CN: 指南。 }\nlessons: [01-same-node]\n'
  }
  for (const [, name, body] of guide.matchAll(
    /`lessons\/01-same-node\/([^`]+)`[^\n]*\n\n```(?:yaml|markdown)\n([\s\S]*?)```/g
  )) {
    files[`01-same-node/${name}`] = body as string
  }
  expect(Object.keys(files).sort()).toEqual([
    '01-same-node/lesson.en.md',
    '01-same-node/lesson.yaml',
    '01-same-node/scenario.yaml',
    'index.yaml'
  ])
  // The guide describes the Chinese file instead of printing it; its sections are the same.
  files['01-same-node/lesson.zh-CN.md'] = files['01-same-node/lesson.en.md'] as string
  const memory: LessonFiles = {
    listDir: (dir) =>
      dir === '01-same-node'
        ? Object.keys(files)
            .filter((p) => p.startsWith('01-same-node/'))
            .map((p) => p.slice('01-same-node/'.length))
        : undefined,
    readText: (path) => files[path]
  }
  const result = checkCourse(memory, { openLab: openLessonLab, now: () => performance.now() })
  expect(result.issues.map(formatIssue)).toEqual([])
  expect(result.lessons).toMatchObject([{ dir: '01-same-node', ok: true, steps: 5, questions: 3 }])
})
