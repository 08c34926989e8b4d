import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { labShell, labShellFromYaml, run } from './shell-fixture.ts'

const FILE = 'test/fixtures/scenarios/two-node-kube-router-netpol.yaml'
const WEB = 'curl -sS -m 3 http://10.244.2.2:8080/'

describe('NetworkPolicy on flannel alone', () => {
  const flannelOnly = labShellFromYaml(
    readFileSync(FILE, 'utf8').replace('  networkPolicy: kube-router\n', ''),
    FILE
  )

  it('changes nothing: a pod the policy leaves out still reaches the web pod', () => {
    expect(run(flannelOnly, 'stranger', WEB)).toMatchObject({ stdout: 'web-1\n', exitCode: 0 })
    expect(run(flannelOnly, 'locked', WEB).exitCode).toBe(0)
  })

  it('writes no policy chain and no ipset on any node', () => {
    const save = run(flannelOnly, 'node-2', 'iptables-save -t filter').stdout
    expect(save).not.toMatch(/KUBE-ROUTER|KUBE-POD-FW|KUBE-NWPLCY/)
    expect(run(flannelOnly, 'node-2', 'ipset list').stdout).toBe('')
  })
})

describe("kube-router's network-policy controller", () => {
  const lab = labShell('two-node-kube-router-netpol')

  it('admits a pod an ingress rule names, on the named port', () => {
    expect(run(lab, 'client', WEB)).toMatchObject({ stdout: 'web-1\n', exitCode: 0 })
  })

  it("rejects a pod no rule names in the destination pod's firewall chain", () => {
    const r = run(lab, 'stranger', WEB)
    expect(r.exitCode).toBe(7)
    expect(r.stderr).toContain("Couldn't connect to server")
  })

  it('lets an egress ipBlock reach its CIDR but not the except', () => {
    // plain (10.244.2.3) has no policy of its own: only locked's egress can refuse it.
    expect(run(lab, 'stranger', 'curl -sS -m 3 http://10.244.2.3:8080/').exitCode).toBe(0)
    expect(run(lab, 'locked', 'curl -sS -m 3 http://10.244.2.3:8080/').exitCode).toBe(7)
    expect(run(lab, 'locked', 'ping -c 1 -W 1 10.244.1.2').exitCode).toBe(0)
  })

  it('writes the chains as kube-router does, above kube-proxy’s jumps', () => {
    const save = run(lab, 'node-2', 'iptables-save -t filter').stdout
    const forward = save.split('\n').filter((l) => l.startsWith('-A FORWARD'))
    expect(forward[0]).toMatch(
      /^-A FORWARD -m comment --comment "kube-router netpol - [A-Z2-7]{16}" -j KUBE-ROUTER-FORWARD$/
    )
    expect(save).toMatch(
      /-A KUBE-POD-FW-[A-Z2-7]{16} -m comment --comment "rule to REJECT traffic destined for POD name:web-1 namespace: default" -m mark ! --mark 0x10000\/0x10000 -j REJECT --reject-with icmp-port-unreachable/
    )
    expect(save).toMatch(
      /-A KUBE-NWPLCY-[A-Z2-7]{16} -p tcp -m comment --comment "rule to ACCEPT traffic from source pods to dest pods selected by policy name web-from-clients namespace default" -m set --match-set KUBE-SRC-[A-Z2-7]{16} src -m set --match-set KUBE-DST-[A-Z2-7]{16} dst -m tcp --dport 8080 -j MARK --set-xmark 0x10000\/0x10000/
    )
  })

  it("counts a connection's packets in its own pod's firewall chain only", () => {
    const counted = labShell('two-node-kube-router-netpol')
    run(counted, 'client', WEB)
    const stateful = run(counted, 'node-2', 'iptables-save -c -t filter')
      .stdout.split('\n')
      .filter((l) => l.includes('rule for stateful firewall for pod'))
    expect(stateful).toHaveLength(2)
    expect(stateful.filter((l) => l.startsWith('[0:0] '))).toHaveLength(1)
  })

  it('keeps the ipBlock except as a nomatch entry of a hash:net set', () => {
    const save = run(lab, 'node-1', 'ipset save').stdout
    expect(save).toMatch(
      /create (KUBE-DST-[A-Z2-7]{16}) hash:net family inet hashsize 1024 maxelem 65536 timeout 0 bucketsize 12 initval 0x[0-9a-f]{8}\nadd \1 10\.244\.2\.0\/24 timeout 0 nomatch\nadd \1 10\.244\.0\.0\/16 timeout 0\n/
    )
  })

  it('refuses a pod on the same node from the node: br_netfilter routes the REJECT like a forwarded one', () => {
    const sameNode = labShellFromYaml(
      readFileSync(FILE, 'utf8').replace(
        'services:\n',
        '  - name: web-2\n    node: node-1\n    labels: { app: web }\n    containers: [{ name: app, image: podnet/http, app: http, port: 8080, portName: http }]\nservices:\n'
      ),
      FILE
    )
    const r = run(sameNode, 'stranger', 'curl -sS -m 3 http://10.244.1.5:8080/')
    expect(r).toMatchObject({ exitCode: 7 })
    expect(run(sameNode, 'stranger', 'tcpdump -nn -i eth0 icmp').stdout).toContain(
      'IP 10.244.1.1 > 10.244.1.3: ICMP 10.244.1.5 tcp port 8080 unreachable'
    )
  })
})
