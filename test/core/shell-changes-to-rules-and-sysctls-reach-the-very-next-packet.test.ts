import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import type { NetfilterDetail, Trace } from '../../src-main/core/engine/trace.ts'
import { formatIpv4 } from '../../src-main/core/net/ipv4.ts'
import type { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * The walk keeps lookups cheap (chains looked up once per hook, kube-proxy's shared chains
 * searched before a node's own, sysctl names built once): none of that may hide a change made
 * from a shell from the packet sent right after it.
 */
function netfilterHops(t: Trace): { netns: string; detail: NetfilterDetail }[] {
  return t.hops.flatMap((h) =>
    h.stage === 'netfilter' ? [{ netns: h.netns, detail: h.detail as NetfilterDetail }] : []
  )
}

/** Runs each line on `node`, as a learner would one after another, each of which must succeed. */
function change(s: LabShell, node: string, ...lines: string[]): void {
  for (const line of lines) expect(run(s, node, line).exitCode, line).toBe(0)
}

/** A ping from the client pod to the pod on node-2. */
const pingAcross = (s: LabShell): Trace =>
  sendProbe(s.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2' })

/** The packet went unanswered, dropped by a rule in node-1's netfilter. */
function expectDroppedInNode1(t: Trace): void {
  expect(t.outcome).toEqual({ kind: 'no-reply' })
  expect(t.hops.at(-1)).toMatchObject({ netns: 'node-1', drop: 'netfilter-drop' })
}

describe('a change made through the shell is seen by the next packet', () => {
  test('a chain a learner adds under kube-proxy’s prefix, and removes again', () => {
    const s = labShell()
    expect(pingAcross(s).outcome.kind).toBe('reply')
    change(
      s,
      'node-1',
      'iptables -N KUBE-LAB-DROP',
      'iptables -A KUBE-LAB-DROP -p icmp -j DROP',
      'iptables -I FORWARD -j KUBE-LAB-DROP'
    )
    expectDroppedInNode1(pingAcross(s))
    change(s, 'node-1', 'iptables -D FORWARD -j KUBE-LAB-DROP')
    expect(pingAcross(s).outcome.kind).toBe('reply')
  })

  test('a rule in a built-in chain that had none, and the policy of a chain emptied', () => {
    const s = labShell()
    change(s, 'node-2', 'iptables -t mangle -A PREROUTING -p icmp -j MARK --set-mark 0x7')
    const marked = pingAcross(s)
    expect(marked.outcome.kind).toBe('reply')
    expect(
      marked.hops.some((h) => h.netns === 'node-2' && h.stage === 'netfilter' && h.after?.mark === 7)
    ).toBe(true)
    change(s, 'node-2', 'iptables -F FORWARD', 'iptables -P FORWARD DROP')
    expect(pingAcross(s).outcome).toEqual({ kind: 'no-reply' })
    change(s, 'node-2', 'iptables -P FORWARD ACCEPT')
    expect(pingAcross(s).outcome.kind).toBe('reply')
  })

  test('a built-in chain a table did not have, brought into being by a rule and emptied again', () => {
    const s = labShell()
    expect(pingAcross(s).outcome.kind).toBe('reply')
    change(s, 'node-1', 'iptables -t mangle -A FORWARD -p icmp -j DROP')
    expectDroppedInNode1(pingAcross(s))
    change(s, 'node-1', 'iptables -t mangle -F FORWARD')
    expect(pingAcross(s).outcome.kind).toBe('reply')
  })

  test('a rule put into a chain kube-proxy shares between nodes, which every jump to it then finds', () => {
    const s = labShell()
    const connect = () => sendProbe(s.lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 })
    expect(connect().outcome.kind).toBe('reply')
    change(s, 'node-1', 'iptables -I KUBE-FORWARD -p tcp -j DROP')
    expectDroppedInNode1(connect())
    change(s, 'node-1', 'iptables -D KUBE-FORWARD -p tcp -j DROP')
    expect(connect().outcome.kind).toBe('reply')
  })

  test('a rule inserted and deleted by number: the next packet meets, and numbers, the rule now at each position', () => {
    const s = labShell()
    const forwardHits = (t: Trace) =>
      netfilterHops(t)
        .filter((h) => h.netns === 'node-1' && h.detail.hook === 'FORWARD')
        .flatMap((h) => h.detail.hits)
    const first = forwardHits(pingAcross(s))
    expect(first.length).toBeGreaterThan(0)
    change(s, 'node-1', 'iptables -I FORWARD 1 -p icmp -j DROP')
    const dropped = pingAcross(s)
    expect(dropped.outcome).toEqual({ kind: 'no-reply' })
    expect(forwardHits(dropped)).toEqual([
      expect.objectContaining({
        rule: 1,
        text: '-A FORWARD -p icmp -j DROP',
        id: 'node-1/iptables/filter/FORWARD/1'
      })
    ])
    change(s, 'node-1', 'iptables -D FORWARD 1')
    const again = pingAcross(s)
    expect(again.outcome.kind).toBe('reply')
    expect(forwardHits(again)).toEqual(first)
    change(s, 'node-1', 'iptables -I FORWARD 1 -p tcp -j DROP')
    const shifted = pingAcross(s)
    expect(shifted.outcome.kind).toBe('reply')
    // Only FORWARD's own rules move down; the chains it jumps to keep their numbers.
    expect(forwardHits(shifted).map((h) => h.rule)).toEqual(
      first.map((h) => (h.chain === 'FORWARD' && h.rule !== 0 ? h.rule + 1 : h.rule))
    )
  })

  test('a rule of a chain kube-proxy shares between nodes is reported with the node whose packet it matched', () => {
    const s = labShell()
    const trace = sendProbe(s.lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 })
    const shared = netfilterHops(trace).flatMap((h) => h.detail.hits.map((hit) => ({ netns: h.netns, hit })))
    const nodes = new Set(shared.filter((x) => x.hit.chain.startsWith('KUBE-')).map((x) => x.netns))
    expect(nodes).toEqual(new Set(['node-1', 'node-2']))
    for (const { netns, hit } of shared) expect(hit.id.startsWith(`${netns}/`)).toBe(true)
  })

  test('a network policy changed with kubectl, whose rewritten chains the same jumps lead to', () => {
    const s = labShell('two-node-kube-router-netpol')
    const web = formatIpv4(s.lab.pods.find((p) => p.name === 'web-1')!.ip)
    const connect = (from: string) => sendProbe(s.lab, { proto: 'tcp', from, to: web, port: 8080 })
    expect(connect('client').outcome.kind).toBe('reply')
    expect(connect('stranger').outcome.kind).not.toBe('reply')
    change(s, 'node-1', 'kubectl label pod stranger role=client --overwrite')
    expect(connect('stranger').outcome.kind).toBe('reply')
    change(
      s,
      'node-1',
      'kubectl delete networkpolicy web-from-clients',
      'kubectl label pod stranger role=stranger --overwrite'
    )
    expect(connect('stranger').outcome.kind).toBe('reply')
  })

  test('forwarding switched off and on for one interface with sysctl', () => {
    const s = labShell()
    change(s, 'node-2', 'sysctl -w net.ipv4.conf.flannel/1.forwarding=0')
    const off = pingAcross(s)
    expect(off.hops.at(-1)).toMatchObject({ netns: 'node-2', drop: 'ip-forward-disabled' })
    change(s, 'node-2', 'sysctl -w net.ipv4.conf.flannel/1.forwarding=1')
    expect(pingAcross(s).outcome.kind).toBe('reply')
  })
})
