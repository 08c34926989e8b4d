import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { expect } from 'vitest'
import { lessonFilesFromDir } from '../../src-main/api/lesson-files.ts'
import { checkCourse } from '../../src-main/core/lesson/check-course.ts'
import { formatIssue } from '../../src-main/core/lesson/issues.ts'
import { openLessonLab } from '../../src-main/core/lesson/lab-adapter.ts'
import { LESSONS_DIR } from './tour-lesson.ts'

/**
 * What the course check says of one lesson of the course, copied into a course of its own with
 * its lesson.yaml edited. `edits` is text the lesson must hold, so that a lesson rewritten under
 * the test fails it instead of being checked unedited.
 */
export function checkLessonEdited(dir: string, edits: string, edit: (yaml: string) => string): string[] {
  const root = mkdtempSync(join(tmpdir(), 'podnet-edited-lesson-'))
  try {
    writeFileSync(
      join(root, 'index.yaml'),
      `formatVersion: 1
id: edited
title: { en: Edited, zh-CN: 改过的 }
description: { en: One lesson of the course with its file edited., zh-CN: 改过的一课。 }
lessons: [${dir}]
`
    )
    cpSync(join(LESSONS_DIR, dir), join(root, dir), { recursive: true })
    const yamlPath = join(root, dir, 'lesson.yaml')
    const yaml = readFileSync(yamlPath, 'utf8')
    expect(yaml).toContain(edits)
    writeFileSync(yamlPath, edit(yaml))
    return checkCourse(lessonFilesFromDir(root), {
      openLab: openLessonLab,
      now: () => performance.now()
    }).issues.map(formatIssue)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}
