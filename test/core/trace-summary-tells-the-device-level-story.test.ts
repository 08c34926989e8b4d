import { describe, expect, test } from 'vitest'
import { diagramOf } from '../../src-main/core/diagram/model.ts'
import { summariseTrace, type TraceSummary } from '../../src-main/core/diagram/summary.ts'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import type { ProbeSpec } from '../../src-main/core/engine/trace.ts'
import { labOf, run, story } from './diagram-fixture.ts'

/**
 * Seventy kernel hops are a device-level story of about a dozen rows: sent, routed (TTL), DNAT,
 * VXLAN encap and decap, bridged, conntrack's un-DNAT of the reply, delivered or dropped. These
 * pin the story of each kind of trace the course teaches.
 */

function summary(file: string, spec: ProbeSpec, before: [string, string][] = []): TraceSummary {
  const { lab, shell } = labOf(file)
  for (const [on, line] of before) run(shell, on, line)
  return summariseTrace(sendProbe(lab, spec), diagramOf(lab))
}

const kinds = (s: TraceSummary, leg: string): string[] =>
  s.rows.filter((r) => r.leg === leg).map((r) => r.event.kind)

describe('pods on one node', () => {
  test('a ping between two pods is bridged by cni0, never routed: TTL stays 64', () => {
    const s = summary('lessons/02-same-node/scenario.yaml', {
      proto: 'icmp',
      from: 'client',
      to: '10.244.1.3'
    })
    expect(story(s)).toMatchInlineSnapshot(`
      [
        "0 request client sent icmp 8/0 10.244.1.2 > 10.244.1.3 ttl 64 @client [0-4]",
        "0 request node-1/cni0 bridged node-1/vethfb6d775a > node-1/veth656a880c fdb hit br_netfilter @node-1/cni0 [5-10]",
        "0 request web-1 delivered stack answers echo-reply @web-1 [11-14]",
        "1 reply web-1 sent icmp 0/0 10.244.1.3 > 10.244.1.2 ttl 64 @web-1 [15-18]",
        "1 reply node-1/cni0 bridged node-1/veth656a880c > node-1/vethfb6d775a fdb hit br_netfilter @node-1/cni0 [19-22]",
        "1 reply client delivered stack @client [23-25]",
      ]
    `)
    expect(s.rows[0]!.arp).toEqual([
      expect.objectContaining({ device: 'client/eth0', ip: '10.244.1.3', answeredBy: 'web-1/eth0' })
    ])
  })

  test('a pod reaching itself through its Service is hairpinned, masqueraded and un-NATed', () => {
    const s = summary('lessons/02-same-node/scenario.yaml', {
      proto: 'tcp',
      from: 'web-1',
      to: '10.96.0.110',
      port: 80
    })
    expect(story(s)).toMatchInlineSnapshot(`
      [
        "0 request web-1 sent tcp S 10.244.1.3:43811 > 10.96.0.110:80 ttl 64 @web-1 [0-4]",
        "0 request node-1 dnat 10.96.0.110:80 > 10.244.1.3:8080 by iptables PREROUTING KUBE-SEP-… @node-1 [5-6]",
        "0 request node-1/cni0 bridged node-1/veth656a880c > node-1/veth656a880c fdb hit br_netfilter @node-1/cni0 [7-7]",
        "0 request node-1 masquerade 10.244.1.3:43811 > 10.244.1.1:44574 by iptables POSTROUTING KUBE-POSTROUTING @node-1 [8-10]",
        "0 request web-1 delivered python3/8080 answers syn-ack @web-1 [11-15]",
        "1 reply web-1 sent tcp S. 10.244.1.3:8080 > 10.244.1.1:44574 ttl 64 @web-1 [16-19]",
        "1 reply node-1/cni0 bridged node-1/veth656a880c > node-1/veth656a880c fdb hit br_netfilter @node-1/cni0 [20-21]",
        "1 reply node-1 unsnat 10.244.1.1:44574 > 10.244.1.3:43811 @node-1 [22-22]",
        "1 reply node-1 undnat 10.244.1.3:8080 > 10.96.0.110:80 @node-1 [23-23]",
        "1 reply web-1 delivered stack @web-1 [24-26]",
      ]
    `)
  })
})

