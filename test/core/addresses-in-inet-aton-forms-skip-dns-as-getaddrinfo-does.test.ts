import { describe, expect, it } from 'vitest'
import { formatIpv4, parseInetAton } from '../../src-main/core/net/ipv4.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'
import { dnsClusterYaml } from './dns-cluster-fixture.ts'

const lab = (): ReturnType<typeof labShellFromYaml> =>
  labShellFromYaml(dnsClusterYaml({ id: 'inet-aton', webOn: ['node-2'], webService: true }))

/** The DNS queries a capture holds. */
const asked = (capture: string): string[] => capture.split('\n').filter((l) => /\.53: \d+\+/.test(l))

describe('inet_aton forms', () => {
  it.each([
    ['127.1', '127.0.0.1'],
    ['10.1', '10.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['127.000.000.001', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['10.0.65535', '10.0.255.255']
  ])('read %s as %s', (text, address) => {
    expect(formatIpv4(parseInetAton(text)!)).toBe(address)
  })

  it.each(['256.1', '127.1.2.3.4', '1.2.3.08', '127.0.0.1.', '10.0.65536', '0x', ''])(
    'take %j for a name',
    (text) => {
      expect(parseInetAton(text)).toBeUndefined()
    }
  )
})

describe('an address in a short form is an address to ping, curl and getaddrinfo', () => {
  it('ping names it as written and replies by the dotted quad, without a query', () => {
    const s = lab()
    const r = run(s, 'client', 'ping -c 1 127.1')
    expect(r.stdout).toMatch(
      /^PING 127\.1 \(127\.0\.0\.1\) 56\(84\) bytes of data\.\n64 bytes from 127\.0\.0\.1: icmp_seq=1 ttl=64 time=/
    )
    expect(r.stdout).toContain('\n--- 127.1 ping statistics ---\n')
    expect(asked(run(s, 'client', 'tcpdump -nn -i eth0 udp').stdout)).toEqual([])
  })

  it('curl rewrites it as a dotted quad in what it prints', () => {
    const s = lab()
    expect(run(s, 'client', 'curl -sS http://0x7f.1:81/').stderr).toBe(
      "curl: (7) Failed to connect to 127.0.0.1 port 81 after 0 ms: Couldn't connect to server\n"
    )
  })

  it('getent hosts takes digits and dots as an address but asks DNS about a hex form', () => {
    const s = lab()
    expect(run(s, 'client', 'getent hosts 10.1').stdout).toBe('10.0.0.1        10.1\n')
    expect(run(s, 'client', 'getent hosts 0x7f.1')).toEqual({ stdout: '', stderr: '', exitCode: 2 })
    expect(asked(run(s, 'client', 'tcpdump -nn -i eth0 udp').stdout).length).toBeGreaterThan(0)
  })
})
