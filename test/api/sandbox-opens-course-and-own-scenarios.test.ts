import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { SCENARIO_LIMITS } from '../../src-main/core/scenario/scenario.schema.ts'
import { repoRoot } from '../e2e/harness.ts'
import { call, failure, withService } from './api-call.ts'

const ownScenario = readFileSync(join(repoRoot, 'test/fixtures/scenarios/two-node-vxlan.yaml'), 'utf8')

interface Opened {
  sandboxId: string
  title: { en: string; 'zh-CN': string }
}
interface Exec {
  stdout: string
  stderr: string
  exitCode: number
}
interface Topology {
  nodes: { name: string; pods: { name: string }[] }[]
}

describe('the free-play sandbox', () => {
  test('opens the learner’s own scenario file, runs commands and traces, and resets to the file', async () => {
    await withService(async (service, learnerId) => {
      const opened = await call<Opened>(service, 'sandbox:open', {
        learnerId,
        source: { kind: 'file', fileName: 'my-lab.yaml', content: ownScenario }
      })
      expect(opened.title.en).toBe('my-lab.yaml')
      const ref = { learnerId, sandboxId: opened.sandboxId }

      const topology = await call<Topology>(service, 'sandbox:topology', ref)
      expect(topology.nodes.flatMap((n) => n.pods.map((p) => p.name))).toEqual([
        'client',
        'web-1',
        'web-2',
        'web-3'
      ])

      const route = await call<Exec>(service, 'sandbox:exec', { ...ref, on: 'client', line: 'ip route' })
      expect(route).toMatchObject({
        exitCode: 0,
        stdout: expect.stringContaining('default via 10.244.1.1 dev eth0')
      })

      const traced = await call<{ trace: { outcome: { kind: string } }; traceId: number }>(
        service,
        'sandbox:trace',
        {
          ...ref,
          trace: { from: 'client', to: 'web-3', protocol: 'icmp' }
        }
      )
      expect(traced.trace.outcome.kind).toBe('reply')
      expect(traced.traceId).toBeGreaterThan(0)

      await call(service, 'sandbox:exec', { ...ref, on: 'node-2', line: 'ip link set cni0 down' })
      const broken = await call<{ trace: { outcome: { kind: string } } }>(service, 'sandbox:trace', {
        ...ref,
        trace: { from: 'client', to: 'web-3', protocol: 'icmp' }
      })
      expect(broken.trace.outcome.kind).not.toBe('reply')

      // Opening the same file again returns the same world, changes and all.
      const reopened = await call<Opened>(service, 'sandbox:open', {
        learnerId,
        source: { kind: 'file', fileName: 'my-lab.yaml', content: ownScenario }
      })
      expect(reopened.sandboxId).toBe(opened.sandboxId)
      const stillDown = await call<Exec>(service, 'sandbox:exec', {
        ...ref,
        on: 'node-2',
        line: 'ip link show cni0'
      })
      expect(stillDown.stdout).toContain('state DOWN')

      await call(service, 'sandbox:reset', ref)
      const up = await call<Exec>(service, 'sandbox:exec', {
        ...ref,
        on: 'node-2',
        line: 'ip link show cni0'
      })
      expect(up.stdout).toContain('state UP')
      // Traces of the world before the reset are gone with it.
      expect(
        await failure(service, 'trace:pcap', {
          learnerId,
          lab: { kind: 'sandbox', sandboxId: opened.sandboxId },
          traceId: traced.traceId
        })
      ).toMatchObject({
        code: 'not_found'
      })

      const inspected = await call<{ sections: { command: string }[] }>(service, 'sandbox:inspect', {
        ...ref,
        objectId: 'node-1/cni0'
      })
      expect(inspected.sections.length).toBeGreaterThan(0)
    })
  })

  test('opens a course lesson’s scenario without touching the lesson’s progress', async () => {
    await withService(async (service, learnerId) => {
      const opened = await call<Opened>(service, 'sandbox:open', {
        learnerId,
        source: { kind: 'lesson', lessonId: 'tour' }
      })
      expect(opened.title.en.length).toBeGreaterThan(0)
      const ran = await call<Exec>(service, 'sandbox:exec', {
        learnerId,
        sandboxId: opened.sandboxId,
        on: 'client',
        line: 'ip addr'
      })
      expect(ran.stdout).toContain('inet 10.244.1.2/24')
      const list = await call<{ lessons: { id: string; progress: { status: string } | null }[] }>(
        service,
        'lessons:list',
        { learnerId }
      )
      expect(list.lessons.find((l) => l.id === 'tour')?.progress?.status).toBe('not-started')
    })
  })

  test('refuses a bad scenario file with a message naming the file, field and reason', async () => {
    await withService(async (service, learnerId) => {
      const open = (content: string): Promise<{ code: string; message: string }> =>
        failure(service, 'sandbox:open', {
          learnerId,
          source: { kind: 'file', fileName: 'broken.yaml', content }
        })

      const wrongNode = ownScenario.replace(
        '  - name: web-3\n    node: node-2',
        '  - name: web-3\n    node: node-9'
      )
      expect(await open(wrongNode)).toEqual({
        code: 'invalid_input',
        message: 'broken.yaml: pods[3].node: no node named "node-9"',
        reason: {
          id: 'scenario_conflict',
          params: { file: 'broken.yaml', field: 'pods[3].node', problem: 'unknown_name', value: 'node-9' }
        }
      })

      const badCidr = ownScenario.replace('podCIDR: 10.244.0.0/16', 'podCIDR: 10.244.0.0/99')
      expect(await open(badCidr)).toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(/^broken\.yaml: cluster\.podCIDR: /)
      })

      expect(await open('nodes: [unclosed')).toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(/^broken\.yaml: line 1, column \d+: /)
      })

      const badSetup = `${ownScenario}setup:\n  - { on: node-1, run: "ip link set nothing0 down" }\n`
      expect(await open(badSetup)).toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(/^broken\.yaml: setup\[0\]\.run: /)
      })

      expect(
        await failure(service, 'sandbox:open', {
          learnerId,
          source: { kind: 'file', fileName: 'x.yaml', content: '' }
        })
      ).toEqual({
        code: 'invalid_input',
        message: 'source.content: the scenario file is empty',
        reason: {
          id: 'field_invalid',
          params: { method: 'sandbox:open', field: 'source.content', expected: 'empty' }
        }
      })
      expect(
        await failure(service, 'sandbox:exec', {
          learnerId,
          sandboxId: 'file-0000',
          on: 'client',
          line: 'ip route'
        })
      ).toMatchObject({
        code: 'not_found'
      })
    })
  })

  test('refuses a file over the scenario size limit with a message naming the limit', async () => {
    await withService(async (service, learnerId) => {
      const open = (content: string): Promise<{ code: string; message: string }> =>
        failure(service, 'sandbox:open', {
          learnerId,
          source: { kind: 'file', fileName: 'big.yaml', content }
        })
      expect(await open(`# ${'x'.repeat(SCENARIO_LIMITS.bytes)}\n`)).toEqual({
        code: 'invalid_input',
        message: 'source.content: a scenario file may be at most 1 MiB',
        reason: {
          id: 'field_invalid',
          params: {
            method: 'sandbox:open',
            field: 'source.content',
            expected: 'too_long',
            limit: SCENARIO_LIMITS.bytes
          }
        }
      })
      // Under the limit in characters, over it in UTF-8 bytes: the parser refuses it by the same limit.
      expect(await open(`# ${'é'.repeat(SCENARIO_LIMITS.bytes / 2)}\n`)).toEqual({
        code: 'invalid_input',
        message: 'big.yaml: (root): at most 1048576 bytes of scenario text (1 MiB), this file has 1048579',
        reason: {
          id: 'scenario_limit',
          params: { file: 'big.yaml', field: '', what: 'bytes', limit: 1048576, value: 1048579 }
        }
      })
    })
  })
})
