import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { lessonFilesFromDir } from '../../src-main/api/lesson-files.ts'
import { loadLesson, type LoadedLesson } from '../../src-main/core/lesson/course-loader.ts'
import { openLessonLab } from '../../src-main/core/lesson/lab-adapter.ts'
import { checkLessonRules } from '../../src-main/core/lesson/lesson-rules.ts'
import type { Predicate } from '../../src-main/core/lesson/lesson.schema.ts'
import { evaluateGoal, leavesSatisfiedByCommand } from '../../src-main/core/lesson/predicates.ts'

const files = lessonFilesFromDir(join(import.meta.dirname, '..', '..', 'lessons'))

function capstone(): LoadedLesson {
  const entry = loadLesson(files, '20-capstone')
  if (entry.status !== 'available') throw new Error(JSON.stringify(entry.issues))
  return entry.lesson
}

function repairGoal(loaded: LoadedLesson): Predicate {
  const step = loaded.lesson.steps.find((s) => s.id === 'restore-the-shop')
  if (step?.kind !== 'task') throw new Error('no restore-the-shop task')
  return step.goal
}

const FIX_PORT = `kubectl patch svc shop -p '{"spec":{"ports":[{"port":80,"targetPort":8080}]}}'`
const LOOP = 'for i in 1 2 3 4 5 6; do curl -m 2 10.96.0.50; done'

/** Runs the lines in a fresh capstone lab, then both frontends' proof loops, and judges the repair. */
function judge(lines: [on: string, line: string][]): { pass: boolean; hint?: string; output: string } {
  const loaded = capstone()
  const goal = repairGoal(loaded)
  const lab = openLessonLab(loaded)
  const satisfied: string[] = []
  let output = ''
  for (const [on, command] of [...lines, ['front-1', LOOP], ['front-3', LOOP]] as const) {
    const result = lab.exec(on, command)
    if (on.startsWith('front-')) output += result.output
    satisfied.push(...leavesSatisfiedByCommand(goal, { on, command, ...result }))
  }
  const evaluation = evaluateGoal(goal, lab.facts(), satisfied)
  return { pass: evaluation.pass, output, ...(evaluation.hint ? { hint: evaluation.hint.en } : {}) }
}

describe('the capstone repair', () => {
  test('passes when the Service port is fixed and only the bad firewall rule is deleted', () => {
    const result = judge([
      ['node-1', FIX_PORT],
      ['node-3', 'iptables -D INPUT -p udp --dport 8472 -j DROP']
    ])
    expect(result).toMatchObject({ pass: true })
  })

  test('rejects flushing node-3’s firewall although every call gets through, naming the lost rule', () => {
    const result = judge([
      ['node-1', FIX_PORT],
      ['node-3', 'iptables -F']
    ])
    expect(result.output).not.toMatch(/curl: \(/)
    expect(result.pass).toBe(false)
    expect(result.hint).toMatch(/read-only port 10255/)
  })

  test('rejects an ACCEPT put in front of the bad rule although every call gets through', () => {
    const result = judge([
      ['node-1', FIX_PORT],
      ['node-3', 'iptables -I INPUT -p udp --dport 8472 -j ACCEPT']
    ])
    expect(result.output).not.toMatch(/curl: \(/)
    expect(result.pass).toBe(false)
    expect(result.hint).toMatch(/still drops packets that cross between the nodes/)
  })

  test('rejects taking shop-3 out of the Service, asking for both pods', () => {
    const result = judge([
      ['node-1', FIX_PORT],
      ['node-1', 'kubectl label pod shop-3 app-']
    ])
    expect(result.pass).toBe(false)
    expect(result.hint).toMatch(/both shop pods, shop-2 and shop-3/)
  })

  test('rejects fixing only one of the two faults', () => {
    expect(judge([['node-1', FIX_PORT]])).toMatchObject({ pass: false })
    const firewallOnly = judge([['node-3', 'iptables -D INPUT -p udp --dport 8472 -j DROP']])
    expect(firewallOnly.pass).toBe(false)
    expect(firewallOnly.hint).toMatch(/on the port their app listens on/)
    expect(judge([['node-1', FIX_PORT]]).hint).toMatch(/still drops packets/)
  })
})

test('a firewall goal must spell its rule as iptables -S prints it, or it could never match', () => {
  const loaded = capstone()
  const goal: Predicate = {
    kind: 'iptables-rule',
    on: 'node-3',
    table: 'filter',
    rule: '-A INPUT -p udp --dport 8472 -j DROP',
    present: false
  }
  const lesson = {
    ...loaded.lesson,
    steps: loaded.lesson.steps.map((s) => (s.kind === 'task' ? { ...s, goal } : s))
  }
  const reasons = checkLessonRules('lesson.yaml', lesson, loaded.scenario).map((i) => i.reason)
  expect(reasons).toContain('iptables -S prints this rule as "-A INPUT -p udp -m udp --dport 8472 -j DROP"')
})
