import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'

const NEW_MAC = '6e:3a:1c:5f:02:12'

/**
 * The reference cluster after node-2 was rebuilt: its flannel.1 came up with another MAC than the
 * one node-1's flanneld programmed (a distribution whose udev gives virtual devices their own MAC).
 */
function rebuilt(): ReturnType<typeof labShellFromYaml> {
  const lab = labShellFromYaml(readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8'))
  expect(run(lab, 'node-2', `ip link set flannel.1 address ${NEW_MAC}`).exitCode).toBe(0)
  return lab
}

const oldMac = (lab: ReturnType<typeof labShellFromYaml>): string =>
  /lladdr (\S+)/.exec(run(lab, 'node-1', 'ip neigh show dev flannel.1').stdout)![1]!

describe('node-2 rebuilt with a new VTEP MAC, node-1 still holding the old one', () => {
  test("node-1's neighbour and FDB entries name a MAC node-2's flannel.1 no longer has", () => {
    const lab = rebuilt()
    const stale = oldMac(lab)
    expect(stale).not.toBe(NEW_MAC)
    expect(run(lab, 'node-1', 'ip neigh show dev flannel.1').stdout).toBe(
      `10.244.2.0 lladdr ${stale} PERMANENT \n`
    )
    expect(run(lab, 'node-1', 'bridge fdb show dev flannel.1').stdout).toBe(
      `${stale} dst 192.168.56.12 self permanent\n`
    )
    expect(run(lab, 'node-2', 'ip link show flannel.1').stdout).toContain(`link/ether ${NEW_MAC} `)
  })

  test('the datagrams reach node-2 and are unwrapped; flannel.1 drops the inner frame as not its own', () => {
    const lab = rebuilt()
    const stale = oldMac(lab)
    const trace = sendProbe(lab.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2' })
    expect(trace.outcome).toEqual({ kind: 'no-reply' })
    const decap = trace.hops.findIndex((h) => h.netns === 'node-2' && h.stage === 'vxlan-decap')
    expect(decap).toBeGreaterThan(0)
    const drop = trace.hops.at(-1)!
    expect(drop).toMatchObject({ netns: 'node-2', device: 'flannel.1', stage: 'drop', drop: 'not-for-us' })
    expect(drop.before?.eth?.dst).toBe(stale)
    run(lab, 'client', 'ping -c 1 -W 1 10.244.2.2')
    expect(run(lab, 'node-2', 'tcpdump -n -i eth0 udp port 8472').stdout).toMatch(
      /IP 192\.168\.56\.11\.\d+ > 192\.168\.56\.12\.8472: OTV, flags \[I\] \(0x08\), overlay 0, instance 1\n.*ICMP echo request/
    )
    expect(run(lab, 'node-2', 'tcpdump -n -i flannel.1').stdout).toMatch(/ICMP echo request/)
  })

  test('replacing the neighbour and FDB entries with the new MAC, as flanneld does at start, restores the path', () => {
    const lab = rebuilt()
    expect(
      run(lab, 'node-1', `ip neigh replace 10.244.2.0 lladdr ${NEW_MAC} dev flannel.1 nud permanent`).exitCode
    ).toBe(0)
    expect(
      run(lab, 'node-1', `bridge fdb replace ${NEW_MAC} dev flannel.1 dst 192.168.56.12 self permanent`)
    ).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0
    })
    expect(run(lab, 'client', 'curl -m 2 10.244.2.2:8080').stdout).toContain('web-3')
  })

  test('the neighbour entry alone is not enough: the FDB still has no remote for the new MAC', () => {
    const lab = rebuilt()
    run(lab, 'node-1', `ip neigh replace 10.244.2.0 lladdr ${NEW_MAC} dev flannel.1 nud permanent`)
    const trace = sendProbe(lab.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2' })
    expect(trace.hops.at(-1)).toMatchObject({ netns: 'node-1', drop: 'vxlan-no-fdb' })
  })
})
