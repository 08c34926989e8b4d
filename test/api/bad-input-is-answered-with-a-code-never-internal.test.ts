import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { Service } from '../../src-main/api/service.ts'
import { repoRoot } from '../e2e/harness.ts'
import { call, failure, withService } from './api-call.ts'

const scenario = readFileSync(join(repoRoot, 'test', 'fixtures', 'scenarios', 'three-node-k3s.yaml'), 'utf8')

async function openSandbox(service: Service, learnerId: string, content: string): Promise<string> {
  const opened = await call<{ sandboxId: string }>(service, 'sandbox:open', {
    learnerId,
    source: { kind: 'file', fileName: 'mine.yaml', content }
  })
  return opened.sandboxId
}

async function exec(
  service: Service,
  learnerId: string,
  sandboxId: string,
  line: string
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  return call(service, 'sandbox:exec', { learnerId, sandboxId, on: 'probe', line })
}

describe('bad input is answered with a code, never as an internal error', () => {
  test('a trace to an unknown target is invalid input naming the target', async () => {
    await withService(async (service, learnerId) => {
      await call(service, 'lesson:open', { learnerId, lessonId: 'tour' })
      const error = await failure(service, 'trace:run', {
        learnerId,
        lessonId: 'tour',
        trace: { from: 'client', to: 'nosuchpod', protocol: 'icmp' }
      })
      expect(error.code).toBe('invalid_input')
      expect(error.message).toContain('nosuchpod')
    })
  })

  test('a billion-laughs scenario is invalid input naming the aliases', async () => {
    await withService(async (service, learnerId) => {
      const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
      for (let i = 1; i < 9; i++) {
        const prev = String.fromCharCode(96 + i)
        const next = String.fromCharCode(97 + i)
        lines.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`)
      }
      const error = await failure(service, 'sandbox:open', {
        learnerId,
        source: { kind: 'file', fileName: 'laughs.yaml', content: `${lines.join('\n')}\n` }
      })
      expect(error.code).toBe('invalid_input')
      expect(error.message).toMatch(/alias/i)
    })
  })

  test('300 pods on one /24 is a scenario error naming the limit', async () => {
    await withService(async (service, learnerId) => {
      const pods = Array.from(
        { length: 300 },
        (_, i) => `  - { name: p-${i}, node: server, containers: [{ name: c, app: sleep }] }`
      )
      const content = scenario.replace(/^pods:\n/m, `pods:\n${pods.join('\n')}\n`)
      const error = await failure(service, 'sandbox:open', {
        learnerId,
        source: { kind: 'file', fileName: 'crowded.yaml', content }
      })
      expect(error.code).toBe('invalid_input')
      expect(error.message).toMatch(/crowded\.yaml: .*\d+/)
    })
  })

  test('1300 nested $( in one line is a shell error, as bash prints it', async () => {
    await withService(async (service, learnerId) => {
      const sandboxId = await openSandbox(service, learnerId, scenario)
      const line = `echo ${'$('.repeat(1300)}echo hi${')'.repeat(1300)}`.slice(0, 4000)
      const ran = await exec(service, learnerId, sandboxId, line)
      expect(ran.exitCode).not.toBe(0)
      expect(ran.stderr).toMatch(/^(bash|sh): /m)
    })
  })

  test('doubling a string in a loop stops at the variable cap with bash’s message', async () => {
    await withService(async (service, learnerId) => {
      const sandboxId = await openSandbox(service, learnerId, scenario)
      const ran = await exec(service, learnerId, sandboxId, 'a=x; while true; do a=$a$a; done')
      expect(ran.exitCode).not.toBe(0)
      expect(ran.stderr).not.toContain('Invalid string length')
      expect(ran.stderr).toMatch(/^(bash|sh): /m)
    })
  })
})
