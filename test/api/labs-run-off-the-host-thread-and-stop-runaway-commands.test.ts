import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createService, type Service } from '../../src-main/api/service.ts'
import { openProgressStore } from '../../src-main/store/index.ts'
import { tempDir } from '../e2e/harness.ts'
import { call, lessonsDir } from './api-call.ts'

// Twenty thousand OUTPUT rules, then five thousand packets that each walk all of them: every
// per-line cap allows it, and it runs for seconds even on a fast idle machine, far past the budget.
const runaway =
  'for i in $(seq 1 20000); do iptables -A OUTPUT -d 10.9.9.9 -j ACCEPT; done; ' +
  'for i in $(seq 1 5000); do ping -c 1 192.168.56.12 >/dev/null; done'
const cni0 = /cni0: <[^>]*> .* state (UP|DOWN)/

interface Exec {
  stdout: string
  stderr: string
  exitCode: number
  stopped?: { afterMs: number; reason: string }
}

describe('labs run in worker threads with a CPU budget', () => {
  const data = tempDir('podnet-budget-')
  let service: Service
  let ada: string
  let bo: string
  const open = (): Service =>
    createService({ dataDir: data.path, lessonsDir, version: 'test', labs: { size: 2, budgetMs: 800 } })

  beforeAll(async () => {
    service = open()
    ada = (await call<{ id: string }>(service, 'profiles:create', { name: 'Ada' })).id
    bo = (await call<{ id: string }>(service, 'profiles:create', { name: 'Bo' })).id
    await call(service, 'lesson:open', { learnerId: ada, lessonId: 'tour' })
    await call(service, 'lesson:open', { learnerId: bo, lessonId: 'tour' })
  })
  afterAll(() => {
    service.close()
    data.remove()
  })

  test('while one learner’s runaway command runs, another learner’s command completes first', async () => {
    const order: string[] = []
    const slow = call<Exec>(service, 'shell:exec', {
      learnerId: ada,
      lessonId: 'tour',
      on: 'node-1',
      line: `ip link set cni0 down; ${runaway}`
    }).then((r) => {
      order.push('ada')
      return r
    })
    const fast = call<Exec>(service, 'shell:exec', {
      learnerId: bo,
      lessonId: 'tour',
      on: 'client',
      line: 'ip route'
    }).then((r) => {
      order.push('bo')
      return r
    })
    const [stopped, quick] = await Promise.all([slow, fast])
    expect(order).toEqual(['bo', 'ada'])
    expect(quick.stdout).toMatch(/^default via 10\.244\.1\.1 dev eth0/)
    expect(stopped).toMatchObject({ exitCode: 124, stopped: { reason: 'budget', afterMs: 800 } })
  })

  test('the stopped line left nothing behind: the lab is rebuilt without it, and answers again', async () => {
    const link = await call<Exec>(service, 'shell:exec', {
      learnerId: ada,
      lessonId: 'tour',
      on: 'node-1',
      line: 'ip link show cni0'
    })
    expect(cni0.exec(link.stdout)?.[1]).toBe('UP')
  })

  test('the journal keeps the stopped line, marked stopped, and a restarted host does not replay it', async () => {
    service.close()
    const store = openProgressStore(`${data.path}/progress.sqlite`, { now: Date.now }).store
    const rows = store.journal.list(ada, 'tour')
    store.close()
    const stoppedRows = rows.filter((r) => r.status === 'stopped')
    expect(stoppedRows.map((r) => r.entry)).toEqual([
      { kind: 'exec', on: 'node-1', line: `ip link set cni0 down; ${runaway}` }
    ])
    expect(rows.filter((r) => r.status === 'ok').map((r) => (r.entry as { line: string }).line)).toContain(
      'ip link show cni0'
    )

    service = open()
    await call(service, 'lesson:open', { learnerId: ada, lessonId: 'tour' })
    const link = await call<Exec>(service, 'shell:exec', {
      learnerId: ada,
      lessonId: 'tour',
      on: 'node-1',
      line: 'ip link show cni0'
    })
    expect(cni0.exec(link.stdout)?.[1]).toBe('UP')
  })
})
