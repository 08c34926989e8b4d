import { describe, expect, test } from 'vitest'
import { diagramOf } from '../../src-main/core/diagram/model.ts'
import { innermost, placementExists, placeTrace } from '../../src-main/core/diagram/place.ts'
import { summariseTrace, type SummaryRow } from '../../src-main/core/diagram/summary.ts'
import type { PacketView } from '../../src-main/core/engine/trace.ts'
import { labOf, scenarioFiles, tracesOf } from './diagram-fixture.ts'

/**
 * For every course and fixture scenario and every kind of probe (bridged, tunnelled, NATed,
 * refused, too big, dropped, hairpinned, from outside): each kernel hop lands on a device or wire
 * the drawing has, and the summary's rows cover the hops in order, each exactly once.
 */

const addr = (p: PacketView, which: 'src' | 'dst'): string => {
  const v = innermost(p)
  const l4 = v.l4
  return `${v.ip?.[which] ?? ''}${l4 && l4.kind !== 'icmp' ? `:${which === 'src' ? l4.sport : l4.dport}` : ''}`
}

/**
 * Follows a packet's addresses from the row that sent it through every rewrite row: where they
 * end up must be where the packet's last row finds them. A rewrite no row tells would break it.
 */
function addressesAfterRewrites(rows: SummaryRow[]): { told: string; seen: string } | undefined {
  const sent = rows[0]?.event
  const lastView = rows.findLast((r) => r.headers.after?.ip)?.headers.after
  if (sent?.kind !== 'sent' || !lastView || sent.from === '') return undefined
  let src = sent.from
  let dst = sent.to
  for (const r of rows) {
    const e = r.event
    if (e.kind === 'dnat' || e.kind === 'unsnat') dst = e.to
    if (e.kind === 'snat' || e.kind === 'masquerade' || e.kind === 'undnat') src = e.to
  }
  return { told: `${src} > ${dst}`, seen: `${addr(lastView, 'src')} > ${addr(lastView, 'dst')}` }
}

describe('every hop of every trace places on the diagram, and the summary covers each hop once', () => {
  for (const file of scenarioFiles) {
    test(file, () => {
      const { lab } = labOf(file)
      const model = diagramOf(lab)
      const devices = new Set(model.devices.map((d) => d.id))
      for (const { label, trace } of tracesOf(lab)) {
        const placed = placeTrace(model, trace)
        placed.forEach((p, i) => {
          const h = trace.hops[i]!
          expect(
            placementExists(model, p),
            `${label}: hop ${i} ${h.netns} ${h.device ?? ''} ${h.stage}`
          ).toBe(true)
        })
        // A frame in the underlay that carries VXLAN travels in a tunnel the drawing has.
        trace.hops.forEach((h, i) => {
          if (h.stage === 'wire' && placed[i]!.tunnel === undefined) {
            const carried = trace.hops.slice(0, i).findLast((x) => x.after ?? x.before)
            expect(carried?.after?.vxlan ?? carried?.before?.vxlan, `${label}: hop ${i}`).toBeUndefined()
          }
        })

        const { rows } = summariseTrace(trace, model)
        let next = 0
        let packet = 0
        for (const [n, r] of rows.entries()) {
          expect(r.hops[0], `${label}: row ${n} starts where the last ended`).toBe(next)
          expect(r.hops[1]).toBeGreaterThanOrEqual(r.hops[0])
          next = r.hops[1] + 1
          const legs = new Set(trace.hops.slice(r.hops[0], r.hops[1] + 1).map((h) => h.leg))
          expect([...legs], `${label}: row ${n} is one leg`).toEqual([r.leg])
          if (n > 0 && rows[n - 1]!.leg !== r.leg) packet++
          expect(r.packet).toBe(packet)
          expect(devices.has(r.device), `${label}: row ${n} device ${r.device}`).toBe(true)
          expect(placementExists(model, r.at), `${label}: row ${n} at ${JSON.stringify(r.at)}`).toBe(true)
          expect(r.hops[0] <= r.hops[1] && r.hops[1] < trace.hops.length).toBe(true)
        }
        expect(next, `${label}: the rows cover all ${trace.hops.length} hops`).toBe(trace.hops.length)
        // The request's story starts with its sending; every later packet's with its own.
        for (const [n, r] of rows.entries())
          if (n === 0 || rows[n - 1]!.packet !== r.packet)
            expect(['sent', 'dropped'], `${label}: row ${n}`).toContain(r.event.kind)

        for (const leg of new Set(rows.map((r) => r.packet))) {
          const followed = addressesAfterRewrites(rows.filter((r) => r.packet === leg))
          if (followed) expect(followed.told, `${label}: packet ${leg}`).toBe(followed.seen)
        }
      }
    })
  }
})
