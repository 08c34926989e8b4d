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
id: captures
title: { en: Captures, zh-CN: 抓包 }
description: { en: One lesson with its capture task edited., zh-CN: 改了抓包任务的一课。 }
lessons: [02-same-node]
`

/** The capture task's solution as the learner's terminals run it: captures as jobs, then the ping. */
const CAPTURES_FIRST = `    solution:
      - { on: node-1, run: 'tcpdump -c 2 -nn -e -i cni0 icmp &' }
      - { on: node-1, run: 'tcpdump -c 2 -nn -e -i veth656a880c icmp &' }
      - { on: client, run: ping -c 1 10.244.1.3 }
`

let root = ''
afterEach(() => rmSync(root, { recursive: true, force: true }))

function checkSameNodeWith(solution: string): string[] {
  root = mkdtempSync(join(tmpdir(), 'podnet-capture-solution-'))
  writeFileSync(join(root, 'index.yaml'), INDEX)
  cpSync(join(LESSONS_DIR, '02-same-node'), join(root, '02-same-node'), { recursive: true })
  const yamlPath = join(root, '02-same-node', 'lesson.yaml')
  const yaml = readFileSync(yamlPath, 'utf8')
  expect(yaml).toContain(CAPTURES_FIRST)
  writeFileSync(yamlPath, yaml.replace(CAPTURES_FIRST, solution))
  return checkCourse(lessonFilesFromDir(root), {
    openLab: openLessonLab,
    now: () => performance.now()
  }).issues.map(formatIssue)
}

it('captures started as jobs count for the task when the ping in another terminal ends them', () => {
  expect(checkSameNodeWith(CAPTURES_FIRST)).toEqual([])
})

it('a capture run in the foreground after the traffic waits for Ctrl+C, sees nothing, and fails the check', () => {
  const issues = checkSameNodeWith(`    solution:
      - { on: client, run: ping -c 1 10.244.1.3 }
      - { on: node-1, run: tcpdump -nn -e -i cni0 icmp }
      - { on: node-1, run: tcpdump -c 2 -nn -e -i veth656a880c icmp & }
`)
  expect(issues).toEqual([
    "02-same-node/lesson.yaml: steps[6].solution[1].run: runs until Ctrl+C in the learner's terminal: stop it by itself (`tcpdump -c N`, `timeout N`) or start it with `&` before the line that makes the traffic",
    '02-same-node/lesson.yaml: steps[6].goal: still fails after the solution (failing: goal.of[0], goal.of[1])'
  ])
})
