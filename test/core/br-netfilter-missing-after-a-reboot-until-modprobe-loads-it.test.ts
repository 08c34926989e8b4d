import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'

/** The reference cluster after node-1 rebooted without br_netfilter in /etc/modules-load.d. */
const rebooted = (): ReturnType<typeof labShellFromYaml> =>
  labShellFromYaml(
    readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8').replace(
      '{ name: node-1, ip: 192.168.56.11, podCIDR: 10.244.1.0/24 }',
      '{ name: node-1, ip: 192.168.56.11, podCIDR: 10.244.1.0/24, brNetfilter: false }'
    )
  )

/** Which backends answered a ClusterIP connection from client, over enough tries to meet all three. */
function answeringBackends(lab: ReturnType<typeof labShellFromYaml>): Set<string> {
  const answered = new Set<string>()
  for (let i = 0; i < 20; i++) {
    const t = sendProbe(lab.lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 })
    if (t.outcome.kind === 'reply') answered.add(t.servedBy!)
  }
  return answered
}

describe('br_netfilter not loaded on node-1', () => {
  test('the sysctl does not exist, for reading or writing', () => {
    const lab = rebooted()
    const missing =
      'sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables: No such file or directory\n'
    expect(run(lab, 'node-1', 'sysctl net.bridge.bridge-nf-call-iptables')).toEqual({
      stdout: '',
      stderr: missing,
      exitCode: 1
    })
    expect(run(lab, 'node-1', 'sysctl -w net.bridge.bridge-nf-call-iptables=1').stderr).toBe(missing)
  })

  test('ClusterIP connections to backends on the same node never complete; web-3 on node-2 still answers', () => {
    expect([...answeringBackends(rebooted())]).toEqual(['web-3'])
  })

  test('modprobe br_netfilter creates the sysctl at 1 and every backend answers', () => {
    const lab = rebooted()
    expect(run(lab, 'node-1', 'modprobe br_netfilter')).toEqual({ stdout: '', stderr: '', exitCode: 0 })
    expect(run(lab, 'node-1', 'sysctl net.bridge.bridge-nf-call-iptables').stdout).toBe(
      'net.bridge.bridge-nf-call-iptables = 1\n'
    )
    expect(answeringBackends(lab)).toEqual(new Set(['web-1', 'web-2', 'web-3']))
  })

  test('the kernel log says when the module loads, and only then', () => {
    const lab = rebooted()
    expect(run(lab, 'node-1', 'dmesg').stdout).toBe('')
    run(lab, 'node-1', 'modprobe br_netfilter')
    run(lab, 'node-1', 'modprobe br_netfilter')
    expect(run(lab, 'node-1', 'dmesg').stdout).toMatch(/^\[ {4}0\.\d{6}\] Bridge firewalling registered\n$/)
  })

  test('modprobe names a module it cannot find the way kmod does, and is not in pods', () => {
    const lab = rebooted()
    expect(run(lab, 'node-1', 'modprobe br-netfiltr')).toEqual({
      stdout: '',
      stderr: 'modprobe: FATAL: Module br-netfiltr not found in directory /lib/modules/6.1.0-28-amd64\n',
      exitCode: 1
    })
    expect(run(lab, 'client', 'modprobe br_netfilter').exitCode).toBe(127)
  })
})
