import { describe, expect, it } from 'vitest'
import { labFacts } from '../../src-main/core/lesson/lab-adapter.ts'
import { lessonSchema } from '../../src-main/core/lesson/lesson.schema.ts'
import { checkLessonRules } from '../../src-main/core/lesson/lesson-rules.ts'
import { evaluateGoal } from '../../src-main/core/lesson/predicates.ts'
import { buildLab } from '../../src-main/core/scenario/build-lab.ts'
import { parseScenario } from '../../src-main/core/scenario/parse-scenario.ts'
import { LabShell } from '../../src-main/core/shell/lab-shell.ts'

function scenario(dns: string): ReturnType<typeof parseScenario> {
  return parseScenario(
    `formatVersion: 1
id: dns-goal
cluster: { gateway: 192.168.56.1, dns: ${dns} }
nodes:
  - { name: node-1, ip: 192.168.56.11 }
pods:
  - { name: client, node: node-1, containers: [{ name: shell, app: sleep }] }
`,
    'scenario.yaml'
  )
}

const lesson = lessonSchema.parse({
  formatVersion: 1,
  id: 'dns-goal',
  title: { en: 'DNS', 'zh-CN': 'DNS' },
  summary: { en: 'DNS', 'zh-CN': 'DNS' },
  objectives: [{ en: 'DNS', 'zh-CN': 'DNS' }],
  topics: ['dns'],
  steps: [
    {
      id: 'bring-dns-back',
      kind: 'task',
      title: { en: 'DNS', 'zh-CN': 'DNS' },
      goal: { kind: 'endpoints', service: 'kube-dns' },
      solution: [{ on: 'node-1', run: 'kubectl -n kube-system scale deployment coredns --replicas=2' }]
    }
  ]
})
const goal = lesson.steps[0]!.kind === 'task' ? lesson.steps[0]!.goal : undefined

describe('an endpoints goal on kube-dns', () => {
  it('is refused where the scenario runs no cluster DNS', () => {
    const parsed = scenario('{ enabled: false }')
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
    expect(checkLessonRules('lesson.yaml', lesson, parsed.scenario).map((i) => i.reason)).toEqual([
      'no Service "kube-dns" in the scenario'
    ])
  })

  it('is accepted where it does, and holds only while CoreDNS runs', () => {
    const parsed = scenario('{ replicas: 0 }')
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
    expect(checkLessonRules('lesson.yaml', lesson, parsed.scenario)).toEqual([])
    const shell = new LabShell(buildLab(parsed.scenario))
    expect(evaluateGoal(goal!, labFacts(shell.lab), []).pass).toBe(false)
    shell.run('node-1', 'kubectl -n kube-system scale deployment coredns --replicas=2')
    expect(evaluateGoal(goal!, labFacts(shell.lab), []).pass).toBe(true)
  })
})
