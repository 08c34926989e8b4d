import { describe, expect, test } from 'vitest'
import {
  clonePacket,
  decrementTtl,
  encapsulate,
  icmpL4,
  makePacket,
  quotable,
  setDestination,
  setDestinationPort,
  setEthernet,
  setIcmpId,
  setIcmpMtu,
  setMark,
  setSource,
  setSourcePort,
  setTtlAndDf,
  tcpL4,
  udpL4,
  view,
  type Packet
} from '../../src-main/core/engine/packet.ts'
import { parseIpv4 } from '../../src-main/core/net/ipv4.ts'

const ip = (text: string): number => parseIpv4(text)!

function tcpPacket(): Packet {
  const p = makePacket(
    ip('10.244.0.2'),
    ip('10.96.0.10'),
    64,
    7,
    true,
    0,
    tcpL4(40000, 80, 'S', 1, 0, 64240, []),
    0
  )
  setEthernet(p, { src: 'aa:aa:aa:aa:aa:01', dst: 'aa:aa:aa:aa:aa:02' })
  return p
}

/** The same headers in a packet that was never viewed, so its view owes nothing to a memo. */
function unviewed(p: Packet): Packet {
  const l4 = p.l4
  const fresh = makePacket(
    p.src,
    p.dst,
    p.ttl,
    p.id,
    p.df,
    p.tos,
    l4.kind === 'tcp'
      ? tcpL4(l4.sport, l4.dport, l4.flags, l4.seq, l4.ack, l4.window, l4.options, l4.data)
      : l4.kind === 'udp'
        ? udpL4(l4.sport, l4.dport, l4.dns)
        : icmpL4(l4.type, l4.code, l4.id, l4.seq, l4.quoted && unviewed(l4.quoted)),
    p.payloadLength
  )
  if (l4.kind === 'icmp' && l4.mtu !== undefined) setIcmpMtu(fresh, l4.mtu)
  setEthernet(fresh, p.eth)
  setMark(fresh, p.mark)
  if (p.inner) encapsulate(fresh, unviewed(p.inner), p.vni ?? 0)
  return fresh
}

function expectCurrentView(p: Packet): void {
  expect(view(p)).toStrictEqual(view(unviewed(p)))
}

describe('a packet view follows every header write', () => {
  const writes: [string, (p: Packet) => void][] = [
    ['source address', (p) => setSource(p, ip('172.20.0.3'))],
    ['destination address', (p) => setDestination(p, ip('10.244.1.5'))],
    ['source port', (p) => setSourcePort(p, 51234)],
    ['destination port', (p) => setDestinationPort(p, 8080)],
    ['link headers', (p) => setEthernet(p, { src: 'aa:aa:aa:aa:aa:01', dst: 'bb:bb:bb:bb:bb:02' })],
    ['no link headers', (p) => setEthernet(p, undefined)],
    ['mark', (p) => setMark(p, 0x4000)],
    ['ttl', (p) => decrementTtl(p)],
    ['ttl and df', (p) => setTtlAndDf(p, 1, false)],
    ['vxlan payload', (p) => encapsulate(p, tcpPacket(), 1)]
  ]
  for (const [what, write] of writes) {
    test(`a new ${what} shows in the next view, also of a copy that shares the old one`, () => {
      const p = tcpPacket()
      const before = view(p)
      const copy = clonePacket(p)
      write(copy)
      expect(view(copy)).not.toStrictEqual(before)
      expectCurrentView(copy)
      // The copy's write left the original and its view alone.
      expect(view(p)).toStrictEqual(before)
      expectCurrentView(p)
    })
  }

  test('writing the value a header already has keeps the very same view', () => {
    const p = tcpPacket()
    const before = view(p)
    setSource(p, p.src)
    setDestination(p, p.dst)
    setSourcePort(p, 40000)
    setDestinationPort(p, 80)
    setEthernet(p, { src: 'aa:aa:aa:aa:aa:01', dst: 'aa:aa:aa:aa:aa:02' })
    setMark(p, 0)
    expect(view(p)).toBe(before)
  })

  test('an ICMP error shows rewrites of the datagram it quotes and of its own id and MTU', () => {
    const offending = tcpPacket()
    const error = makePacket(
      ip('10.244.0.1'),
      ip('10.244.0.2'),
      64,
      0,
      false,
      0xc0,
      icmpL4(3, 4, 0, 0, quotable(offending)),
      0
    )
    const before = view(error)
    const quoted = error.l4.kind === 'icmp' ? error.l4.quoted! : offending
    setSource(quoted, ip('10.96.0.10'))
    setSourcePort(quoted, 80)
    expect(view(error)).not.toBe(before)
    expectCurrentView(error)
    setIcmpMtu(error, 1450)
    expectCurrentView(error)
    const echo = makePacket(ip('10.244.0.2'), ip('10.244.1.3'), 64, 1, true, 0, icmpL4(8, 0, 77, 1), 56)
    view(echo)
    setIcmpId(echo, 78)
    expectCurrentView(echo)
  })

  test('a VXLAN datagram shows rewrites of the frame it carries', () => {
    const inner = tcpPacket()
    const outer = makePacket(ip('172.20.0.3'), ip('172.20.0.4'), 64, 9, false, 0, udpL4(33000, 8472), 0)
    encapsulate(outer, inner, 1)
    const before = view(outer)
    decrementTtl(inner)
    expect(view(outer)).not.toBe(before)
    expectCurrentView(outer)
  })

  test('random writes to a packet and its copies always show in their views', () => {
    let seed = 12345
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0
      return seed % n
    }
    const packets = [tcpPacket()]
    for (let step = 0; step < 3000; step++) {
      const p = packets[random(packets.length)]!
      const choice = random(writes.length + 2)
      if (choice === writes.length) {
        if (packets.length < 6) packets.push(clonePacket(p))
      } else if (choice === writes.length + 1) view(p)
      else if (!(writes[choice]![0] === 'vxlan payload' && p.inner)) writes[choice]![1](p)
      if (random(3) === 0) expectCurrentView(packets[random(packets.length)]!)
    }
    for (const p of packets) expectCurrentView(p)
  })
})
