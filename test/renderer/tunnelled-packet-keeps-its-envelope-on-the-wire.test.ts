import { describe, expect, test } from 'vitest'
import { diagramOf } from '../../src-main/core/diagram/model.ts'
import { placeTrace } from '../../src-main/core/diagram/place.ts'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { journeyOf } from '../../src-renderer/src/lib/diagram/journey.ts'
import { labOf } from '../core/diagram-fixture.ts'

describe('the packet on the drawing between flannel.1s', () => {
  const { lab } = labOf('lessons/00-tour/scenario.yaml')
  const trace = sendProbe(lab, { proto: 'tcp', from: 'client', to: '10.96.0.120', port: 80 })
  const model = diagramOf(lab)
  const journey = journeyOf(model, trace, placeTrace(model, trace))

  test('stays an envelope inside an envelope on every hop from encapsulation to decapsulation, the wire included', () => {
    for (const leg of ['request', 'reply'] as const) {
      const steps = journey.filter((s) => s.leg === leg)
      const first = steps.findIndex((s) => s.encapsulated)
      const last = steps.findLastIndex((s) => s.encapsulated)
      expect(first, `${leg}: never encapsulated`).toBeGreaterThanOrEqual(0)
      const inside = steps.slice(first, last + 1)
      // The hop on the tunnel itself carries no packet of its own; it must still be drawn tunnelled.
      expect(
        inside.some((s) => s.marker !== null && 'wire' in s.marker && trace.hops[s.seq]?.after === undefined)
      ).toBe(true)
      for (const step of inside) {
        expect(step.encapsulated, `${leg} hop ${step.seq}`).toBe(true)
        expect(step.packet?.vxlan?.vni, `${leg} hop ${step.seq}`).toBe(1)
      }
    }
  })
})
