import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createService, type Service } from '../../src-main/api/service.ts'
import { Classroom } from '../../src-main/classroom/classroom.ts'
import { startWebHost, type WebHost } from '../../src-main/platform/web/server.ts'
import { tempDir } from '../e2e/harness.ts'
import { rawRequest } from '../api/api-call.ts'
import { lessonsDir, ok, post, rendererFixture, type Joined } from './classroom-host.ts'

/**
 * A class on a real web host, one learner hostile. Every hostile input below must leave the
 * host up, answer without a 5xx, and — where it runs long — let another learner's call finish
 * first. Order is asserted, never time. (Stalled request bodies have their own test:
 * test/api/host-cuts-off-stalled-requests-and-caps-sockets-per-client.test.ts.)
 */

// Twenty thousand OUTPUT rules, then five thousand packets that each walk all of them: every
// per-line cap allows it, and it runs for seconds even on a fast idle machine, far past the budget.
const runaway =
  'for i in $(seq 1 20000); do iptables -A OUTPUT -d 10.9.9.9 -j ACCEPT; done; ' +
  'for i in $(seq 1 5000); do ping -c 1 192.168.56.12 >/dev/null; done'

/** A scenario far over the limits: 4000 nodes, 139 KB of YAML like the one that killed the host. */
function scenarioBomb(): string {
  const nodes = Array.from(
    { length: 4000 },
    (_, i) => `  - { name: n${i}, ip: 10.${(i >> 8) & 255}.${i & 255}.1, podCIDR: 10.244.${i % 250}.0/24 }`
  )
  return ['id: bomb', 'seed: 1', 'cluster: {}', 'nodes:', ...nodes, 'pods: []', 'services: []', ''].join('\n')
}

