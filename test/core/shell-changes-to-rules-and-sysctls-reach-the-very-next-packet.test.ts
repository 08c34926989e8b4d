import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import type { NetfilterDetail, Trace } from '../../src-main/core/engine/trace.ts'
import { formatIpv4 } from '../../src-main/core/net/ipv4.ts'
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

describe('a change made through the shell is seen by the next packet', () => {
  test('a chain a learner adds under kube-proxy’s prefix, and removes again', () => {
    const s = labShell()
    const ping = () => sendProbe(s.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2' })
    expect(ping().outcome.kind).toBe('reply')
    run(s, 'node-1', 'iptables -N KUBE-LAB-DROP')
    run(s, 'node-1', 'iptables -A KUBE-LAB-DROP -p icmp -j DROP')
    run(s, 'node-1', 'iptables -I FORWARD -j KUBE-LAB-DROP')
    const dropped = ping()
    expect(dropped.outcome).toEqual({ kind: 'no-reply' })
    expect(dropped.hops.at(-1)).toMatchObject({ netns: 'node-1', drop: 'netfilter-drop' })
    run(s, 'node-1', 'iptables -D FORWARD -j KUBE-LAB-DROP')
    expect(ping().outcome.kind).toBe('reply')
  })

  test('a rule in a built-in chain that had none, and the policy of a chain emptied', () => {
    const s = labShell()
    const ping = () => sendProbe(s.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2' })
    run(s, 'node-2', 'iptables -t mangle -A PREROUTING -p icmp -j MARK --set-mark 0x7')
    const marked = ping()
    expect(marked.outcome.kind).toBe('reply')
    expect(
      marked.hops.some((h) => h.netns === 'node-2' && h.stage === 'netfilter' && h.after?.mark === 7)
    ).toBe(true)
    run(s, 'node-2', 'iptables -F FORWARD')
    run(s, 'node-2', 'iptables -P FORWARD DROP')
    expect(ping().outcome).toEqual({ kind: 'no-reply' })
    run(s, 'node-2', 'iptables -P FORWARD ACCEPT')
    expect(ping().outcome.kind).toBe('reply')
  })

  test('a built-in chain a table did not have, brought into being by a rule and emptied again', () => {
    const s = labShell()
    const ping = () => sendProbe(s.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2' })
    expect(ping().outcome.kind).toBe('reply')
    run(s, 'node-1', 'iptables -t mangle -A FORWARD -p icmp -j DROP')
    const dropped = ping()
    expect(dropped.outcome).toEqual({ kind: 'no-reply' })
    expect(dropped.hops.at(-1)).toMatchObject({ netns: 'node-1', drop: 'netfilter-drop' })
    run(s, 'node-1', 'iptables -t mangle -F FORWARD')
    expect(ping().outcome.kind).toBe('reply')
  })

  test('a rule put into a chain kube-proxy shares between nodes, which every jump to it then finds', () => {
    const s = labShell()
    const connect = () => sendProbe(s.lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 })
    expect(connect().outcome.kind).toBe('reply')
    run(s, 'node-1', 'iptables -I KUBE-FORWARD -p tcp -j DROP')
    const dropped = connect()
    expect(dropped.outcome).toEqual({ kind: 'no-reply' })
    expect(dropped.hops.at(-1)).toMatchObject({ netns: 'node-1', drop: 'netfilter-drop' })
    run(s, 'node-1', 'iptables -D KUBE-FORWARD -p tcp -j DROP')
    expect(connect().outcome.kind).toBe('reply')
  })

  test('a rule inserted and deleted by number: the next packet meets, and numbers, the rule now at each position', () => {
    const s = labShell()
    const ping = () => sendProbe(s.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2' })
    const forwardHits = (t: Trace) =>
      netfilterHops(t)
        .filter((h) => h.netns === 'node-1' && h.detail.hook === 'FORWARD')
        .flatMap((h) => h.detail.hits)
    const first = forwardHits(ping())
    expect(first.length).toBeGreaterThan(0)
    run(s, 'node-1', 'iptables -I FORWARD 1 -p icmp -j DROP')
    const dropped = ping()
    expect(dropped.outcome).toEqual({ kind: 'no-reply' })
    expect(forwardHits(dropped)).toEqual([
      expect.objectContaining({
        rule: 1,
        text: '-A FORWARD -p icmp -j DROP',
        id: 'node-1/iptables/filter/FORWARD/1'
      })
    ])
    run(s, 'node-1', 'iptables -D FORWARD 1')
    const again = ping()
    expect(again.outcome.kind).toBe('reply')
    expect(forwardHits(again)).toEqual(first)
    run(s, 'node-1', 'iptables -I FORWARD 1 -p tcp -j DROP')
    const shifted = ping()
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
    run(s, 'node-1', 'kubectl label pod stranger role=client --overwrite')
    expect(connect('stranger').outcome.kind).toBe('reply')
    run(s, 'node-1', 'kubectl delete networkpolicy web-from-clients')
    run(s, 'node-1', 'kubectl label pod stranger role=stranger --overwrite')
    expect(connect('stranger').outcome.kind).toBe('reply')
  })

  test('forwarding switched off and on for one interface with sysctl', () => {
    const s = labShell()
    const ping = () => sendProbe(s.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2' })
    run(s, 'node-2', 'sysctl -w net.ipv4.conf.flannel/1.forwarding=0')
    const off = ping()
    expect(off.hops.at(-1)).toMatchObject({ netns: 'node-2', drop: 'ip-forward-disabled' })
    run(s, 'node-2', 'sysctl -w net.ipv4.conf.flannel/1.forwarding=1')
    expect(ping().outcome.kind).toBe('reply')
  })
})
