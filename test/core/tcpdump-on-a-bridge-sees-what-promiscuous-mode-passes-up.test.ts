import { describe, expect, test } from 'vitest'
import type { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'

/**
 * Expected outputs were captured from real namespaces (a bridge cni0 with 10.244.1.1/24 and two
 * pods on veth ports; Linux 6.18, tcpdump 4.99.3) with the traffic run while tcpdump listened.
 * Only what is random by nature is a placeholder: timestamps, ICMP ids, MACs and veth names.
 */
const scenario = `
formatVersion: 1
id: promisc
nodes: [{ name: node-1, ip: 192.168.56.11, podCIDR: 10.244.1.0/24 }]
pods:
  - { name: a, node: node-1, ip: 10.244.1.2, containers: [{ name: c, app: sleep }] }
  - { name: b, node: node-1, ip: 10.244.1.3, containers: [{ name: c, app: sleep }] }
`

const STATS2 = '2 packets captured\n2 packets received by filter\n0 packets dropped by kernel\n'
const banner = (iface: string): string =>
  `tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on ${iface}, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n`

interface Names {
  macA: string
  macB: string
  vethA: string
  vethB: string
}

function names(shell: LabShell): Names {
  const mac = (on: string, dev: string): string =>
    /link\/ether (\S+)/.exec(run(shell, on, `ip link show ${dev}`).stdout)![1]!
  const pods = shell.lab.pods
  return {
    macA: mac('a', 'eth0'),
    macB: mac('b', 'eth0'),
    vethA: pods.find((p) => p.name === 'a')!.hostVeth!,
    vethB: pods.find((p) => p.name === 'b')!.hostVeth!
  }
}

/** Timestamps and ICMP ids are the only fields masked. */
const mask = (text: string): string =>
  text.replace(/^\d\d:\d\d:\d\d\.\d{6}/gm, '<ts>').replace(/, id \d+, /g, ', id <id>, ')

function capture(
  on: string,
  tcpdump: string,
  traffic: { on: string; run: string }
): { stdout: string; stderr: string } {
  const shell = labShellFromYaml(scenario)
  expect(run(shell, traffic.on, traffic.run).exitCode).toBe(0)
  const r = run(shell, on, tcpdump)
  return { stdout: mask(r.stdout), stderr: r.stderr }
}

describe('tcpdump on cni0 puts the bridge in promiscuous mode', () => {
  test('frames bridged between two pods are captured on cni0', () => {
    const shell = labShellFromYaml(scenario)
    const n = names(shell)
    run(shell, 'a', 'ping -c 1 10.244.1.3')
    const r = run(shell, 'node-1', 'tcpdump -nn -e -i cni0 -c 2 icmp')
    expect(mask(r.stdout)).toBe(
      `<ts> ${n.macA} > ${n.macB}, ethertype IPv4 (0x0800), length 98: 10.244.1.2 > 10.244.1.3: ICMP echo request, id <id>, seq 1, length 64\n` +
        `<ts> ${n.macB} > ${n.macA}, ethertype IPv4 (0x0800), length 98: 10.244.1.3 > 10.244.1.2: ICMP echo reply, id <id>, seq 1, length 64\n`
    )
    expect(r.stderr).toBe(banner('cni0') + STATS2)
  })

  test('with -p (no promiscuous mode) the bridge sees none of them', () => {
    const r = capture('node-1', 'tcpdump -p -nn -e -i cni0 -c 2 icmp', {
      on: 'a',
      run: 'ping -c 1 10.244.1.3'
    })
    expect(r.stdout).toBe('\n')
    expect(r.stderr).toBe(
      banner('cni0') + '0 packets captured\n0 packets received by filter\n0 packets dropped by kernel\n'
    )
  })

  test('-i any sets no promiscuous mode: the ports show the frames, arriving ones as P (other host)', () => {
    const shell = labShellFromYaml(scenario)
    const n = names(shell)
    run(shell, 'a', 'ping -c 1 10.244.1.3')
    const r = run(shell, 'node-1', 'tcpdump -nn -i any -c 6 icmp')
    expect(mask(r.stdout)).toBe(
      `<ts> ${n.vethA} P   IP 10.244.1.2 > 10.244.1.3: ICMP echo request, id <id>, seq 1, length 64\n` +
        `<ts> ${n.vethB} Out IP 10.244.1.2 > 10.244.1.3: ICMP echo request, id <id>, seq 1, length 64\n` +
        `<ts> ${n.vethB} P   IP 10.244.1.3 > 10.244.1.2: ICMP echo reply, id <id>, seq 1, length 64\n` +
        `<ts> ${n.vethA} Out IP 10.244.1.3 > 10.244.1.2: ICMP echo reply, id <id>, seq 1, length 64\n\n`
    )
    expect(r.stderr).toBe(
      'tcpdump: data link type LINUX_SLL2\ntcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n4 packets captured\n4 packets received by filter\n0 packets dropped by kernel\n'
    )
  })

  test("a pod's veth shows only that pod's frames", () => {
    const shell = labShellFromYaml(scenario)
    const n = names(shell)
    run(shell, 'a', 'ping -c 1 10.244.1.3')
    const r = run(shell, 'node-1', `tcpdump -nn -e -i ${n.vethA} -c 2 icmp`)
    expect(mask(r.stdout)).toBe(
      `<ts> ${n.macA} > ${n.macB}, ethertype IPv4 (0x0800), length 98: 10.244.1.2 > 10.244.1.3: ICMP echo request, id <id>, seq 1, length 64\n` +
        `<ts> ${n.macB} > ${n.macA}, ethertype IPv4 (0x0800), length 98: 10.244.1.3 > 10.244.1.2: ICMP echo reply, id <id>, seq 1, length 64\n`
    )
    expect(r.stderr).toBe(banner(n.vethA) + STATS2)
  })

  test("the node's own ping to a pod: request out of cni0 and the reply into it", () => {
    const shell = labShellFromYaml(scenario)
    run(shell, 'node-1', 'ping -c 1 10.244.1.3')
    const r = run(shell, 'node-1', 'tcpdump -nn -i cni0 -c 2 icmp')
    expect(mask(r.stdout)).toBe(
      '<ts> IP 10.244.1.1 > 10.244.1.3: ICMP echo request, id <id>, seq 1, length 64\n' +
        '<ts> IP 10.244.1.3 > 10.244.1.1: ICMP echo reply, id <id>, seq 1, length 64\n'
    )
    expect(r.stderr).toBe(banner('cni0') + STATS2)
  })

  test('frames a bridge only forwards do not count in its own RX counters', () => {
    const shell = labShellFromYaml(scenario)
    // The first ping's ARP request is a broadcast, which the bridge's host receives.
    run(shell, 'a', 'ping -c 1 10.244.1.3')
    const before = run(shell, 'node-1', 'ip -s link show cni0').stdout
    run(shell, 'a', 'ping -c 1 10.244.1.3')
    expect(run(shell, 'node-1', 'ip -s link show cni0').stdout).toBe(before)
  })
})