describe('pods on two nodes', () => {
  test('a cross-node ping is routed into flannel.1, wrapped in VXLAN, unwrapped and routed again', () => {
    const s = summary('lessons/03-cross-node-vxlan/scenario.yaml', {
      proto: 'icmp',
      from: 'client',
      to: '10.244.2.2'
    })
    expect(story(s)).toMatchInlineSnapshot(`
      [
        "0 request client sent icmp 8/0 10.244.1.2 > 10.244.2.2 ttl 64 @client [0-4]",
        "0 request node-1 routed node-1/cni0 > node-1/flannel.1 ttl 64>63 @route:node-1/flannel.1 [5-13]",
        "0 request node-1/flannel.1 encap vni 1 192.168.56.11 > 192.168.56.12:8472 @node-1/flannel.1 [14-21]",
        "0 request node-2/flannel.1 decap vni 1 from 192.168.56.11 @node-2/flannel.1 [22-26]",
        "0 request node-2 routed node-2/flannel.1 > node-2/cni0 ttl 63>62 @route:node-2/cni0 [27-36]",
        "0 request web-1 delivered stack answers echo-reply @web-1 [37-40]",
        "1 reply web-1 sent icmp 0/0 10.244.2.2 > 10.244.1.2 ttl 64 @web-1 [41-44]",
        "1 reply node-2 routed node-2/cni0 > node-2/flannel.1 ttl 64>63 @route:node-2/flannel.1 [45-51]",
        "1 reply node-2/flannel.1 encap vni 1 192.168.56.12 > 192.168.56.11:8472 @node-2/flannel.1 [52-59]",
        "1 reply node-1/flannel.1 decap vni 1 from 192.168.56.12 @node-1/flannel.1 [60-64]",
        "1 reply node-1 routed node-1/flannel.1 > node-1/cni0 ttl 63>62 @route:node-1/cni0 [65-72]",
        "1 reply client delivered stack @client [73-75]",
      ]
    `)
    expect(s.rows.length).toBeGreaterThanOrEqual(8)
    expect(s.rows.length).toBeLessThanOrEqual(14)
    expect(s.rows.find((r) => r.event.kind === 'encap')?.at).toEqual({ device: 'node-1/flannel.1' })
  })

  test('with host-gw the same ping is routed out of eth0 to the other node: no tunnel', () => {
    const s = summary('test/fixtures/scenarios/two-node-host-gw.yaml', {
      proto: 'icmp',
      from: 'client',
      to: '10.244.2.2'
    })
    expect(story(s)).toMatchInlineSnapshot(`
      [
        "0 request client sent icmp 8/0 10.244.1.2 > 10.244.2.2 ttl 64 @client [0-4]",
        "0 request node-1 routed node-1/cni0 > node-1/eth0 ttl 64>63 @route:node-1/eth0 [5-14]",
        "0 request node-2 routed node-2/eth0 > node-2/cni0 ttl 63>62 @route:node-2/cni0 [15-24]",
        "0 request web-3 delivered stack answers echo-reply @web-3 [25-28]",
        "1 reply web-3 sent icmp 0/0 10.244.2.2 > 10.244.1.2 ttl 64 @web-3 [29-32]",
        "1 reply node-2 routed node-2/cni0 > node-2/eth0 ttl 64>63 @route:node-2/eth0 [33-40]",
        "1 reply node-1 routed node-1/eth0 > node-1/cni0 ttl 63>62 @route:node-1/cni0 [41-48]",
        "1 reply client delivered stack @client [49-51]",
      ]
    `)
  })
})

