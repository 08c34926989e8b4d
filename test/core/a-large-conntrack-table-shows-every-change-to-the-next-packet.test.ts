import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import type { NetfilterDetail, Trace } from '../../src-main/core/engine/trace.ts'
import { INDEXED_TABLE_SIZE } from '../../src-main/core/linux/conntrack.ts'
import type { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * A conntrack table of more than a few dozen entries is searched through an index rather than
 * entry by entry, and asked through it whether anything expired or stayed unconfirmed: whatever
 * a learner does to the table, or lets the clock do, the very next packet must see it.
 */
function echo(s: LabShell, id: number): Trace {
  return sendProbe(s.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2', icmpId: id })
}

/** The conntrack state node-1's FORWARD chain saw the echo request in. */
function forwardState(trace: Trace): string | undefined {
  const hop = trace.hops.find(
    (h) =>
      h.leg === 'request' &&
      h.netns === 'node-1' &&
      h.stage === 'netfilter' &&
      (h.detail as NetfilterDetail).hook === 'FORWARD'
  )
  return (hop?.detail as NetfilterDetail | undefined)?.ctstate
}

/** Fills node-1's table past the size from which it is indexed, one echo id per entry. */
function fill(s: LabShell, from: number): void {
  for (let id = from; id < from + INDEXED_TABLE_SIZE + 8; id++) expect(echo(s, id).outcome.kind).toBe('reply')
  expect(s.lab.netns.get('node-1')!.conntrack.entries.length).toBeGreaterThan(INDEXED_TABLE_SIZE)
}

describe('a large conntrack table', () => {
  test('finds a flow it holds, and forgets it at conntrack -F and -D', () => {
    const s = labShell()
    fill(s, 1)
    expect(forwardState(echo(s, 7))).toBe('ESTABLISHED')
    run(s, 'node-1', 'conntrack -F')
    expect(forwardState(echo(s, 7))).toBe('NEW')
    fill(s, 100)
    expect(forwardState(echo(s, 107))).toBe('ESTABLISHED')
    expect(run(s, 'node-1', 'conntrack -D -p icmp').exitCode).toBe(0)
    expect(forwardState(echo(s, 107))).toBe('NEW')
  })

  test('lets entries expire when sleep moves the clock past their timeout', () => {
    const s = labShell()
    fill(s, 1)
    expect(forwardState(echo(s, 3))).toBe('ESTABLISHED')
    run(s, 'client', 'sleep 29')
    expect(forwardState(echo(s, 3))).toBe('ESTABLISHED')
    // Echo 3 was just refreshed; echo 4 was last seen before the first sleep.
    run(s, 'client', 'sleep 2')
    expect(forwardState(echo(s, 4))).toBe('NEW')
    expect(forwardState(echo(s, 3))).toBe('ESTABLISHED')
  })

  test('frees the entry of a packet a new rule dropped, and lets the next one through once it is gone', () => {
    const s = labShell()
    fill(s, 1)
    const node = s.lab.netns.get('node-1')!
    const before = node.conntrack.entries.length
    run(s, 'node-1', 'iptables -I FORWARD -p icmp --icmp-type echo-request -j DROP')
    expect(echo(s, 500).outcome).toEqual({ kind: 'no-reply' })
    expect(node.conntrack.entries.length).toBe(before)
    expect(node.conntrack.entries.some((e) => e.expiresAt === -1)).toBe(false)
    run(s, 'node-1', 'iptables -D FORWARD -p icmp --icmp-type echo-request -j DROP')
    const through = echo(s, 500)
    expect(through.outcome.kind).toBe('reply')
    expect(forwardState(through)).toBe('NEW')
  })

  test('un-DNATs the replies of a Service it holds many connections for', () => {
    const s = labShell()
    for (let i = 0; i < INDEXED_TABLE_SIZE * 3; i++) {
      const trace = sendProbe(s.lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 })
      expect(trace.outcome).toMatchObject({ kind: 'reply', from: '10.96.0.100' })
    }
    expect(s.lab.netns.get('node-1')!.conntrack.entries.length).toBeGreaterThan(INDEXED_TABLE_SIZE)
  })
})
