import { describe, expect, it } from 'vitest'
import type { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import { labShell, run } from './shell-fixture.ts'

/** A policy letting pods labelled role=stranger reach `app` pods on TCP ports `port`..`endPort`. */
function applyRangePolicy(lab: LabShell, app: string, port: number, endPort: number): string {
  run(
    lab,
    'node-1',
    `echo '{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: ${app}-range}, spec: {podSelector: {matchLabels: {app: ${app}}}, ingress: [{from: [{podSelector: {matchLabels: {role: stranger}}}], ports: [{protocol: TCP, port: ${port}, endPort: ${endPort}}]}]}}' > range.yaml`
  )
  return run(lab, 'node-1', 'kubectl apply -f range.yaml').stdout
}

describe('a NetworkPolicy port with endPort', () => {
  it('admits traffic to a port inside the range and refuses a port outside it', () => {
    const lab = labShell('two-node-kube-router-netpol')
    expect(applyRangePolicy(lab, 'web', 8000, 8100)).toBe(
      'networkpolicy.networking.k8s.io/web-range created\n'
    )
    expect(applyRangePolicy(lab, 'plain', 9000, 9100)).toBe(
      'networkpolicy.networking.k8s.io/plain-range created\n'
    )
    // Both pods listen on 8080: inside web's range, outside plain's.
    expect(run(lab, 'stranger', 'curl -sS -m 3 http://10.244.2.2:8080/')).toMatchObject({
      stdout: 'web-1\n',
      exitCode: 0
    })
    const outside = run(lab, 'stranger', 'curl -sS -m 3 http://10.244.2.3:8080/')
    expect(outside.exitCode).toBe(7)
    expect(outside.stderr).toContain("Couldn't connect to server")
  })

  it('is written as kube-router writes it and printed by iptables-save as one --dport range', () => {
    const lab = labShell('two-node-kube-router-netpol')
    applyRangePolicy(lab, 'web', 8000, 8100)
    const save = run(lab, 'node-2', 'iptables-save -t filter').stdout
    expect(save).toMatch(
      /-A KUBE-NWPLCY-[A-Z2-7]{16} -p tcp -m comment --comment "rule to ACCEPT traffic from source pods to dest pods selected by policy name web-range namespace default" -m set --match-set KUBE-SRC-[A-Z2-7]{16} src -m set --match-set KUBE-DST-[A-Z2-7]{16} dst -m tcp --dport 8000:8100 -j MARK --set-xmark 0x10000\/0x10000\n/
    )
  })
})

describe('iptables port ranges, as iptables v1.8.9 takes and prints them', () => {
  it('fills a missing end with 0 or 65535, prints one port for N:N and nothing for every port', () => {
    const lab = labShell('two-node-kube-router-netpol')
    for (const ports of ['5000:5010', '5000:', ':5010', '7:7', ':'])
      expect(run(lab, 'node-1', `iptables -A INPUT -p tcp --dport ${ports} -j ACCEPT`).exitCode).toBe(0)
    expect(run(lab, 'node-1', 'iptables -A INPUT -p udp ! --sport 5000:5010 -j ACCEPT').exitCode).toBe(0)
    const input = run(lab, 'node-1', 'iptables -S INPUT').stdout.split('\n').slice(-7, -1)
    expect(input).toEqual([
      '-A INPUT -p tcp -m tcp --dport 5000:5010 -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 5000:65535 -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 0:5010 -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 7 -j ACCEPT',
      '-A INPUT -p tcp -m tcp -j ACCEPT',
      '-A INPUT -p udp -m udp ! --sport 5000:5010 -j ACCEPT'
    ])
    // iptables -L prints ranges as libxt_tcp does: `dpts:`, and nothing at all for every port.
    expect(run(lab, 'node-1', 'iptables -L INPUT -n').stdout.split('\n').slice(-7, -1)).toEqual([
      'ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            tcp dpts:5000:5010',
      'ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            tcp dpts:5000:65535',
      'ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            tcp dpts:0:5010',
      'ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:7',
      'ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            tcp',
      'ACCEPT     17   --  0.0.0.0/0            0.0.0.0/0            udp spts:!5000:5010'
    ])
    expect(run(lab, 'node-1', 'iptables -D INPUT -p tcp --dport 5000:65535 -j ACCEPT').exitCode).toBe(0)
    expect(run(lab, 'node-1', 'iptables-save -t filter').stdout).not.toContain('--dport 5000:65535')
  })

  it('refuses a reversed range and a port past 65535 with iptables’ own words', () => {
    const lab = labShell('two-node-kube-router-netpol')
    expect(run(lab, 'node-1', 'iptables -A INPUT -p tcp --dport 5010:5000 -j ACCEPT').stderr).toContain(
      'invalid portrange (min > max)'
    )
    expect(run(lab, 'node-1', 'iptables -A INPUT -p tcp --dport 5000:70000 -j ACCEPT').stderr).toContain(
      "invalid port/service `70000' specified"
    )
    expect(run(lab, 'node-1', 'iptables -A INPUT -p tcp --dport 5000-5010 -j ACCEPT').stderr).toContain(
      "invalid port/service `5000-5010' specified"
    )
  })
})
