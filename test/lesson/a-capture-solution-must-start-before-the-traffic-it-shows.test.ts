import { expect, it } from 'vitest'
import { checkLessonEdited } from './check-edited-lesson.ts'

/** The capture task's solution as the learner's terminals run it: captures as jobs, then the ping. */
const CAPTURES_FIRST = `    solution:
      - { on: node-1, run: 'tcpdump -c 2 -nn -e -i cni0 icmp &' }
      - { on: node-1, run: 'tcpdump -c 2 -nn -e -i veth656a880c icmp &' }
      - { on: client, run: ping -c 1 10.244.1.3 }
`

const checkSameNodeWith = (solution: string): string[] =>
  checkLessonEdited('02-same-node', CAPTURES_FIRST, (yaml) => yaml.replace(CAPTURES_FIRST, solution))

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
