import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { apiErrorCodes, type ApiErrorBody } from '../../src-main/api/envelope.ts'
import { ApiCallError, errorText } from '../../src-renderer/src/lib/api-error.ts'
import { ok, post, startClassroomHost, type ClassroomHost } from '../classroom/classroom-host.ts'
import { repoRoot, tempDir } from '../e2e/harness.ts'
import { englishWordsIn, han, inEach } from '../renderer/localised-refusal.ts'

/**
 * Bad input of every family, sent to the real web host over HTTP: each is a 4xx with a code and
 * a reason whose parameters name what was wrong, and the Chinese sentence built from that reason
 * holds no English beyond those names and numbers.
 */

const scenario = readFileSync(join(repoRoot, 'test', 'fixtures', 'scenarios', 'three-node-k3s.yaml'), 'utf8')

function billionLaughs(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i)
    const next = String.fromCharCode(97 + i)
    lines.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`)
  }
  return `${lines.join('\n')}\n`
}

function crowded(pods: number): string {
  const crowd = Array.from(
    { length: pods },
    (_, i) => `  - { name: p-${i}, node: server, containers: [{ name: c, app: sleep }] }`
  ).join('\n')
  return scenario.replace(/^pods:\n/m, `pods:\n${crowd}\n`)
}

describe('every refusal names what was wrong, in the learner’s language', () => {
  const data = tempDir('podnet-refusals-')
  let running: ClassroomHost
  let learnerId: string

  const refused = async (method: string, body: unknown): Promise<{ status: number; error: ApiErrorBody }> => {
    const answer = await post(running.host.origin, method, body, running.instructorToken)
    expect(answer.body.ok, `${method} was expected to be refused`).toBe(false)
    return { status: answer.status, error: answer.body.error as ApiErrorBody }
  }

  beforeAll(async () => {
    running = await startClassroomHost(data.path)
    const origin = running.host.origin
    learnerId = (
      await ok<{ id: string }>(origin, 'profiles:create', { name: 'Ada' }, running.instructorToken)
    ).id
    await ok(origin, 'lesson:open', { learnerId, lessonId: 'tour' }, running.instructorToken)
    await ok(origin, 'class:start', { name: 'Networking 101' }, running.instructorToken)
  })

  afterAll(async () => {
    await running.stop()
    data.remove()
  })

  const cases: {
    what: string
    method: string
    body: () => unknown
    reason: { id: string; params: Record<string, unknown> }
    /** What the Chinese sentence names. */
    shows: string[]
  }[] = [
    {
      what: 'a trace to a pod the lab does not have',
      method: 'trace:run',
      body: () => ({
        learnerId,
        lessonId: 'tour',
        trace: { from: 'client', to: 'nosuchpod', protocol: 'icmp' }
      }),
      reason: { id: 'unknown_target', params: { name: 'nosuchpod' } },
      shows: ['nosuchpod']
    },
    {
      what: 'an empty profile name',
      method: 'profiles:create',
      body: () => ({ name: '   ' }),
      reason: {
        id: 'field_invalid',
        params: { method: 'profiles:create', field: 'name', expected: 'empty' }
      },
      shows: ['个人资料名称']
    },
    {
      what: 'a profile name that is too long',
      method: 'profiles:create',
      body: () => ({ name: 'x'.repeat(61) }),
      reason: {
        id: 'field_invalid',
        params: { method: 'profiles:create', field: 'name', expected: 'too_long', limit: 60 }
      },
      shows: ['个人资料名称', '60']
    },
    {
      what: 'a billion-laughs scenario',
      method: 'sandbox:open',
      body: () => ({
        learnerId,
        source: { kind: 'file', fileName: 'laughs.yaml', content: billionLaughs() }
      }),
      reason: { id: 'scenario_yaml', params: { file: 'laughs.yaml', problem: 'aliases' } },
      shows: ['laughs.yaml']
    },
    {
      what: '300 pods on one node with a /24',
      method: 'sandbox:open',
      body: () => ({ learnerId, source: { kind: 'file', fileName: 'crowded.yaml', content: crowded(300) } }),
      reason: {
        id: 'scenario_limit',
        params: {
          file: 'crowded.yaml',
          field: 'pods.110.node',
          what: 'pods_per_node',
          limit: 110,
          value: 301,
          where: 'server'
        }
      },
      shows: ['crowded.yaml', 'server', '110', '301']
    },
    {
      what: 'a lesson id the course does not have',
      method: 'lesson:open',
      body: () => ({ learnerId, lessonId: 'no-such-lesson' }),
      reason: { id: 'lesson_unknown', params: { lessonId: 'no-such-lesson' } },
      shows: ['no-such-lesson']
    },
    {
      what: 'a step not reached yet',
      method: 'lesson:step',
      body: () => ({ learnerId, lessonId: 'tour', stepId: 'quiz' }),
      reason: { id: 'step_not_reached', params: { lessonId: 'tour', step: 'quiz' } },
      shows: ['quiz']
    },
    {
      what: 'a join code no open class has',
      method: 'class:join',
      body: () => ({ code: 'zzzzzz', name: 'Lin' }),
      reason: { id: 'join_code_unknown', params: { code: 'ZZZZZZ' } },
      shows: ['ZZZZZZ']
    },
    {
      what: 'a join code with letters codes never use',
      method: 'class:join',
      body: () => ({ code: 'OOOO00', name: 'Lin' }),
      reason: {
        id: 'field_invalid',
        params: { method: 'class:join', field: 'code', expected: 'bad_format' }
      },
      shows: ['加入码']
    }
  ]

  test.each(cases)('$what', async ({ method, body, reason, shows }) => {
    const { status, error } = await refused(method, body())
    expect(status).toBeGreaterThanOrEqual(400)
    expect(status).toBeLessThan(500)
    expect(apiErrorCodes.filter((code) => code !== 'internal')).toContain(error.code)
    expect(error.reason).toEqual(reason)

    const { zh } = inEach(() =>
      errorText(new ApiCallError(error.code, error.message, undefined, error.reason))
    )
    expect(zh).toMatch(han)
    expect(zh).not.toContain(error.message)
    expect(englishWordsIn(zh, error.reason!)).toEqual([])
    for (const named of shows) expect(zh).toContain(named)
  })
})
