import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'

/**
 * Vagrant's VirtualBox VMs: eth0 is each VM's own NAT network, 10.0.2.15 on every VM and the
 * default route, eth1 the host-only network the nodes share. flanneld without --iface takes the
 * default route's interface, so every node publishes 10.0.2.15, each node's FDB sends VXLAN to
 * its own address, and the kernel hands those frames straight back to its own VTEP: the pod's
 * packet circles node-1 until its TTL runs out. Checked against real namespaces (two "VMs" with
 * eth0 10.0.2.15/24 each): `From 10.244.1.1 icmp_seq=1 Time to live exceeded`, flannel.1
 * counting 63 frames out and 63 in per packet, nothing on either wire, and curl's
 * `(7) Failed to connect … after 0 ms`.
 */

const SCENARIO = 'lessons/19-incident-wrong-interface/scenario.yaml'
const text = readFileSync(SCENARIO, 'utf8')
const vagrant = (yaml = text) => labShellFromYaml(yaml, SCENARIO)

describe('flanneld without --iface on a VirtualBox VM', () => {
  test('takes eth0, the default route interface, and publishes 10.0.2.15 on every node', () => {
    const s = vagrant()
    expect(run(s, 'node-1', 'ip -d link show flannel.1').stdout).toContain('local 10.0.2.15 dev eth0 ')
    expect(run(s, 'node-1', 'bridge fdb show dev flannel.1').stdout).toMatch(
      / dst 10\.0\.2\.15 self permanent/
    )
    for (const node of ['node-1', 'node-2'])
      expect(run(s, 'node-1', `kubectl get node ${node} -o yaml`).stdout).toContain(
        'flannel.alpha.coreos.com/public-ip: 10.0.2.15\n'
      )
    expect(run(s, 'node-1', 'kubectl describe node node-2').stdout).toMatch(
      /flannel\.alpha\.coreos\.com\/public-ip: 10\.0\.2\.15\n/
    )
  })

  test('cross-node pod traffic circles the sending node until its TTL runs out; the rest works', () => {
    const s = vagrant()
    expect(run(s, 'client', 'ping -c 1 -W 1 10.244.2.2').stdout).toContain(
      'From 10.244.1.1 icmp_seq=1 Time to live exceeded'
    )
    expect(run(s, 'client', 'curl -m 2 10.244.2.2:8080').stderr).toMatch(
      /curl: \(7\) Failed to connect to 10\.244\.2\.2 port 8080 after 0 ms/
    )
    expect(run(s, 'node-1', 'ip -s link show flannel.1').stdout).toMatch(/RX: .*\n +\d+ +126 /)
    expect(
      run(s, 'node-1', 'tcpdump -nn -i eth0').stdout + run(s, 'node-1', 'tcpdump -nn -i eth1').stdout
    ).not.toContain('8472')
    expect(run(s, 'client', 'curl -m 2 10.244.1.3:8080').stdout).toBe('web-1\n')
    expect(run(s, 'node-1', 'ping -c 1 -W 1 192.168.56.12').stdout).toContain(' 0% packet loss')
  })

  test('FLANNELD_IFACE=eth1 on the DaemonSet moves every VTEP, annotation and FDB entry to eth1', () => {
    const s = vagrant()
    expect(
      run(s, 'node-1', 'kubectl -n kube-flannel set env ds/kube-flannel-ds FLANNELD_IFACE=eth1').stdout
    ).toBe('daemonset.apps/kube-flannel-ds env updated\n')
    expect(run(s, 'node-1', 'ip -d link show flannel.1').stdout).toContain('local 192.168.56.11 dev eth1 ')
    expect(run(s, 'node-1', 'bridge fdb show dev flannel.1').stdout).toMatch(
      / dst 192\.168\.56\.12 self permanent/
    )
    expect(run(s, 'node-2', 'bridge fdb show dev flannel.1').stdout).toMatch(
      / dst 192\.168\.56\.11 self permanent/
    )
    expect(run(s, 'node-1', 'kubectl get node node-2 -o yaml').stdout).toContain(
      'flannel.alpha.coreos.com/public-ip: 192.168.56.12\n'
    )
    expect(run(s, 'client', 'curl -m 2 10.244.2.2:8080').stdout).toBe('web-2\n')
    expect(sendProbe(s.lab, { proto: 'icmp', from: 'web-2', to: '10.244.1.2' }).outcome.kind).toBe('reply')
  })

  test('--iface=eth1 in the scenario starts the cluster right', () => {
    const s = vagrant(text.replace('cni: { backend: vxlan }', 'cni: { backend: vxlan, iface: eth1 }'))
    expect(run(s, 'node-2', 'ip -d link show flannel.1').stdout).toContain('local 192.168.56.12 dev eth1 ')
    expect(run(s, 'client', 'curl -m 2 10.244.2.2:8080').stdout).toBe('web-2\n')
  })

  test('set env names what it cannot do, in kubectl words', () => {
    const s = vagrant()
    expect(run(s, 'node-1', 'kubectl set env ds/kube-flannel-ds FLANNELD_IFACE=eth1').stderr).toBe(
      'Error from server (NotFound): daemonsets.apps "kube-flannel-ds" not found\n'
    )
    expect(
      run(s, 'node-1', 'kubectl -n kube-flannel set env ds/kube-flannel-ds FLANNELD_IFACE=no/such').stderr
    ).toContain('takes an interface name such as eth1 in FLANNELD_IFACE')
    expect(
      run(s, 'node-1', 'kubectl -n kube-flannel set env ds/kube-flannel-ds FLANNELD_IFACE=eth1').exitCode
    ).toBe(0)
    expect(
      run(s, 'node-1', 'kubectl -n kube-flannel set env ds/kube-flannel-ds FLANNELD_IFACE-').exitCode
    ).toBe(0)
    expect(run(s, 'node-1', 'ip -d link show flannel.1').stdout).toContain('local 10.0.2.15 dev eth0 ')
  })
})
