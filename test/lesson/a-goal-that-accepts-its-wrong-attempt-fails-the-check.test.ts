import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { afterEach, expect, it } from 'vitest'
import { lessonFilesFromDir } from '../../src-main/api/lesson-files.ts'
import { checkCourse } from '../../src-main/core/lesson/check-course.ts'
import { formatIssue } from '../../src-main/core/lesson/issues.ts'
import { openLessonLab } from '../../src-main/core/lesson/lab-adapter.ts'
import { LESSONS_DIR } from './tour-lesson.ts'

const INDEX = `formatVersion: 1
id: wrong-attempts
title: { en: Wrong attempts, zh-CN: 错误尝试 }
description: { en: The tour with one task changed., zh-CN: 改了一个任务的导览。 }
lessons: [00-tour]
`

const LOOK_AROUND_WRONG_ATTEMPT = '    wrongAttempt:\n      - { on: node-1, run: ip addr }\n'

let root = ''
afterEach(() => rmSync(root, { recursive: true, force: true }))

/** The tour, copied into a course of its own with its lesson.yaml edited. */
function checkTourWith(edit: (yaml: string) => string): string[] {
  root = mkdtempSync(join(tmpdir(), 'podnet-wrong-attempt-'))
  writeFileSync(join(root, 'index.yaml'), INDEX)
  cpSync(join(LESSONS_DIR, '00-tour'), join(root, '00-tour'), { recursive: true })
  const yamlPath = join(root, '00-tour', 'lesson.yaml')
  const yaml = readFileSync(yamlPath, 'utf8')
  expect(yaml).toContain(LOOK_AROUND_WRONG_ATTEMPT)
  writeFileSync(yamlPath, edit(yaml))
  return checkCourse(lessonFilesFromDir(root), {
    openLab: openLessonLab,
    now: () => performance.now()
  }).issues.map(formatIssue)
}

it('a goal that accepts its wrong attempt fails the check, naming the lesson and the task', () => {
  // The solution itself, declared as the wrong attempt: no goal can reject it.
  const issues = checkTourWith((yaml) =>
    yaml.replace(LOOK_AROUND_WRONG_ATTEMPT, '    wrongAttempt:\n      - { on: client, run: ip -4 addr }\n')
  )
  expect(issues).toEqual([
    '00-tour/lesson.yaml: steps[1].goal: task "look-around" accepts its wrong attempt: make the goal require what only the solution achieves (the right host, the right state, the right fact in the output)'
  ])
})

it('a task without a wrong attempt fails the check, saying what to add', () => {
  const issues = checkTourWith((yaml) => yaml.replace(LOOK_AROUND_WRONG_ATTEMPT, ''))
  expect(issues).toEqual([
    '00-tour/lesson.yaml: steps[1].wrongAttempt: task "look-around" has no wrong attempt: add `wrongAttempt:` with what a learner plausibly tries first (the command on the wrong target, a near-miss fix), which the goal must reject'
  ])
})

it('the tour as written passes: its wrong attempt on the node is rejected', () => {
  expect(checkTourWith((yaml) => yaml)).toEqual([])
})
