import { describe, expect, it } from 'vitest'
import { labShellFromYaml, run } from './shell-fixture.ts'
import { dnsClusterYaml } from './dns-cluster-fixture.ts'

const cluster = (kubeProxyMode: 'iptables' | 'ipvs'): string =>
  dnsClusterYaml({ id: `ping-dns-${kubeProxyMode}`, kubeProxyMode, webOn: ['node-2'], webService: true })

/** The lines of a capture without their timestamps. */
const frames = (capture: string): string[] =>
  capture
    .split('\n')
    .filter((l) => / IP /.test(l))
    .map((l) => l.replace(/^\S+ /, ''))

describe('ping resolves a name through the pod’s resolv.conf and the cluster DNS', () => {
  it('names the Service’s ClusterIP it resolved, and in iptables mode no echo comes back from it', () => {
    const s = labShellFromYaml(cluster('iptables'))
    const clusterIP = run(s, 'client', 'getent hosts web').stdout.split(' ')[0]!
    const r = run(s, 'client', 'ping -c 1 web')
    expect(r).toEqual({
      stdout:
        `PING web.default.svc.cluster.local (${clusterIP}) 56(84) bytes of data.\n\n` +
        '--- web.default.svc.cluster.local ping statistics ---\n' +
        '1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n',
      stderr: '',
      exitCode: 1
    })
  })

  it('asks the cluster DNS for A and AAAA before its echo request, in the capture of its line', () => {
    const s = labShellFromYaml(cluster('iptables'))
    run(s, 'client', 'ping -c 1 kubernetes.default')
    const seen = frames(run(s, 'client', 'tcpdump -nn -i eth0').stdout)
    const asked = seen
      .filter((l) => / > 10\.96\.0\.10\.53: /.test(l))
      .map((l) => l.replace(/^.*: \d+\+ /, ''))
    expect(asked).toEqual([
      'A? kubernetes.default.default.svc.cluster.local. (62)',
      'AAAA? kubernetes.default.default.svc.cluster.local. (62)',
      'A? kubernetes.default.svc.cluster.local. (54)',
      'AAAA? kubernetes.default.svc.cluster.local. (54)'
    ])
    const echo = seen.findIndex((l) => l.includes('ICMP echo request'))
    expect(echo).toBeGreaterThan(seen.findLastIndex((l) => l.includes('.53: ')))
    expect(seen[echo]).toMatch(/ > 10\.96\.0\.1: ICMP echo request/)
  })

  it('says “Name or service not known” when every name was answered NXDOMAIN', () => {
    const s = labShellFromYaml(cluster('iptables'))
    expect(run(s, 'client', 'ping -c 1 nope.default.svc.cluster.local.')).toEqual({
      stdout: '',
      stderr: 'ping: nope.default.svc.cluster.local.: Name or service not known\n',
      exitCode: 2
    })
  })

  it('says “Temporary failure in name resolution” when the DNS server does not answer', () => {
    const s = labShellFromYaml(cluster('iptables'))
    run(s, 'client', "printf 'nameserver 10.96.0.53\\noptions timeout:1 attempts:1\\n' > /etc/resolv.conf")
    expect(run(s, 'client', 'ping -c 1 web')).toEqual({
      stdout: '',
      stderr: 'ping: web: Temporary failure in name resolution\n',
      exitCode: 2
    })
  })

  it('names a sender /etc/hosts knows in each reply, unless -n or a literal address asks for numbers', () => {
    const s = labShellFromYaml(cluster('ipvs'))
    const named = run(s, 'client', 'ping -c 1 client').stdout
    const ip = /^PING client \((10\.244\.\d+\.\d+)\) 56\(84\) bytes of data\.\n/.exec(named)?.[1]
    expect(ip).toBeDefined()
    expect(named).toContain(`\n64 bytes from client (${ip}): icmp_seq=1 ttl=64 time=`)
    expect(named).toContain('\n--- client ping statistics ---\n')
    expect(run(s, 'client', 'ping -c 1 -n client').stdout).toContain(`\n64 bytes from ${ip}: icmp_seq=1 `)
    for (const numeric of ['ping -c 1 -4 -n localhost', 'ping -c 1 127.0.0.1'])
      expect(run(s, 'client', numeric).stdout).toMatch(/\n64 bytes from 127\.0\.0\.1: icmp_seq=1 /)
  })
})
