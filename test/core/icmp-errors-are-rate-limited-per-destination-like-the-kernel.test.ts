import { describe, expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * icmp_send's limiter as real namespaces show it (a router answering `ping -t 1 -c 10 -i 0.2`
 * sent "Time to live exceeded" for echoes 1–7 only): six errors to one destination at once,
 * then one per icmp_ratelimit, for the types in icmp_ratemask.
 */

const TTL_ONE = 'ping -t 1 -c 10 -i 0.2 10.244.2.2'

/**
 * The same, but ending 0.2 s after its last echo: the three echoes the limiter silenced would
 * otherwise hold ping for its 10 s -W, time enough to fill the bucket again.
 */
const TTL_ONE_SHORT = 'ping -t 1 -c 10 -i 0.2 -W 0.1 10.244.2.2'

const exceededSeqs = (out: string): number[] =>
  [...out.matchAll(/^From 10\.244\.1\.1 icmp_seq=(\d+) Time to live exceeded$/gm)].map((m) => Number(m[1]))

describe('ICMP errors are rate limited per destination like the kernel', () => {
  test('echoes 0.2 s apart with ttl 1: the gateway answers the first seven', () => {
    const s = labShell('two-node-vxlan')
    const out = run(s, 'client', TTL_ONE)
    expect(exceededSeqs(out.stdout)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(out.stdout).toContain('10 packets transmitted, 0 received, +7 errors, 100% packet loss')
  })

  test('within one line the bucket stays drained: the next echo a second later is the first answered', () => {
    const s = labShell('two-node-vxlan')
    const out = run(s, 'client', `${TTL_ONE_SHORT} ; ping -t 1 -c 2 10.244.2.2`)
    const second = out.stdout.slice(out.stdout.lastIndexOf('PING '))
    expect(exceededSeqs(second)).toEqual([2])
    expect(second).toContain('2 packets transmitted, 0 received, +1 errors')
  })

  test('the next line starts with full buckets, as after the seconds it took to type', () => {
    const s = labShell('two-node-vxlan')
    run(s, 'client', TTL_ONE)
    expect(exceededSeqs(run(s, 'client', TTL_ONE).stdout)).toEqual([1, 2, 3, 4, 5, 6, 7])
  })

  test('icmp_ratelimit 0, or time exceeded left out of icmp_ratemask, lets every error through', () => {
    for (const knob of ['net.ipv4.icmp_ratelimit=0', 'net.ipv4.icmp_ratemask=4120']) {
      const s = labShell('two-node-vxlan')
      expect(run(s, 'node-1', `sysctl -w ${knob}`).exitCode).toBe(0)
      expect(exceededSeqs(run(s, 'client', TTL_ONE).stdout)).toHaveLength(10)
    }
  })

  test('each destination has its own bucket', () => {
    const s = labShell('two-node-vxlan')
    const out = run(s, 'client', `${TTL_ONE_SHORT} ; ping -t 1 -c 1 10.244.2.2`)
    expect(out.stdout).toContain('1 packets transmitted, 0 received, 100% packet loss')
    const other = run(s, 'web-1', 'ping -t 1 -c 1 10.244.2.2')
    expect(other.stdout).toContain('From 10.244.1.1 icmp_seq=1 Time to live exceeded')
  })
})