describe('Services', () => {
  test('ClusterIP, endpoint on the same node: DNAT in PREROUTING, un-DNAT of the reply by conntrack', () => {
    const s = summary('lessons/04-services-clusterip/scenario.yaml', {
      proto: 'tcp',
      from: 'client',
      to: '10.96.0.110',
      port: 80
    })
    expect(story(s)).toMatchInlineSnapshot(`
      [
        "0 request client sent tcp S 10.244.1.2:49302 > 10.96.0.110:80 ttl 64 @client [0-4]",
        "0 request node-1 dnat 10.96.0.110:80 > 10.244.1.3:8080 by iptables PREROUTING KUBE-SEP-… @node-1 [5-6]",
        "0 request node-1/cni0 bridged node-1/vethfb4ac45c > node-1/veth9dbf23c0 fdb hit br_netfilter @node-1/cni0 [7-11]",
        "0 request web-1 delivered python3/8080 answers syn-ack @web-1 [12-16]",
        "1 reply web-1 sent tcp S. 10.244.1.3:8080 > 10.244.1.2:49302 ttl 64 @web-1 [17-20]",
        "1 reply node-1/cni0 bridged node-1/veth9dbf23c0 > node-1/vethfb4ac45c fdb hit br_netfilter @node-1/cni0 [21-23]",
        "1 reply node-1 undnat 10.244.1.3:8080 > 10.96.0.110:80 @node-1 [24-24]",
        "1 reply client delivered stack @client [25-27]",
      ]
    `)
    expect(kinds(s, 'request')).toContain('dnat')
    expect(kinds(s, 'reply')).toContain('undnat')
  })

  test('ClusterIP, endpoint on the other node: DNAT on the first node, the reply un-DNATed there', () => {
    const s = summary('lessons/00-tour/scenario.yaml', {
      proto: 'tcp',
      from: 'client',
      to: '10.96.0.120',
      port: 80
    })
    expect(story(s)).toMatchInlineSnapshot(`
      [
        "0 request client sent tcp S 10.244.1.2:58453 > 10.96.0.120:80 ttl 64 @client [0-4]",
        "0 request node-1 dnat 10.96.0.120:80 > 10.244.2.2:8080 by iptables PREROUTING KUBE-SEP-… @node-1 [5-6]",
        "0 request node-1 routed node-1/cni0 > node-1/flannel.1 ttl 64>63 @route:node-1/flannel.1 [7-13]",
        "0 request node-1/flannel.1 encap vni 1 192.168.56.11 > 192.168.56.12:8472 @node-1/flannel.1 [14-21]",
        "0 request node-2/flannel.1 decap vni 1 from 192.168.56.11 @node-2/flannel.1 [22-26]",
        "0 request node-2 routed node-2/flannel.1 > node-2/cni0 ttl 63>62 @route:node-2/cni0 [27-36]",
        "0 request web-2 delivered python3/8080 answers syn-ack @web-2 [37-41]",
        "1 reply web-2 sent tcp S. 10.244.2.2:8080 > 10.244.1.2:58453 ttl 64 @web-2 [42-45]",
        "1 reply node-2 routed node-2/cni0 > node-2/flannel.1 ttl 64>63 @route:node-2/flannel.1 [46-52]",
        "1 reply node-2/flannel.1 encap vni 1 192.168.56.12 > 192.168.56.11:8472 @node-2/flannel.1 [53-60]",
        "1 reply node-1/flannel.1 decap vni 1 from 192.168.56.12 @node-1/flannel.1 [61-65]",
        "1 reply node-1 routed node-1/flannel.1 > node-1/cni0 ttl 63>62 @route:node-1/cni0 [66-69]",
        "1 reply node-1 undnat 10.244.2.2:8080 > 10.96.0.120:80 @node-1 [70-73]",
        "1 reply client delivered stack @client [74-76]",
      ]
    `)
    const dnat = s.rows.find((r) => r.event.kind === 'dnat')!
    expect(dnat).toMatchObject({
      leg: 'request',
      device: 'node-1',
      event: {
        from: '10.96.0.120:80',
        to: '10.244.2.2:8080',
        by: 'iptables',
        hook: 'PREROUTING',
        chain: expect.stringMatching(/^KUBE-SEP-/),
        rule: expect.stringContaining('-j DNAT --to-destination 10.244.2.2:8080'),
        ruleId: expect.stringMatching(/^node-1\/iptables\/nat\/KUBE-SEP-/)
      }
    })
    const undnat = s.rows.find((r) => r.event.kind === 'undnat')!
    expect(undnat).toMatchObject({
      leg: 'reply',
      packet: 1,
      device: 'node-1',
      event: { from: '10.244.2.2:8080', to: '10.96.0.120:80', by: 'conntrack' }
    })
    expect(s.rows.length).toBeGreaterThanOrEqual(8)
    expect(s.rows.length).toBeLessThanOrEqual(14)
  })

  test('NodePort, externalTrafficPolicy Cluster: DNAT and MASQUERADE on the node hit, un-SNAT and un-DNAT back', () => {
    const s = summary('lessons/05-from-outside/scenario.yaml', {
      proto: 'tcp',
      from: 'laptop',
      to: '192.168.56.11',
      port: 30080
    })
    expect(story(s)).toMatchInlineSnapshot(`
      [
        "0 request laptop sent tcp S 192.168.56.100:47010 > 192.168.56.11:30080 ttl 64 @laptop [0-4]",
        "0 request node-1 dnat 192.168.56.11:30080 > 10.244.2.2:8080 by iptables PREROUTING KUBE-SEP-… @node-1 [5-6]",
        "0 request node-1 routed node-1/eth0 > node-1/flannel.1 ttl 64>63 @route:node-1/flannel.1 [7-9]",
        "0 request node-1 masquerade 192.168.56.100:47010 > 10.244.1.0:35048 by iptables POSTROUTING KUBE-POSTROUTING @node-1 [10-12]",
        "0 request node-1/flannel.1 encap vni 1 192.168.56.11 > 192.168.56.12:8472 @node-1/flannel.1 [13-20]",
        "0 request node-2/flannel.1 decap vni 1 from 192.168.56.11 @node-2/flannel.1 [21-25]",
        "0 request node-2 routed node-2/flannel.1 > node-2/cni0 ttl 63>62 @route:node-2/cni0 [26-35]",
        "0 request web-1 delivered python3/8080 answers syn-ack @web-1 [36-40]",
        "1 reply web-1 sent tcp S. 10.244.2.2:8080 > 10.244.1.0:35048 ttl 64 @web-1 [41-44]",
        "1 reply node-2 routed node-2/cni0 > node-2/flannel.1 ttl 64>63 @route:node-2/flannel.1 [45-51]",
        "1 reply node-2/flannel.1 encap vni 1 192.168.56.12 > 192.168.56.11:8472 @node-2/flannel.1 [52-59]",
        "1 reply node-1/flannel.1 decap vni 1 from 192.168.56.12 @node-1/flannel.1 [60-64]",
        "1 reply node-1 unsnat 10.244.1.0:35048 > 192.168.56.100:47010 @node-1 [65-66]",
        "1 reply node-1 routed node-1/flannel.1 > node-1/eth0 ttl 63>62 @route:node-1/eth0 [67-68]",
        "1 reply node-1 undnat 10.244.2.2:8080 > 192.168.56.11:30080 @node-1 [69-71]",
        "1 reply laptop delivered stack @laptop [72-74]",
      ]
    `)
  })

  test('NodePort, externalTrafficPolicy Local: dropped on a node without a local endpoint, unmasqueraded where there is one', () => {
    const elsewhere = summary('lessons/05-from-outside/scenario.yaml', {
      proto: 'tcp',
      from: 'laptop',
      to: '192.168.56.11',
      port: 30090
    })
    expect(story(elsewhere)).toMatchInlineSnapshot(`
      [
        "0 request laptop sent tcp S 192.168.56.100:47010 > 192.168.56.11:30090 ttl 64 @laptop [0-4]",
        "0 request node-1 dropped netfilter-drop KUBE-EXTERNAL-SERVICES @node-1 [5-9]",
      ]
    `)
    const local = summary('lessons/05-from-outside/scenario.yaml', {
      proto: 'tcp',
      from: 'laptop',
      to: '192.168.56.12',
      port: 30090
    })
    expect(story(local)).toMatchInlineSnapshot(`
      [
        "0 request laptop sent tcp S 192.168.56.100:47010 > 192.168.56.12:30090 ttl 64 @laptop [0-4]",
        "0 request node-2 dnat 192.168.56.12:30090 > 10.244.2.2:8080 by iptables PREROUTING KUBE-SEP-… @node-2 [5-6]",
        "0 request node-2 routed node-2/eth0 > node-2/cni0 ttl 64>63 @route:node-2/cni0 [7-14]",
        "0 request web-1 delivered python3/8080 answers syn-ack @web-1 [15-19]",
        "1 reply web-1 sent tcp S. 10.244.2.2:8080 > 192.168.56.100:47010 ttl 64 @web-1 [20-23]",
        "1 reply node-2 routed node-2/cni0 > node-2/eth0 ttl 64>63 @route:node-2/eth0 [24-28]",
        "1 reply node-2 undnat 10.244.2.2:8080 > 192.168.56.12:30090 @node-2 [29-31]",
        "1 reply laptop delivered stack @laptop [32-34]",
      ]
    `)
    expect(kinds(local, 'request')).not.toContain('masquerade')
  })

  test('nftables mode: the DNAT is an nftables endpoint chain', () => {
    const s = summary('test/fixtures/scenarios/two-node-nftables.yaml', {
      proto: 'tcp',
      from: 'client',
      to: '10.96.0.100',
      port: 80
    })
    expect(story(s)).toMatchInlineSnapshot(`
      [
        "0 request client sent tcp S 10.244.1.2:43135 > 10.96.0.100:80 ttl 64 @client [0-4]",
        "0 request node-1 dnat 10.96.0.100:80 > 10.244.2.2:8080 by nftables PREROUTING endpoint-AAOQDDFY-default/web/tcp/http__10.244.2.2/8080 @node-1 [5-7]",
        "0 request node-1 routed node-1/cni0 > node-1/flannel.1 ttl 64>63 @route:node-1/flannel.1 [8-16]",
        "0 request node-1/flannel.1 encap vni 1 192.168.56.11 > 192.168.56.12:8472 @node-1/flannel.1 [17-26]",
        "0 request node-2/flannel.1 decap vni 1 from 192.168.56.11 @node-2/flannel.1 [27-32]",
        "0 request node-2 routed node-2/flannel.1 > node-2/cni0 ttl 63>62 @route:node-2/cni0 [33-45]",
        "0 request web-3 delivered python3/8080 answers syn-ack @web-3 [46-50]",
        "1 reply web-3 sent tcp S. 10.244.2.2:8080 > 10.244.1.2:43135 ttl 64 @web-3 [51-54]",
        "1 reply node-2 routed node-2/cni0 > node-2/flannel.1 ttl 64>63 @route:node-2/flannel.1 [55-63]",
        "1 reply node-2/flannel.1 encap vni 1 192.168.56.12 > 192.168.56.11:8472 @node-2/flannel.1 [64-73]",
        "1 reply node-1/flannel.1 decap vni 1 from 192.168.56.12 @node-1/flannel.1 [74-79]",
        "1 reply node-1 routed node-1/flannel.1 > node-1/cni0 ttl 63>62 @route:node-1/cni0 [80-85]",
        "1 reply node-1 undnat 10.244.2.2:8080 > 10.96.0.100:80 @node-1 [86-89]",
        "1 reply client delivered stack @client [90-92]",
      ]
    `)
    expect(s.rows.find((r) => r.event.kind === 'dnat')?.event).toMatchObject({
      by: 'nftables',
      chain: expect.stringMatching(/^endpoint-/),
      rule: expect.stringContaining('dnat to')
    })
  })

  test('IPVS mode: IPVS picks the real server after INPUT, and a Service without one answers port unreachable', () => {
    const s = summary('test/fixtures/scenarios/two-node-ipvs.yaml', {
      proto: 'tcp',
      from: 'client',
      to: '10.96.0.100',
      port: 80
    })
    expect(story(s)).toMatchInlineSnapshot(`
      [
        "0 request client sent tcp S 10.244.1.2:37369 > 10.96.0.100:80 ttl 64 @client [0-4]",
        "0 request node-1 dnat 10.96.0.100:80 > 10.244.1.3:8080 by ipvs @node-1 [5-15]",
        "0 request web-1 delivered python3/8080 answers syn-ack @web-1 [16-20]",
        "1 reply web-1 sent tcp S. 10.244.1.3:8080 > 10.244.1.2:37369 ttl 64 @web-1 [21-24]",
        "1 reply node-1/cni0 bridged node-1/vethd3d3c66e > node-1/vetheb1d87a6 fdb hit br_netfilter @node-1/cni0 [25-27]",
        "1 reply node-1 undnat 10.244.1.3:8080 > 10.96.0.100:80 @node-1 [28-28]",
        "1 reply client delivered stack @client [29-31]",
      ]
    `)
    const empty = summary('test/fixtures/scenarios/two-node-ipvs.yaml', {
      proto: 'tcp',
      from: 'client',
      to: '10.96.0.200',
      port: 80
    })
    expect(story(empty)).toMatchInlineSnapshot(`
      [
        "0 request client sent tcp S 10.244.1.2:37369 > 10.96.0.200:80 ttl 64 @client [0-4]",
        "0 request node-1 no-endpoints 10.96.0.200:80 @node-1 [5-10]",
        "1 error node-1 sent icmp 3/3 10.96.0.200 > 10.244.1.2 ttl 64 @node-1 [11-16]",
        "1 error client delivered stack @client [17-19]",
      ]
    `)
  })
})

