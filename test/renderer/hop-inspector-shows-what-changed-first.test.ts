import { describe, expect, test } from 'vitest'
import { diagramOf } from '../../src-main/core/diagram/model.ts'
import { summariseTrace, type SummaryRow } from '../../src-main/core/diagram/summary.ts'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import type { Hop } from '../../src-main/core/engine/trace.ts'
import {
  changesFirst,
  diffHop,
  diffPackets,
  envelopeOf,
  type HeaderDiffRow
} from '../../src-renderer/src/lib/header-diff.ts'
import { labOf } from '../core/diagram-fixture.ts'

/**
 * The inspector and the screen-reader sentences say what a hop did to the headers, most telling
 * first. Pinned on a cross-node ClusterIP connection, which rewrites, routes and tunnels.
 */

const { lab } = labOf('lessons/00-tour/scenario.yaml')
const trace = sendProbe(lab, { proto: 'tcp', from: 'client', to: '10.96.0.120', port: 80 })
const { rows } = summariseTrace(trace, diagramOf(lab))

const row = (kind: string, leg = 'request'): SummaryRow =>
  rows.find((r) => r.event.kind === kind && r.leg === leg)!
const hop = (stage: Hop['stage'], leg = 'request'): Hop =>
  trace.hops.find((h) => h.stage === stage && h.leg === leg)!
const text = (changed: HeaderDiffRow[]): string[] =>
  changed.map((c) => `${c.key}: ${c.before ?? '—'} → ${c.value} (${c.change})`)
const changesOf = (kind: string, leg?: string): HeaderDiffRow[] => {
  const { before, after } = row(kind, leg).headers
  return changesFirst(diffPackets(before, after)).changed
}

describe('what changed comes first', () => {
  test('DNAT: the destination address and port, every other header unchanged', () => {
    const { before, after } = row('dnat').headers
    const { changed, same } = changesFirst(diffPackets(before, after))
    expect(text(changed)).toEqual([
      'ip.dst: 10.96.0.120 → 10.244.2.2 (changed)',
      'tcp.dport: 80 → 8080 (changed)'
    ])
    expect(same.map((r) => r.key)).toContain('ip.src')
  })

  test('routing: the TTL, then both MACs (a new frame on the next link)', () => {
    const changed = changesOf('routed')
    expect(changed.map((c) => c.key)).toEqual(['ip.ttl', 'eth.src', 'eth.dst'])
    expect(text(changed)[0]).toBe('ip.ttl: 64 → 63 (changed)')
  })

  test("the reply's un-DNAT: the source becomes the Service again", () => {
    expect(text(changesOf('undnat', 'reply').slice(0, 2))).toEqual([
      'ip.src: 10.244.2.2 → 10.96.0.120 (changed)',
      'tcp.sport: 8080 → 80 (changed)'
    ])
  })
})

describe('VXLAN', () => {
  test('encap adds the outer headers; the inner packet is unchanged', () => {
    const { changed, same } = changesFirst(diffHop(hop('vxlan-encap')))
    expect(changed.every((c) => c.layer === 'outer' && c.change === 'added')).toBe(true)
    expect(text(changed)).toContain('outer.udp.dport: — → 8472 (added)')
    expect(changed.map((c) => c.key)).toContain('outer.vxlan.vni')
    expect(same.map((r) => r.key)).toEqual(expect.arrayContaining(['ip.src', 'ip.dst', 'tcp.dport']))
  })

  test('decap removes them again', () => {
    const changed = changesFirst(diffHop(hop('vxlan-decap'))).changed
    expect(changed.length).toBeGreaterThan(0)
    expect(changed.every((c) => c.layer === 'outer' && c.change === 'removed')).toBe(true)
  })

  test('a tunnelled packet stands as two stacks: the envelope, then the pod’s packet', () => {
    const envelope = envelopeOf(hop('vxlan-encap').after)
    expect(envelope?.outer.map((r) => r.field)).toEqual(
      expect.arrayContaining(['ip.src', 'ip.dst', 'udp.dport', 'vxlan.vni'])
    )
    expect(envelope?.inner.find((r) => r.field === 'ip.dst')?.value).toBe('10.244.2.2')
    expect(envelopeOf(hop('vxlan-encap').before)).toBeNull()
  })
})

test('a hop that only looked changed nothing: every header is listed unchanged', () => {
  const looked = trace.hops.find((h) => h.before?.ip !== undefined && h.after === undefined)!
  const { changed, same } = changesFirst(diffHop(looked))
  expect(changed).toEqual([])
  expect(same.length).toBeGreaterThan(0)
})
