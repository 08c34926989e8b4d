import { expect, test } from 'vitest'
import type { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * An echo to an on-link address nobody holds gets its `Destination Host Unreachable` only when
 * ARP gives up, three seconds after it left. Run on two real namespaces joined by a veth
 * (iputils 20221126), to 10.99.7.9 on 10.99.7.0/24:
 *
 * `ping -c 1 -W 1` exited after 1.01 s with `1 packets transmitted, 0 received, 100% packet
 * loss, time 0ms`, no error line, status 1, the entry still INCOMPLETE;
 * `ping -c 1 -w 2` exited after 2.01 s: `2 packets transmitted, 0 received, 100% packet loss,
 * time 1020ms` (under -w, -c counts answers, not echoes);
 * `ping -w 5 -i 0.7` exited at the errors, after 3.07 s: five `From 10.99.7.1 icmp_seq=N
 * Destination Host Unreachable`, `5 packets transmitted, 0 received, +5 errors, 100% packet
 * loss, time 2840ms`, then `pipe 5`, the entry FAILED.
 */
const NOBODY = '10.244.1.99'

function timed(s: LabShell, line: string): { ms: number; stdout: string; exitCode: number } {
  const before = s.lab.clock.nowMs
  const { stdout, exitCode } = run(s, 'client', line)
  return { ms: s.lab.clock.nowMs - before, stdout, exitCode }
}

test('ping -c 1 -W 1 exits after its linger, before ARP gives up, and prints no error', () => {
  const s = labShell()
  const r = timed(s, `ping -c 1 -W 1 ${NOBODY}`)
  expect(r.stdout).toBe(
    `PING ${NOBODY} (${NOBODY}) 56(84) bytes of data.\n\n--- ${NOBODY} ping statistics ---\n` +
      '1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n'
  )
  expect(r.exitCode).toBe(1)
  expect(r.ms).toBe(1000)
  expect(run(s, 'client', `ip neigh show ${NOBODY}`).stdout).toBe(`${NOBODY} dev eth0 INCOMPLETE \n`)
})

test('ping -c 1 -w 2 goes on sending until its deadline when no answer comes', () => {
  const s = labShell()
  const r = timed(s, `ping -c 1 -w 2 ${NOBODY}`)
  expect(r.stdout).toMatch(/\n2 packets transmitted, 0 received, 100% packet loss, time 10\d\dms\n\n$/)
  expect(r.stdout).not.toContain('Unreachable')
  expect(r.ms).toBe(2000)
})

test('ping -w ends at the first error, reading the whole burst ARP failing brings', () => {
  const s = labShell()
  const r = timed(s, `ping -w 5 -i 0.7 ${NOBODY}`)
  for (const seq of [1, 2, 3, 4, 5])
    expect(r.stdout).toContain(`From 10.244.1.2 icmp_seq=${seq} Destination Host Unreachable\n`)
  expect(r.stdout).toMatch(
    /\n5 packets transmitted, 0 received, \+5 errors, 100% packet loss, time 28\d\dms\npipe 5\n$/
  )
  expect(r.exitCode).toBe(1)
  expect(r.ms).toBeGreaterThanOrEqual(3000)
  expect(r.ms).toBeLessThan(3100)
  expect(run(s, 'client', `ip neigh show ${NOBODY}`).stdout).toBe(`${NOBODY} dev eth0 FAILED \n`)
})
