import { describe, expect, test } from 'vitest'
import { confirm, trackPacket } from '../../src-main/core/engine/conntrack-track.ts'
import { makePacket, tcpL4 } from '../../src-main/core/engine/packet.ts'
import { advanceClock, sendProbe } from '../../src-main/core/engine/probe.ts'
import { parseIpv4 } from '../../src-main/core/net/ipv4.ts'
import { fixtureLab } from './sim-lab.ts'

/**
 * The kernel keeps a packet's new entry on the unconfirmed list, out of reach of the timers
 * that reap the hash table, until the packet confirms it on leaving (or is freed with it).
 */
describe('an unconfirmed conntrack entry', () => {
  test('survives a timer run that reaps expired entries, and its packet still confirms it', () => {
    const lab = fixtureLab('two-node-vxlan')
    const node = lab.netns.get('node-1')!
    expect(sendProbe(lab, { proto: 'icmp', from: 'node-1', to: '192.168.56.12' }).outcome.kind).toBe('reply')
    const echo = node.conntrack.entries.find((e) => e.proto === 'icmp')!
    expect(echo.expiresAt).toBeGreaterThan(0)

    const syn = makePacket(
      parseIpv4('192.168.56.11')!,
      parseIpv4('192.168.56.12')!,
      64,
      1,
      true,
      0,
      tcpL4(40000, 22, 'S', 1, 0, 64240, []),
      0
    )
    const walking = trackPacket(node, syn)
    if (walking === undefined || walking === 'table-full') throw new Error('no entry for the SYN')
    expect(walking.isNew).toBe(true)

    // The echo's 30 s run out while the SYN is still on its way.
    advanceClock(lab, 31_000)
    expect(node.conntrack.entries).not.toContain(echo)
    expect(node.conntrack.entries).toContain(walking.entry)

    confirm(walking, syn, lab.clock.nowMs)
    expect(walking.entry.expiresAt).toBeGreaterThan(lab.clock.nowMs)
    expect(trackPacket(node, syn)).toMatchObject({ entry: walking.entry, dir: 'orig', isNew: false })
  })
})
