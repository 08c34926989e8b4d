import { expect, test } from 'vitest'
import { advanceClock, sendProbe } from '../../src-main/core/engine/probe.ts'
import type { Lab } from '../../src-main/core/kube/lab.ts'
import type { CtEntry } from '../../src-main/core/linux/conntrack.ts'
import type { Trace } from '../../src-main/core/engine/trace.ts'
import { fixtureLab } from './sim-lab.ts'

const PORT = 40001

/** Every namespace's TCP entries of the client's connection from PORT, whatever NAT made of it. */
function entriesOf(lab: Lab): { ns: string; entry: CtEntry }[] {
  return [...lab.netns.values()].flatMap((ns) =>
    ns.conntrack.entries
      .filter((e) => e.proto === 'tcp' && (e.original.sport === PORT || e.reply.dport === PORT))
      .map((entry) => ({ ns: ns.id, entry }))
  )
}

/** A SYN from the client's port `sourcePort` to the ClusterIP, which answers with a SYN-ACK. */
function synFrom(lab: Lab, sourcePort: number): Trace {
  return sendProbe(lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80, sourcePort })
}

/** Each entry is the closed connection iptables keeps for two minutes after `closedAt`. */
function expectTimeWaitSince(entries: { entry: CtEntry }[], closedAt: number): void {
  for (const { entry } of entries)
    expect(entry).toMatchObject({ tcpState: 'TIME_WAIT', assured: true, expiresAt: closedAt + 120_000 })
}

test('a SYN-only probe leaves its connection in TIME_WAIT in every namespace it crossed, and the next SYN from its port finds it closed', () => {
  const lab = fixtureLab('two-node-vxlan')
  const first = synFrom(lab, PORT)
  expect(first.outcome).toMatchObject({ kind: 'reply', from: '10.96.0.100' })
  const crossed = entriesOf(lab)
  // The client's own namespace, both nodes when the backend is on the other one, the backend's.
  expect(crossed.length).toBeGreaterThanOrEqual(3)
  const closedAt = lab.clock.nowMs
  expectTimeWaitSince(crossed, closedAt)

  // A new connection from another port leaves this one as it was.
  advanceClock(lab, 5_000)
  synFrom(lab, PORT + 1)
  for (const { entry } of entriesOf(lab)) expect(entry.expiresAt).toBe(closedAt + 120_000)

  // The same port again: each namespace reopens its one closed entry, and closes it once more.
  advanceClock(lab, 5_000)
  const again = synFrom(lab, PORT)
  expect(again.outcome).toMatchObject({ kind: 'reply', from: '10.96.0.100' })
  const reopened = entriesOf(lab)
  expect(reopened.map((r) => r.ns).sort()).toEqual(crossed.map((r) => r.ns).sort())
  expectTimeWaitSince(reopened, lab.clock.nowMs)
})
