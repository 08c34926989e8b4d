import { describe, expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * A pod of an IPv4-only cluster still has IPv6 on: ::1 on lo and an EUI-64 link-local address on
 * eth0, with the kernel's routes for them and nothing more. Texts are iproute2 6.1's, iputils
 * 20221126's and curl 7.88.1's, checked on real namespaces (test/conformance).
 */

/** The modified EUI-64 interface id a MAC gives (RFC 4291 appendix A), written as inet_ntop does. */
function eui64LinkLocal(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16))
  b[0] = b[0]! ^ 2
  const groups = [(b[0] << 8) | b[1]!, (b[2]! << 8) | 0xff, 0xfe00 | b[3]!, (b[4]! << 8) | b[5]!]
  return `fe80::${groups.map((g) => g.toString(16)).join(':')}`
}

function podLinkLocal(): { shell: ReturnType<typeof labShell>; ll: string } {
  const shell = labShell()
  const mac = /link\/ether (\S+)/.exec(run(shell, 'web-1', 'ip link show dev eth0').stdout)![1]!
  return { shell, ll: eui64LinkLocal(mac) }
}

describe('ip lists the IPv6 a pod has by family', () => {
  test('ip -6 addr keeps the inet6 lines under the headers of the IPv6 link dump', () => {
    const { shell, ll } = podLinkLocal()
    const r = run(shell, 'web-1', 'ip -6 addr')
    expect(r.stdout).toMatch(/^1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN qlen 1000\n/)
    expect(r.stdout).toMatch(
      /\n2: eth0@if\d+: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 state UP qlen 1000\n/
    )
    expect(r.stdout).toContain('    inet6 ::1/128 scope host \n')
    expect(r.stdout).toContain(`    inet6 ${ll}/64 scope link \n`)
    expect(r.stdout).not.toContain('inet ')
    expect(r.stdout).not.toContain('link/ether')
  })

  test('a listing of one device is asked for alone and keeps its qdisc, group and peer namespace', () => {
    const { shell } = podLinkLocal()
    const r = run(shell, 'web-1', 'ip -6 addr show dev eth0')
    expect(r.stdout.split('\n')[0]).toMatch(/ qdisc noqueue state UP group default qlen 1000 link-netnsid 0$/)
  })

  test('-f inet6, -family inet6 and -6 are one option; -f link lists links without addresses', () => {
    const { shell } = podLinkLocal()
    const six = run(shell, 'web-1', 'ip -6 addr').stdout
    expect(run(shell, 'web-1', 'ip -f inet6 addr').stdout).toBe(six)
    expect(run(shell, 'web-1', 'ip -family inet6 addr').stdout).toBe(six)
    const link = run(shell, 'web-1', 'ip -0 addr').stdout
    expect(link).toContain('link/ether')
    expect(link).not.toMatch(/inet6? /)
    expect(run(shell, 'web-1', 'ip -f bogus addr')).toEqual({
      stdout: '',
      stderr: 'Error: argument "bogus" is wrong: invalid protocol family\n',
      exitCode: 255
    })
  })

  test('ip -6 route lists the kernel routes of the link-local addresses, and no default route', () => {
    const { shell, ll } = podLinkLocal()
    expect(run(shell, 'web-1', 'ip -6 route').stdout).toBe(
      'fe80::/64 dev eth0 proto kernel metric 256 pref medium\n'
    )
    expect(run(shell, 'web-1', 'ip -6 route show table local').stdout).toBe(
      [
        'local ::1 dev lo proto kernel metric 0 pref medium',
        `local ${ll} dev eth0 proto kernel metric 0 pref medium`,
        'multicast ff00::/8 dev eth0 proto kernel metric 256 pref medium',
        ''
      ].join('\n')
    )
    expect(run(shell, 'web-1', 'ip route').stdout).not.toContain('fe80')
  })

  test('a table all listing without a family ends with the IPv6 tables', () => {
    const { shell } = podLinkLocal()
    const lines = run(shell, 'web-1', 'ip route show table all').stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^default via /)
    expect(lines.at(-1)).toBe('multicast ff00::/8 dev eth0 table local proto kernel metric 256 pref medium')
  })

  test('ip route get answers for IPv6 by the address alone, and nothing beyond the link is reachable', () => {
    const { shell, ll } = podLinkLocal()
    expect(run(shell, 'web-1', 'ip route get ::1').stdout).toBe(
      'local ::1 from :: dev lo table local proto kernel src ::1 metric 0 pref medium\n'
    )
    expect(run(shell, 'web-1', 'ip -6 route get fe80::1').stdout).toBe(
      `fe80::1 from :: dev eth0 proto kernel src ${ll} metric 256 pref medium\n`
    )
    expect(run(shell, 'web-1', 'ip -6 route get 2001:db8::1')).toEqual({
      stdout: '',
      stderr: 'RTNETLINK answers: Network is unreachable\n',
      exitCode: 2
    })
  })

  test('IPv6 has its own rules, without the default table, and no neighbours yet', () => {
    const { shell } = podLinkLocal()
    expect(run(shell, 'web-1', 'ip -6 rule').stdout).toBe(
      '0:\tfrom all lookup local\n32766:\tfrom all lookup main\n'
    )
    expect(run(shell, 'web-1', 'ip -6 neigh')).toEqual({ stdout: '', stderr: '', exitCode: 0 })
  })
})