describe('a hostile learner never stops the class', () => {
  const data = tempDir('podnet-hostile-')
  let service: Service
  let host: WebHost
  let mallory: Joined
  let ada: Joined

  beforeAll(async () => {
    service = createService({
      dataDir: data.path,
      lessonsDir,
      packsDir: `${data.path}/packs`,
      version: 'test',
      labs: { size: 2, budgetMs: 1500 }
    })
    const classroom = new Classroom({
      store: service.store!,
      handlers: service.handlers,
      lessonDefinition: service.lessonDefinition,
      packsDir: `${data.path}/packs`,
      lessonsDir
    })
    host = await startWebHost({
      handlers: service.handlers,
      rendererDir: rendererFixture,
      classroom,
      classroomMode: true
    })
    const started = await ok<{ classId: string; joinCode: string }>(
      host.origin,
      'class:start',
      { name: 'Hostile' },
      host.token
    )
    await ok(
      host.origin,
      'class:lessons',
      {
        classId: started.classId,
        lessons: [
          { lessonId: 'tour', state: 'enabled' },
          { lessonId: 'final-exam', state: 'locked' }
        ]
      },
      host.token
    )
    mallory = await ok<Joined>(host.origin, 'class:join', { code: started.joinCode, name: 'Mallory' })
    ada = await ok<Joined>(host.origin, 'class:join', { code: started.joinCode, name: 'Ada' })
    for (const who of [mallory, ada])
      await ok(host.origin, 'lesson:open', { learnerId: who.learnerId, lessonId: 'tour' }, who.learnerToken)
  })

  afterAll(async () => {
    await host.close()
    service.close()
    data.remove()
  })

  const adaTypes = () =>
    post(
      host.origin,
      'shell:exec',
      { learnerId: ada.learnerId, lessonId: 'tour', on: 'client', line: 'ip route' },
      ada.learnerToken
    )

  /** Starts Mallory's call, then Ada's; returns both answers and who finished first. */
  async function race(method: string, body: Record<string, unknown>) {
    const order: string[] = []
    const hostile = post(
      host.origin,
      method,
      { learnerId: mallory.learnerId, ...body },
      mallory.learnerToken
    ).then((a) => (order.push('mallory'), a))
    const other = adaTypes().then((a) => (order.push('ada'), a))
    const [m, a] = await Promise.all([hostile, other])
    return { mallory: m, ada: a, order }
  }

  test('a line that runs far past the budget is stopped after the other learner is answered', async () => {
    const r = await race('shell:exec', { lessonId: 'tour', on: 'node-1', line: runaway })
    expect(r.order).toEqual(['ada', 'mallory'])
    expect(r.mallory.status).toBe(200)
    expect(r.mallory.body.value).toMatchObject({ exitCode: 124, stopped: { reason: 'budget' } })
  })

  test.each([
    [
      'a backtracking grep with a back-reference',
      "echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa! | grep -E '(a*)*b\\1'"
    ],
    ['a catastrophic grep -E without one', "echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa! | grep -E '(a+)+$'"],
    ['forty long seq runs', 'for i in $(seq 1 40); do seq 1 999999 >/dev/null; done'],
    [
      'a file grown without end',
      'seq 1 200000 > /tmp/a; for i in 1 2 3 4; do cat /tmp/a /tmp/a > /tmp/b; cat /tmp/b /tmp/b > /tmp/a; done'
    ],
    ['a flood ping', 'ping -c 100000 -i 0 10.244.1.3 >/dev/null']
  ])('%s: the other learner is answered, no 5xx, the host stays up', async (_what, line) => {
    const r = await race('shell:exec', { lessonId: 'tour', on: 'node-1', line })
    expect(r.ada.status).toBe(200)
    expect(r.mallory.status).toBeLessThan(500)
    const value = r.mallory.body.value as { stopped?: unknown; exitCode: number } | undefined
    // Either the line is bounded and ends by itself, or the budget stops it after Ada's call.
    if (value?.stopped) expect(r.order).toEqual(['ada', 'mallory'])
    expect((await adaTypes()).status).toBe(200)
  })

  test('a scenario bomb is refused by name, and the class goes on', async () => {
    const r = await race('sandbox:open', {
      source: { kind: 'file', fileName: 'bomb.yaml', content: scenarioBomb() }
    })
    expect(r.mallory.status).toBe(400)
    expect(r.mallory.body.error?.message).toMatch(/bomb\.yaml: nodes: at most \d+ nodes/)
    expect(r.ada.status).toBe(200)
  })

  test('a locked lesson cannot be reached through a sandbox or a lab reference', async () => {
    const viaSandbox = await post(
      host.origin,
      'sandbox:open',
      { learnerId: mallory.learnerId, source: { kind: 'lesson', lessonId: 'final-exam' } },
      mallory.learnerToken
    )
    expect({ status: viaSandbox.status, code: viaSandbox.body.error?.code }).toEqual({
      status: 403,
      code: 'lesson_locked'
    })
    const viaLab = await post(
      host.origin,
      'shell:complete',
      {
        learnerId: mallory.learnerId,
        lab: { kind: 'lesson', lessonId: 'final-exam' },
        on: 'client',
        line: 'i',
        cursor: 1
      },
      mallory.learnerToken
    )
    expect(viaLab.body.error?.code).toBe('lesson_locked')
  })

  test('a page on a rebinding name cannot read anyone’s progress', async () => {
    const port = new URL(host.origin).port
    const r = await rawRequest(host.origin, {
      method: 'POST',
      path: '/api/progress:export',
      headers: {
        host: `attacker.example:${port}`,
        'content-type': 'application/json',
        authorization: `Bearer ${mallory.learnerToken}`
      },
      body: JSON.stringify({ learnerId: mallory.learnerId, format: 'json' })
    })
    expect(r.status).toBe(403)
    expect(r.body).not.toContain('"learners"')
  })

  test('after all of it the host still answers everyone', async () => {
    expect((await adaTypes()).status).toBe(200)
    expect((await post(host.origin, 'app:info', {}, mallory.learnerToken)).status).toBe(200)
  })
})
