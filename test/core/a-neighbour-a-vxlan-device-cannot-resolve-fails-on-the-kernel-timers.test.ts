import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * Lesson 03's wrong attempt, `ip neigh del 10.244.2.0 dev flannel.1` on node-1, as Linux 6.18
 * does it (test/conformance/a-neighbour-a-vxlan-device-cannot-resolve-fails-on-the-kernel-timers):
 * the next packet sends ARP requests out of flannel.1, which has no FDB entry for the broadcast
 * MAC, so vxlan_xmit drops each one and counts it; the entry fails a second after the third.
 */

const DELETE = 'ip neigh del 10.244.2.0 dev flannel.1'
const txRow = (stats: string): string => stats.split('\n')[5]!.trim()

test('an ARP probe through a VXLAN device without a broadcast FDB entry is dropped and counted, and the entry fails after three probes', () => {
  const s = labShell()
  expect(run(s, 'node-1', DELETE).exitCode).toBe(0)
  const start = s.lab.clock.nowMs
  const ping = run(s, 'client', 'ping -c 2 -W 5 10.244.2.2')
  expect(ping.exitCode).toBe(1)
  expect(ping.stdout).toMatch(
    new RegExp(
      '^PING 10\\.244\\.2\\.2 \\(10\\.244\\.2\\.2\\) 56\\(84\\) bytes of data\\.\n' +
        'From 10\\.244\\.1\\.1 icmp_seq=1 Destination Host Unreachable\n' +
        'From 10\\.244\\.1\\.1 icmp_seq=2 Destination Host Unreachable\n' +
        '\n--- 10\\.244\\.2\\.2 ping statistics ---\n' +
        '2 packets transmitted, 0 received, \\+2 errors, 100% packet loss, time \\d+ms\n' +
        // Both echoes waited in the entry's queue and got their errors when it failed.
        'pipe 2\n$'
    )
  )
  expect(s.lab.clock.nowMs - start).toBeGreaterThanOrEqual(3000)
  const capture = run(s, 'node-1', 'tcpdump -nn -ttt -i flannel.1 -c 3 arp').stdout
  const request = 'ARP, Request who-has 10.244.2.0 tell 10.244.1.0, length 28'
  expect(capture).toBe(
    [' 00:00:00.000000', ' 00:00:01.000000', ' 00:00:01.000000'].map((t) => `${t} ${request}\n`).join('')
  )
  // Three requests, none of them sent.
  expect(txRow(run(s, 'node-1', 'ip -s link show flannel.1').stdout)).toBe(
    '0       0      0       3       0       0'
  )
  expect(run(s, 'node-1', 'ip neigh show dev flannel.1').stdout).toBe('10.244.2.0 FAILED \n')
})

test('the entry reads INCOMPLETE while its requests go unanswered, and ip monitor neigh prints only the FAILED, when it comes', () => {
  const s = labShell()
  const monitor = s.liveTerminal('node-1', { schedule: () => () => undefined })!
  expect(monitor.run('ip monitor neigh').running).toBe(true)
  run(s, 'node-1', DELETE)
  monitor.settle()
  const events = (): string[] =>
    monitor
      .settle()
      .chunks.map((c) => c.text)
      .join('')
      .split('\n')
      .filter((l) => l.includes('flannel.1'))
  // -W 1: ping gives up a second in, two before the resolution does.
  expect(run(s, 'client', 'ping -c 1 -W 1 10.244.2.2').stdout).toContain(
    '1 packets transmitted, 0 received, 100% packet loss'
  )
  expect(run(s, 'node-1', 'ip neigh show dev flannel.1').stdout).toBe('10.244.2.0 INCOMPLETE \n')
  expect(events()).toEqual([])
  run(s, 'node-1', 'sleep 2.1')
  expect(run(s, 'node-1', 'ip neigh show dev flannel.1').stdout).toBe('10.244.2.0 FAILED \n')
  expect(events()).toEqual(['10.244.2.0 dev flannel.1 FAILED '])
})

test('a frame a VXLAN device has no FDB entry for is counted as a TX drop, not as sent', () => {
  const s = labShell()
  const mac = s.lab.nodes[1]!.vtepMac!
  run(s, 'node-1', `bridge fdb del ${mac} dev flannel.1 dst 192.168.56.12`)
  run(s, 'client', 'ping -c 1 -W 1 10.244.2.2')
  expect(txRow(run(s, 'node-1', 'ip -s link show flannel.1').stdout)).toBe(
    '0       0      0       1       0       0'
  )
})