describe('ping over IPv6 reaches the host itself only', () => {
  test('ping ::1 answers with iputils IPv6 banner', () => {
    const { shell } = podLinkLocal()
    const r = run(shell, 'web-1', 'ping -c 1 ::1')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(
      /^PING ::1\(::1\) 56 data bytes\n64 bytes from ::1: icmp_seq=1 ttl=64 time=\d\.\d{3} ms\n/
    )
    expect(r.stdout).toContain('1 packets transmitted, 1 received, 0% packet loss')
  })

  test('its own link-local address answers from the link, with or without a zone', () => {
    const { shell, ll } = podLinkLocal()
    for (const dest of [ll, `${ll}%eth0`]) {
      const r = run(shell, 'web-1', `ping -c 1 ${dest}`)
      expect(r.stdout).toContain(`PING ${dest}(${dest}) 56 data bytes\n64 bytes from ${ll}%eth0: icmp_seq=1`)
    }
    const bound = run(shell, 'web-1', `ping -c 1 -I eth0 ${ll}`)
    expect(bound.stdout).toContain(`PING ${ll}(${ll}) from :: eth0: 56 data bytes`)
    expect(bound.stderr).toBe('ping: Warning: source address might be selected on device other than: eth0\n')
  })

  test('an address with no route is unreachable before anything is sent', () => {
    const { shell } = podLinkLocal()
    expect(run(shell, 'web-1', 'ping -c 1 2001:db8::1')).toEqual({
      stdout: '',
      stderr: 'ping: connect: Network is unreachable\n',
      exitCode: 2
    })
    expect(run(shell, 'web-1', 'ping -4 -c 1 ::1').stderr).toBe(
      'ping: ::1: Address family for hostname not supported\n'
    )
  })

  test('a link-local address of another host gets no invented answer', () => {
    const { shell } = podLinkLocal()
    const r = run(shell, 'web-1', 'ping -c 1 fe80::1%eth0')
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('Podnet Lab does not simulate IPv6 between hosts')
    expect(r.exitCode).toBe(2)
  })
})

describe('curl falls back to ::1 for localhost', () => {
  test('a port refused on 127.0.0.1 is tried on ::1 too', () => {
    const { shell } = podLinkLocal()
    const r = run(shell, 'web-1', 'curl -sv http://localhost:9999/')
    expect(r.stderr).toBe(
      [
        '*   Trying 127.0.0.1:9999...',
        '* connect to 127.0.0.1 port 9999 failed: Connection refused',
        '*   Trying [::1]:9999...',
        '* connect to ::1 port 9999 failed: Connection refused',
        "* Failed to connect to localhost port 9999 after 0 ms: Couldn't connect to server",
        '* Closing connection 0',
        ''
      ].join('\n')
    )
    expect(r.exitCode).toBe(7)
  })

  test('an app listening on IPv4 answers localhost on 127.0.0.1 and refuses [::1]', () => {
    const { shell } = podLinkLocal()
    expect(run(shell, 'web-1', 'curl -s http://localhost:8080/')).toEqual({
      stdout: 'web-1\n',
      stderr: '',
      exitCode: 0
    })
    expect(run(shell, 'web-1', 'curl http://[::1]:8080/')).toEqual({
      stdout: '',
      stderr: "curl: (7) Failed to connect to ::1 port 8080 after 0 ms: Couldn't connect to server\n",
      exitCode: 7
    })
  })
})

test('ss -6 lists no socket: the apps of the lab listen on IPv4 only', () => {
  const { shell } = podLinkLocal()
  expect(run(shell, 'web-1', 'ss -tln').stdout).toContain('0.0.0.0:8080')
  expect(run(shell, 'web-1', 'ss -6 -tln').stdout).toBe(
    'State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n'
  )
  expect(run(shell, 'web-1', 'ss -46 -tln').stdout).toContain('0.0.0.0:8080')
})
