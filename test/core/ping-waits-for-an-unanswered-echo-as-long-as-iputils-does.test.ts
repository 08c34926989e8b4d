import { expect, test } from 'vitest'
import { formatIpv4 } from '../../src-main/core/net/ipv4.ts'
import type { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * iputils 20221126 waits for the last echo's answer on a timer schedule_exit sets when it is
 * sent: -W (10 s unless given) while nothing was answered, twice the longest round trip (an
 * interval at least) after a reply. Timed on real namespaces, to an address a router drops:
 * `ping -c 1 -W 1` took 1.05 s, `ping -c 1` 10.01 s, `ping -c 3 -W 1` 3.05 s (time 2045ms); to
 * an on-link address nobody owns, `ping -c 3` took 3.09 s, ending at the errors ARP's failure
 * brings.
 */
function blackHoled(): { s: LabShell; dst: string } {
  const s = labShell()
  const dst = formatIpv4(s.lab.pods.find((p) => p.name === 'web-3')!.ip)
  expect(run(s, 'node-1', `iptables -I FORWARD -d ${dst} -j DROP`).exitCode).toBe(0)
  return { s, dst }
}

/** How far the lab clock moved while `line` ran, and what it printed. */
function timed(s: LabShell, line: string): { ms: number; stdout: string } {
  const before = s.lab.clock.nowMs
  const { stdout } = run(s, 'client', line)
  return { ms: s.lab.clock.nowMs - before, stdout }
}

test('ping -c 1 -W 1 to a silent address takes its one second of linger on the lab clock', () => {
  const { s, dst } = blackHoled()
  const r = timed(s, `ping -c 1 -W 1 ${dst}`)
  expect(r.stdout).toContain('1 packets transmitted, 0 received, 100% packet loss, time 0ms\n')
  expect(r.ms).toBe(1000)
})

test('ping -c 1 without -W waits ten seconds for an echo nobody answers', () => {
  const { s, dst } = blackHoled()
  expect(timed(s, `ping -c 1 ${dst}`).ms).toBe(10_000)
})

test('ping -c 3 -W 1 to a silent address ends a second after its last echo', () => {
  const { s, dst } = blackHoled()
  const r = timed(s, `ping -c 3 -W 1 ${dst}`)
  const sentFor = Number(/, time (\d+)ms\n/.exec(r.stdout)?.[1])
  expect(sentFor).toBeGreaterThanOrEqual(2002)
  expect(r.ms).toBe(sentFor + 1000)
})

test('ping to an on-link address nobody owns ends with the errors ARP gives up with, and the next command comes after them', () => {
  const s = labShell()
  const startedAt = s.lab.clock.nowMs
  const r = timed(s, 'ping -c 3 10.244.1.99')
  expect(r.stdout).toContain('3 packets transmitted, 0 received, +3 errors, 100% packet loss')
  expect(r.ms).toBeGreaterThanOrEqual(3000)
  expect(r.ms).toBeLessThan(3100)
  const stamps = s.lab.capture.frames.map((f) => f.at)
  expect(Math.max(...stamps)).toBeGreaterThanOrEqual(startedAt + 2000)
  expect(Math.max(...stamps)).toBeLessThanOrEqual(s.lab.clock.nowMs)
  expect(run(s, 'client', 'ip neigh show 10.244.1.99').stdout).toBe('10.244.1.99 dev eth0 FAILED \n')
})

/** Checked on a real namespace: `timeout 1 ping -c 1` to an unowned on-link address, then `ip neigh`. */
test('a ping cut short before ARP gives up leaves the entry INCOMPLETE until the moment it fails', () => {
  const s = labShell()
  expect(run(s, 'client', 'timeout 1 ping -c 1 10.244.1.99').exitCode).toBe(124)
  expect(run(s, 'client', 'ip neigh show 10.244.1.99').stdout).toBe('10.244.1.99 dev eth0 INCOMPLETE \n')
  expect(run(s, 'client', 'ip neigh show nud incomplete').stdout).toBe('10.244.1.99 dev eth0 INCOMPLETE \n')
  run(s, 'client', 'sleep 3')
  expect(run(s, 'client', 'ip neigh show 10.244.1.99').stdout).toBe('10.244.1.99 dev eth0 FAILED \n')
})
