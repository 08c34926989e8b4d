import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { Diagram } from '../../src-main/api/diagram.ts'
import { repoRoot } from '../e2e/harness.ts'
import { call, withService } from './api-call.ts'

/**
 * `lab:diagram` and `sandbox:diagram` answer with the drawing of the learner's lab as it is now,
 * computed in the lab's worker: what the learner broke shows, nothing else changes.
 */

const device = (d: Diagram, id: string): Diagram['devices'][number] | undefined =>
  d.devices.find((x) => x.id === id)

describe('the packet view’s drawing', () => {
  test('lab:diagram draws the lesson’s lab, and shows a bridge the learner took down', async () => {
    await withService(async (service, learnerId) => {
      const ref = { learnerId, lessonId: 'tour' }
      await call(service, 'lesson:open', ref)
      const before = await call<Diagram>(service, 'lab:diagram', ref)
      expect(device(before, 'node-1/cni0')).toMatchObject({ kind: 'bridge', up: true })
      expect(before.wires.some((w) => w.kind === 'vxlan-tunnel')).toBe(true)
      expect(before.services.map((s) => s.name)).toEqual(['api', 'web'])

      await call(service, 'shell:exec', { ...ref, on: 'node-1', line: 'ip link set cni0 down' })
      const after = await call<Diagram>(service, 'lab:diagram', ref)
      expect(device(after, 'node-1/cni0')?.up).toBe(false)
      expect({ ...after, devices: [], wires: [] }).toEqual({ ...before, devices: [], wires: [] })
    })
  })

  test('sandbox:diagram draws a learner’s own scenario file', async () => {
    await withService(async (service, learnerId) => {
      const content = readFileSync(join(repoRoot, 'test/fixtures/scenarios/two-node-host-gw.yaml'), 'utf8')
      const { sandboxId } = await call<{ sandboxId: string }>(service, 'sandbox:open', {
        learnerId,
        source: { kind: 'file', fileName: 'host-gw.yaml', content }
      })
      const diagram = await call<Diagram>(service, 'sandbox:diagram', { learnerId, sandboxId })
      expect(diagram.cluster.cni).toBe('host-gw')
      expect(diagram.wires.filter((w) => w.kind === 'direct-route').map((w) => w.id)).toEqual([
        'direct-route:node-1/eth0~node-2/eth0'
      ])
    })
  })
})
