import { expect, it } from 'vitest'
import { checkLessonEdited } from './check-edited-lesson.ts'

const LOOK_AROUND_WRONG_ATTEMPT = '    wrongAttempt:\n      - { on: node-1, run: ip addr }\n'

/** The tour, checked with its lesson.yaml edited. */
const checkTourWith = (edit: (yaml: string) => string): string[] =>
  checkLessonEdited('00-tour', LOOK_AROUND_WRONG_ATTEMPT, edit)

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
