import { describe, expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * traceroute 2.1.2 keeps up to 16 probes in flight (-N), three per hop: toward a pod three hops
 * away, the probes for hops 3 to 6 all reach it and its per-destination ICMP limiter (burst 6)
 * answers only six. Counts and outputs as measured on a real two-router namespace chain.
 */

const HEADER = 'traceroute to 10.244.2.2 (10.244.2.2), 30 hops max, 60 byte packets'
const hops = (out: string): string[] =>
  out
    .split('\n')
    .filter((l) => /^ ?\d+ /.test(l))
    .map((l) => l.replace(/ {2}[\d.]+ ms/g, '  <t> ms'))

const FULL = [
  ' 1  10.244.1.1  <t> ms  <t> ms  <t> ms',
  ' 2  10.244.2.0  <t> ms  <t> ms  <t> ms',
  ' 3  10.244.2.2  <t> ms  <t> ms  <t> ms'
]

describe('traceroute keeps sixteen probes in flight', () => {
  test('ten probes reach the destination at once and six are answered', () => {
    const s = labShell()
    const out = run(s, 'client', 'traceroute -n 10.244.2.2')
    expect(out.stdout.startsWith(`${HEADER}\n`)).toBe(true)
    expect(hops(out.stdout)).toEqual(FULL)
    const capture = run(s, 'web-3', 'tcpdump -ni eth0 -c 100').stdout
    expect(capture.match(/> 10\.244\.2\.2\.\d+: UDP/g)).toHaveLength(10)
    expect(capture.match(/udp port \d+ unreachable/g)).toHaveLength(6)
  })

  test('a second traceroute right after finds the bucket empty and goes on until a token comes back', () => {
    const s = labShell()
    const out = run(s, 'client', 'traceroute -n 10.244.2.2; traceroute -n 10.244.2.2')
    const second = hops(out.stdout).slice(3)
    expect(second).toEqual([
      ...FULL.slice(0, 2),
      ' 3  * * *',
      ' 4  * * *',
      ' 5  * * *',
      ' 6  * * *',
      ' 7  * * *',
      ' 8  * 10.244.2.2  <t> ms  <t> ms'
    ])
  })

  test('-N 1 sends one probe at a time: the destination sees only its hop', () => {
    const s = labShell()
    const out = run(s, 'client', 'traceroute -n -N 1 10.244.2.2; traceroute -n -N 1 10.244.2.2')
    expect(hops(out.stdout)).toEqual([...FULL, ...FULL])
    run(s, 'client', 'traceroute -n -N 1 10.244.2.2')
    const capture = run(s, 'web-3', 'tcpdump -ni eth0 -c 100').stdout
    expect(capture.match(/> 10\.244\.2\.2\.\d+: UDP/g)).toHaveLength(3)
  })

  test('under timeout it shows the hops done when the signal came, the last line unfinished', () => {
    const s = labShell()
    const before = s.lab.clock.nowMs
    const out = run(s, 'client', 'timeout 1 traceroute -n 10.9.9.9')
    expect(out.stdout).toMatch(
      /^traceroute to 10\.9\.9\.9 \(10\.9\.9\.9\), 30 hops max, 60 byte packets\n 1 {2}10\.244\.1\.1 {2}[\d.]+ ms {2}[\d.]+ ms {2}[\d.]+ ms$/
    )
    expect(out.exitCode).toBe(124)
    expect(s.lab.clock.nowMs - before).toBe(1000)
  })
})
