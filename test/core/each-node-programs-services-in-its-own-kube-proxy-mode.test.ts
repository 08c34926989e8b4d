import { describe, expect, test } from 'vitest'
import { diagramOf } from '../../src-main/core/diagram/model.ts'
import { summariseTrace } from '../../src-main/core/diagram/summary.ts'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'

// One backend on node-1; a client on each node, whose own kube-proxy handles its connections.
const MIXED = `
formatVersion: 1
id: mixed-modes
cluster: { gateway: 192.168.56.1, kubeProxy: { mode: iptables } }
nodes:
  - { name: node-1, ip: 192.168.56.11 }
  - { name: node-2, ip: 192.168.56.12, kubeProxyMode: ipvs }
  - { name: node-3, ip: 192.168.56.13, kubeProxyMode: nftables }
pods:
  - { name: client-1, node: node-1, containers: [{ name: shell, app: sleep }] }
  - { name: web-1, node: node-1, labels: { app: web }, containers: [{ name: app, app: http, port: 8080 }] }
  - { name: client-2, node: node-2, containers: [{ name: shell, app: sleep }] }
  - { name: client-3, node: node-3, containers: [{ name: shell, app: sleep }] }
services:
  - { name: web, clusterIP: 10.96.0.100, selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }
`

describe('a node with its own kubeProxyMode programs Services in that mode, the others in the cluster mode', () => {
  const shell = labShellFromYaml(MIXED)

  test('only the IPVS node has kube-ipvs0 and virtual servers; only the iptables node has KUBE-SVC chains', () => {
    expect(run(shell, 'node-2', 'ip addr show kube-ipvs0').stdout).toContain(
      'inet 10.96.0.100/32 scope global kube-ipvs0'
    )
    expect(run(shell, 'node-1', 'ip addr show kube-ipvs0').exitCode).toBe(1)
    expect(run(shell, 'node-2', 'ipvsadm -Ln').stdout).toContain('TCP  10.96.0.100:80 rr')
    expect(run(shell, 'node-1', 'iptables-save -t nat').stdout).toContain('-j KUBE-SVC-')
    expect(run(shell, 'node-3', 'iptables-save -t nat').stdout).not.toContain('KUBE-SVC-')
    expect(run(shell, 'node-3', 'nft list map ip kube-proxy service-ips').stdout).toContain(
      '10.96.0.100 . tcp . 80 : goto service-'
    )
    expect(run(shell, 'node-1', 'sysctl net.ipv4.conf.all.route_localnet').stdout).toBe(
      'net.ipv4.conf.all.route_localnet = 1\n'
    )
    expect(run(shell, 'node-2', 'sysctl net.ipv4.conf.all.route_localnet').stdout).toBe(
      'net.ipv4.conf.all.route_localnet = 0\n'
    )
  })

  test('the diagram names each node’s own mode', () => {
    expect(diagramOf(shell.lab).cluster.nodeProxyModes).toEqual({
      'node-1': 'iptables',
      'node-2': 'ipvs',
      'node-3': 'nftables'
    })
  })

  test('ping to the ClusterIP follows the client node’s mode: silence, the ClusterIP itself, the pod gateway', () => {
    expect(run(shell, 'client-1', 'ping -c 1 -W 1 10.96.0.100').stdout).not.toContain('From ')
    expect(run(shell, 'client-2', 'ping -c 1 -W 1 10.96.0.100').stdout).toContain(
      'From 10.96.0.100 icmp_seq=1 Destination Port Unreachable'
    )
    expect(run(shell, 'client-3', 'ping -c 1 -W 1 10.96.0.100').stdout).toMatch(
      /From 10\.244\.\d+\.1 icmp_seq=1 Destination Port Unreachable/
    )
  })

  test('IPVS forwarding to a remote real server costs a hop, as ip_vs_xmit decrements the TTL', () => {
    const out = run(shell, 'client-2', 'traceroute -T -p 80 10.96.0.100').stdout
    expect(out.trim().split('\n').slice(1)).toHaveLength(3)
    expect(out).toMatch(/^ 1 {2}10\.96\.0\.100 \(10\.96\.0\.100\)/m)
  })

  test('a SYN whose TTL runs out in IPVS is told as dropped there, not as a Service without endpoints', () => {
    const trace = sendProbe(shell.lab, {
      proto: 'tcp',
      from: 'client-2',
      to: '10.96.0.100',
      port: 80,
      ttl: 1
    })
    const events = summariseTrace(trace, diagramOf(shell.lab)).rows.map((r) => r.event)
    expect(events).toContainEqual({ kind: 'dropped', reason: 'ttl-exceeded' })
    expect(events.map((e) => e.kind)).not.toContain('no-endpoints')
  })
})
