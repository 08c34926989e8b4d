import { describe, expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * What `ip rule` does to traffic once it is on the wire: the forwarding node matches the input
 * device and the mark PREROUTING set, and a rule's verdict reaches the sender as the kernel's
 * ip_error sends it. Outputs checked against iproute2 6.1 and iputils on real namespaces.
 */

const podIp = (s: ReturnType<typeof labShell>, pod: string): string =>
  /inet (\S+)\//.exec(run(s, pod, 'ip -4 addr show eth0').stdout)![1]!

describe('policy rules steer forwarded and marked packets', () => {
  test('a prohibit rule on the input bridge answers the pod with Packet filtered', () => {
    const s = labShell()
    const target = podIp(s, 'web-3')
    expect(run(s, 'client', `ping -c 1 -W 1 ${target}`).exitCode).toBe(0)
    expect(run(s, 'node-1', 'ip rule add iif cni0 to 10.244.2.0/24 prohibit').exitCode).toBe(0)
    const ping = run(s, 'client', `ping -c 1 -W 1 ${target}`)
    expect(ping.stdout).toContain('From 10.244.1.1 icmp_seq=1 Packet filtered\n')
    expect(ping.exitCode).toBe(1)
    // Traffic the node sends itself comes in by lo, so the rule leaves it alone.
    expect(run(s, 'node-1', `ping -c 1 -W 1 ${target}`).exitCode).toBe(0)
  })

  test('a rule for the mark PREROUTING sets sends marked traffic through its own table', () => {
    const s = labShell()
    const target = podIp(s, 'web-3')
    for (const line of [
      'iptables -t mangle -A PREROUTING -i cni0 -d 10.244.2.0/24 -j MARK --set-mark 0x20',
      'ip rule add fwmark 0x20/0xf0 lookup 100',
      'ip route add blackhole 10.244.2.0/24 table 100'
    ])
      expect(run(s, 'node-1', line)).toEqual({ stdout: '', stderr: '', exitCode: 0 })
    expect(run(s, 'node-1', 'ip route get 10.244.2.5 from 10.244.1.9 iif cni0 mark 0x20')).toEqual({
      stdout: '',
      stderr: 'RTNETLINK answers: Invalid argument\n',
      exitCode: 2
    })
    // A blackhole swallows the echo without an answer; the node's own echo carries no mark.
    const ping = run(s, 'client', `ping -c 1 -W 1 ${target}`)
    expect(ping.stdout).toContain('1 packets transmitted, 0 received, 100% packet loss')
    expect(ping.stdout).not.toContain('From ')
    expect(run(s, 'node-1', `ping -c 1 -W 1 ${target}`).exitCode).toBe(0)
    expect(run(s, 'node-1', 'ip rule del fwmark 0x20/0xf0').exitCode).toBe(0)
    expect(run(s, 'client', `ping -c 1 -W 1 ${target}`).exitCode).toBe(0)
  })

  test('rules print, number themselves and refuse to delete what is not there as iproute2 does', () => {
    const s = labShell()
    for (const line of [
      'ip rule add from 10.244.1.0/24 lookup 100',
      'ip rule add to 10.0.0.0/8 fwmark 7 iif lo lookup 100 pref 100',
      'ip rule add fwmark 0x10/0xff table 200',
      'ip rule add iif nosuch lookup 100',
      'ip rule add not from 1.2.3.4 unreachable'
    ])
      expect(run(s, 'node-1', line).exitCode).toBe(0)
    expect(run(s, 'node-1', 'ip rule').stdout).toBe(
      [
        '0:\tfrom all lookup local',
        '97:\tnot from 1.2.3.4 unreachable',
        '98:\tfrom all iif nosuch [detached] lookup 100',
        '99:\tfrom all fwmark 0x10/0xff lookup 200',
        '100:\tfrom all to 10.0.0.0/8 fwmark 0x7 iif lo lookup 100',
        '32765:\tfrom 10.244.1.0/24 lookup 100',
        '32766:\tfrom all lookup main',
        '32767:\tfrom all lookup default',
        ''
      ].join('\n')
    )
    expect(run(s, 'node-1', 'ip rule del pref 12345')).toEqual({
      stdout: '',
      stderr: 'RTNETLINK answers: No such file or directory\n',
      exitCode: 2
    })
    expect(run(s, 'node-2', 'ip rule add lookup 7').exitCode).toBe(0)
    expect(run(s, 'node-2', 'ip rule show pref 32765').stdout).toBe('32765:\tfrom all lookup 7\n')
  })
})
