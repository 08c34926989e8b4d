import { describe, expect, it } from 'vitest'
import { labShellFromYaml, run } from './shell-fixture.ts'
import { dnsClusterYaml } from './dns-cluster-fixture.ts'

const cluster = (mode: 'iptables' | 'ipvs' | 'nftables' = 'iptables'): string =>
  dnsClusterYaml({ id: 'dns-demo', kubeProxyMode: mode, webOn: ['node-1', 'node-2'], webService: true })

/** The query and answer lines of a capture, without timestamps. */
function dnsLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.includes('.53'))
    .map((l) => l.replace(/^\S+ IP /, '').replace(/\.\d{4,5}([ :])/g, '.PORT$1'))
}

describe('cluster DNS', () => {
  it('runs kubeadm’s CoreDNS pods behind kube-dns on the tenth Service address', () => {
    const s = labShellFromYaml(cluster())
    const svc = run(s, 'node-1', 'kubectl -n kube-system get svc')
    expect(svc.stdout).toBe(
      'NAME       TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                  AGE\n' +
        'kube-dns   ClusterIP   10.96.0.10   <none>        53/UDP,53/TCP,9153/TCP   0s\n'
    )
    const pods = run(s, 'node-1', 'kubectl -n kube-system get pods -o wide').stdout.split('\n').slice(1, -1)
    expect(
      pods.map((l) => l.split(/\s+/)[0]!.replace(/-[a-z0-9]{5}$/, '') + ' ' + l.split(/\s+/)[6])
    ).toEqual([
      'coredns-7c65d6cfc9 node-1',
      'coredns-7c65d6cfc9 node-2',
      'etcd-node-1 node-1',
      'kube-apiserver-node-1 node-1',
      'kube-controller-manager-node-1 node-1',
      'kube-proxy node-2',
      'kube-proxy node-1',
      'kube-scheduler-node-1 node-1'
    ])
    expect(run(s, 'node-1', 'kubectl get svc web').stdout).toContain('10.96.0.11')
    expect(run(s, 'client', 'cat /etc/resolv.conf').stdout).toBe(
      'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n'
    )
  })

  it.each(['iptables', 'ipvs', 'nftables'] as const)(
    'is programmed by kube-proxy in %s mode on every node',
    (mode) => {
      const s = labShellFromYaml(cluster(mode))
      for (const node of ['node-1', 'node-2']) {
        const rules =
          mode === 'iptables'
            ? run(s, node, 'iptables-save -t nat').stdout
            : mode === 'ipvs'
              ? run(s, node, 'ipvsadm -Ln').stdout
              : run(s, node, 'nft list table ip kube-proxy').stdout
        expect(rules).toMatch(/10\.96\.0\.10[^\n]*53/)
        expect(run(s, 'client', 'getent hosts web').stdout).toBe(
          '10.96.0.11      web.default.svc.cluster.local\n'
        )
      }
    }
  )

  it('answers Services, pod names and missing names as CoreDNS does', () => {
    const s = labShellFromYaml(cluster())
    expect(run(s, 'client', 'nslookup web').stdout).toBe(
      'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.0.11\n\n'
    )
    expect(run(s, 'client', 'host web.default').stdout).toBe(
      'web.default.svc.cluster.local has address 10.96.0.11\n'
    )
    expect(run(s, 'client', 'dig +short 10-244-0-2.default.pod.cluster.local').stdout).toBe('10.244.0.2\n')
    expect(run(s, 'client', 'dig +short web').stdout).toBe('')
    expect(run(s, 'client', 'dig +short +search web').stdout).toBe('10.96.0.11\n')
    const dig = run(s, 'client', 'dig kubernetes.default.svc.cluster.local')
    expect(dig.stdout.replace(/id: \d+/, 'id: ID')).toBe(
      [
        '',
        '; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> kubernetes.default.svc.cluster.local',
        ';; global options: +cmd',
        ';; Got answer:',
        ';; WARNING: .local is reserved for Multicast DNS',
        ';; You are currently testing what happens when an mDNS query is leaked to DNS',
        ';; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: ID',
        ';; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1',
        ';; WARNING: recursion requested but not available',
        '',
        ';; OPT PSEUDOSECTION:',
        '; EDNS: version: 0, flags:; udp: 1232',
        ';; QUESTION SECTION:',
        ';kubernetes.default.svc.cluster.local. IN A',
        '',
        ';; ANSWER SECTION:',
        'kubernetes.default.svc.cluster.local. 30 IN A\t10.96.0.1',
        '',
        ';; Query time: 0 msec',
        ';; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)',
        ';; WHEN: Mon Jan 05 09:00:00 UTC 2026',
        ';; MSG SIZE  rcvd: 117',
        '',
        ''
      ].join('\n')
    )
    expect(run(s, 'client', 'nslookup nope').stdout).toBe(
      "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n** server can't find nope: SERVFAIL\n\n"
    )
    expect(run(s, 'client', 'host nope.default.svc.cluster.local').stdout).toBe(
      'Host nope.default.svc.cluster.local not found: 3(NXDOMAIN)\n'
    )
    expect(run(s, 'client', 'dig nope.default.svc.cluster.local').stdout).toContain(
      ';; AUTHORITY SECTION:\ncluster.local.\t\t30\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1767603600 7200 1800 86400 30\n'
    )
  })

  it('walks the search list as glibc does: a short name stops at the first domain, an external one tries them all', () => {
    const s = labShellFromYaml(cluster())
    expect(run(s, 'client', 'curl http://web/').stdout).toMatch(/^web-[12]\n$/)
    const lines = dnsLines(run(s, 'client', 'tcpdump -nn -i eth0 udp').stdout).map((l) =>
      l.replace(/: \d+/, ': ID')
    )
    // glibc sends A and AAAA by one sendmmsg before it reads either answer; CoreDNS answers
    // each in a goroutine of its own, so the answers come in either order.
    expect([...lines.slice(0, 2), ...lines.slice(2).sort()]).toEqual([
      '10.244.0.2.PORT > 10.96.0.10.53: ID+ A? web.default.svc.cluster.local. (47)',
      '10.244.0.2.PORT > 10.96.0.10.53: ID+ AAAA? web.default.svc.cluster.local. (47)',
      '10.96.0.10.53 > 10.244.0.2.PORT: ID*- 0/1/0 (140)',
      '10.96.0.10.53 > 10.244.0.2.PORT: ID*- 1/0/0 A 10.96.0.11 (92)'
    ])
    expect(run(s, 'client', 'curl http://example.com/').stderr).toBe(
      'curl: (6) Could not resolve host: example.com\n'
    )
    const walk = dnsLines(run(s, 'client', 'tcpdump -nn -i eth0 udp').stdout)
      .filter((l) => l.includes('?'))
      .map((l) => l.replace(/^.*: \d+\+ /, ''))
    expect(walk).toEqual([
      'A? example.com.default.svc.cluster.local. (55)',
      'AAAA? example.com.default.svc.cluster.local. (55)',
      'A? example.com.svc.cluster.local. (47)',
      'AAAA? example.com.svc.cluster.local. (47)',
      'A? example.com.cluster.local. (43)',
      'AAAA? example.com.cluster.local. (43)',
      'A? example.com. (29)',
      'AAAA? example.com. (29)',
      'A? example.com. (29)',
      'AAAA? example.com. (29)'
    ])
  })

  it('sends each query through the ClusterIP’s DNAT and leaves a UDP conntrack entry', () => {
    const s = labShellFromYaml(cluster())
    run(s, 'client', 'dig +short web.default.svc.cluster.local')
    const ct = run(s, 'node-1', 'conntrack -L -p udp --orig-dst 10.96.0.10').stdout
    expect(ct).toMatch(
      /^udp {6}17 119 src=10\.244\.0\.2 dst=10\.96\.0\.10 sport=\d+ dport=53 src=10\.244\.[01]\.\d+ dst=10\.244\.0\.2 sport=53 /m
    )
  })

  it('fails as the real tools fail once CoreDNS is scaled to zero', () => {
    const s = labShellFromYaml(cluster())
    run(s, 'node-1', 'kubectl -n kube-system scale deployment coredns --replicas=0')
    const refused = ';; communications error to 10.96.0.10#53: connection refused\n'
    expect(run(s, 'client', 'nslookup web')).toEqual({
      stdout: `${refused.repeat(3)};; no servers could be reached\n\n`,
      stderr: '',
      exitCode: 1
    })
    expect(run(s, 'client', 'dig web.default.svc.cluster.local')).toEqual({
      stdout: `${refused.repeat(3)}\n; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> web.default.svc.cluster.local\n;; global options: +cmd\n;; no servers could be reached\n`,
      stderr: '',
      exitCode: 9
    })
    expect(run(s, 'client', 'curl http://web/')).toEqual({
      stdout: '',
      stderr: 'curl: (6) Could not resolve host: web\n',
      exitCode: 6
    })
    expect(run(s, 'client', 'getent hosts web').exitCode).toBe(2)
  })

  it('times out when resolv.conf names a server nothing answers for', () => {
    const s = labShellFromYaml(cluster())
    run(s, 'client', 'echo nameserver 10.96.0.53 > /etc/resolv.conf')
    expect(run(s, 'client', 'host web.default.svc.cluster.local').stdout).toBe(
      ';; communications error to 10.96.0.53#53: timed out\n'.repeat(2) + ';; no servers could be reached\n'
    )
    expect(run(s, 'client', 'curl -m 3 http://web/').stderr).toBe(
      'curl: (28) Resolving timed out after 3000 milliseconds\n'
    )
  })
})