describe('broken labs', () => {
  test("the tour's broken bridge: with cni0 down, client's ARP for web-1 gets no answer", () => {
    const s = summary('lessons/00-tour/scenario.yaml', { proto: 'icmp', from: 'client', to: '10.244.1.3' }, [
      ['node-1', 'ip link set cni0 down']
    ])
    expect(story(s)).toMatchInlineSnapshot(`
      [
        "0 request client sent icmp 8/0 10.244.1.2 > 10.244.1.3 ttl 64 @client [0-0]",
        "0 request client/eth0 dropped neigh-failed @client/eth0 [1-2]",
      ]
    `)
    expect(s.rows.at(-1)?.event).toEqual({ kind: 'dropped', reason: 'neigh-failed' })
  })

  test('bridge-nf-call-iptables=0: the reply is bridged past conntrack, never un-DNATed, and the client resets it', () => {
    const s = summary('lessons/07-lab-bridge-nf/scenario.yaml', {
      proto: 'tcp',
      from: 'client',
      to: '10.96.0.100',
      port: 80
    })
    expect(story(s)).toMatchInlineSnapshot(`
      [
        "0 request client sent tcp S 10.244.1.2:49656 > 10.96.0.100:80 ttl 64 @client [0-4]",
        "0 request node-1 dnat 10.96.0.100:80 > 10.244.1.3:8080 by iptables PREROUTING KUBE-SEP-… @node-1 [5-7]",
        "0 request node-1 routed node-1/cni0 > node-1/cni0 ttl 64>63 @route:node-1/cni0 [8-15]",
        "0 request web-1 delivered python3/8080 answers syn-ack @web-1 [16-20]",
        "1 reply web-1 sent tcp S. 10.244.1.3:8080 > 10.244.1.2:49656 ttl 64 @web-1 [21-24]",
        "1 reply node-1/cni0 bridged node-1/veth69904a86 > node-1/veth560bafeb fdb hit @node-1/cni0 [25-27]",
        "1 reply client delivered stack @client [28-30]",
        "1 reply client dropped no-socket @client [31-31]",
        "2 request client sent tcp R 10.244.1.2:49656 > 10.244.1.3:8080 ttl 64 @client [32-35]",
        "2 request node-1/cni0 bridged node-1/veth560bafeb > node-1/veth69904a86 fdb hit @node-1/cni0 [36-38]",
        "2 request web-1 delivered stack @web-1 [39-41]",
      ]
    `)
    expect(kinds(s, 'reply')).not.toContain('undnat')
  })

  test('a Service without endpoints: REJECT in KUBE-SERVICES, then the ICMP error back', () => {
    const s = summary('lessons/08-lab-no-endpoints/scenario.yaml', {
      proto: 'tcp',
      from: 'client',
      to: '10.96.0.100',
      port: 80
    })
    expect(story(s)).toMatchInlineSnapshot(`
      [
        "0 request client sent tcp S 10.244.1.2:36802 > 10.96.0.100:80 ttl 64 @client [0-4]",
        "0 request node-1 dropped netfilter-reject KUBE-SERVICES @node-1 [5-10]",
        "1 error node-1 sent icmp 3/3 10.244.1.1 > 10.244.1.2 ttl 64 @node-1 [11-16]",
        "1 error client delivered stack @client [17-19]",
      ]
    `)
  })
})
