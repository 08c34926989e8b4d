import { describe, expect, it } from 'vitest'
import { formatIpv4 } from '../../src-main/core/net/ipv4.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'
import { dnsClusterYaml } from './dns-cluster-fixture.ts'

const lab = (): ReturnType<typeof labShellFromYaml> =>
  labShellFromYaml(dnsClusterYaml({ id: 'reverse-dns', webOn: ['node-2'], webService: true }))

const clusterIpOf = (s: ReturnType<typeof labShellFromYaml>, name: string): string =>
  formatIpv4(s.lab.services.find((svc) => svc.name === name)!.clusterIP)

const podIpOf = (s: ReturnType<typeof labShellFromYaml>, name: string): string =>
  formatIpv4(s.lab.pods.find((p) => p.name === name)!.ip)

const reversed = (ip: string): string => `${ip.split('.').reverse().join('.')}.in-addr.arpa`

/** The DNS queries of a capture, as `TYPE? name`. */
const asked = (capture: string): string[] =>
  capture
    .split('\n')
    .filter((l) => /\.53: \d+\+/.test(l))
    .map((l) => l.replace(/^.*\.53: \d+\+ (\[1au\] )?/, '').replace(/ \(\d+\)$/, ''))

/** The DNS queries the client's eth0 has carried so far. */
const askedByClient = (s: ReturnType<typeof labShellFromYaml>): string[] =>
  asked(run(s, 'client', 'tcpdump -nn -i eth0 udp').stdout)

describe('reverse lookups through the cluster DNS', () => {
  it('name a ClusterIP after its Service, in getent, nslookup, host and dig -x', () => {
    const s = lab()
    const ip = clusterIpOf(s, 'web')
    expect(run(s, 'client', `getent hosts ${ip}`).stdout).toBe(
      `${ip.padEnd(15)} web.default.svc.cluster.local\n`
    )
    expect(run(s, 'client', `nslookup ${ip}`)).toEqual({
      stdout: `${reversed(ip)}\tname = web.default.svc.cluster.local.\n\n`,
      stderr: '',
      exitCode: 0
    })
    expect(run(s, 'client', `host ${ip}`).stdout).toBe(
      `${reversed(ip)} domain name pointer web.default.svc.cluster.local.\n`
    )
    expect(run(s, 'client', `dig +short -x ${ip}`).stdout).toBe('web.default.svc.cluster.local.\n')
    expect(run(s, 'client', `dig -x ${ip}`).stdout).toContain(
      `;; ANSWER SECTION:\n${reversed(ip)}. 30\tIN\tPTR\tweb.default.svc.cluster.local.\n`
    )
  })

  it('name an endpoint by its dashed address under each Service whose endpoints hold it', () => {
    const s = lab()
    const ip = podIpOf(s, 'web-1')
    expect(run(s, 'client', `dig +short -x ${ip}`).stdout).toBe(
      `${ip.replaceAll('.', '-')}.web.default.svc.cluster.local.\n`
    )
  })

  it('fall through to the forwarder for an address no Service or endpoint has, which fails', () => {
    const s = lab()
    const ip = podIpOf(s, 'client')
    expect(run(s, 'client', `nslookup ${ip}`)).toEqual({
      stdout: `** server can't find ${reversed(ip)}: SERVFAIL\n\n`,
      stderr: '',
      exitCode: 1
    })
    expect(run(s, 'client', `host ${ip}`).stdout).toBe(`Host ${reversed(ip)} not found: 2(SERVFAIL)\n`)
    expect(run(s, 'client', `getent hosts 10.244.99.99`)).toEqual({ stdout: '', stderr: '', exitCode: 2 })
  })

  it('answer getent from /etc/hosts before DNS, as glibc reads files first', () => {
    const s = lab()
    expect(run(s, 'client', `getent hosts ${podIpOf(s, 'client')}`).stdout).toBe(
      `${podIpOf(s, 'client').padEnd(15)} client\n`
    )
    expect(askedByClient(s)).toEqual([])
  })
})

describe('ping names the sender of each reply by a PTR query, unless given an address', () => {
  const pingedByName = (): { s: ReturnType<typeof labShellFromYaml>; ip: string; out: string } => {
    const s = lab()
    const ip = podIpOf(s, 'web-1')
    const out = run(s, 'client', `ping -c 2 ${ip.replaceAll('.', '-')}.default.pod.cluster.local`).stdout
    return { s, ip, out }
  }

  it('prints the name the PTR record gives on every reply line', () => {
    const { ip, out } = pingedByName()
    const name = `${ip.replaceAll('.', '-')}.web.default.svc.cluster.local`
    const reply = (seq: number): unknown =>
      expect.stringMatching(
        new RegExp(`^64 bytes from ${name.replaceAll('.', '\\.')} \\(${ip}\\): icmp_seq=${seq} `)
      )
    expect(out.split('\n').filter((l) => l.includes('bytes from'))).toEqual([reply(1), reply(2)])
  })

  it('sends one PTR query per reply, seen in the capture', () => {
    const { s, ip } = pingedByName()
    const ptr = askedByClient(s).filter((q) => q.startsWith('PTR?'))
    expect(ptr).toEqual(Array(2).fill(`PTR? ${reversed(ip)}.`))
  })

  it('prints the bare address and asks nothing when the destination was an address', () => {
    const s = lab()
    const ip = podIpOf(s, 'web-1')
    const out = run(s, 'client', `ping -c 1 ${ip}`).stdout
    expect(out).toContain(`64 bytes from ${ip}: icmp_seq=1 `)
    expect(askedByClient(s)).toEqual([])
  })

  it('prints the bare address when the PTR query fails', () => {
    const s = lab()
    // `pods insecure` gives a node's address a pod name, but no Service holds it.
    const out = run(s, 'client', 'ping -c 1 192-168-56-12.default.pod.cluster.local').stdout
    expect(out).toContain('64 bytes from 192.168.56.12: icmp_seq=1 ')
  })
})
