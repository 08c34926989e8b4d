import { describe, expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * flanneld looks its `--iface` up before anything else and exits when the node has no such
 * interface (main.go: "Failed to find interface to use that matches the interfaces and/or
 * regexes provided", os.Exit(1)); the kubelet restarts it with a growing back-off. It never gets
 * to the VTEP, so the node's VXLAN state stays what the previous flanneld wrote.
 */
const SET = 'kubectl -n kube-flannel set env ds/kube-flannel-ds FLANNELD_IFACE='

function flannelRows(s: ReturnType<typeof labShell>): string[][] {
  return run(s, 'node-1', 'kubectl get pods -n kube-flannel -o wide')
    .stdout.trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(/ +/))
}

describe('flanneld with an --iface the node does not have', () => {
  test('its pods crash-loop, restarting on the kubelet back-off', () => {
    const s = labShell()
    expect(flannelRows(s).map((r) => r.slice(1, 4))).toEqual([
      ['1/1', 'Running', '0'],
      ['1/1', 'Running', '0']
    ])
    expect(run(s, 'node-1', `${SET}ethX`).stdout).toBe('daemonset.apps/kube-flannel-ds env updated\n')
    expect(flannelRows(s).map((r) => r.slice(1, 4))).toEqual([
      ['0/1', 'CrashLoopBackOff', '1'],
      ['0/1', 'CrashLoopBackOff', '1']
    ])
    // Restarts at 0, 10, 30 and 70 s: four by 100 s.
    run(s, 'node-1', 'sleep 100')
    const all = run(s, 'node-1', 'kubectl get pods -A').stdout
    expect(
      all.match(/^kube-flannel +kube-flannel-ds-[a-z0-9]{5} +0\/1 +CrashLoopBackOff +4 +100s$/gm)
    ).toHaveLength(2)
  })

  test('kubectl logs shows flannel’s lookup error and its fatal line', () => {
    const s = labShell()
    run(s, 'node-1', `${SET}ethX`)
    const pod = flannelRows(s).find((r) => r[6] === 'node-1')![0]!
    const logs = run(s, 'node-1', `kubectl -n kube-flannel logs ${pod}`)
    expect(logs.exitCode).toBe(0)
    expect(logs.stdout).toMatch(
      /^I\d{4} \d\d:\d\d:\d\d\.\d{6} {7}1 main\.go:\d+\] Could not find valid interface matching ethX: error looking up interface ethX: route ip\+net: no such network interface\nE\d{4} \d\d:\d\d:\d\d\.\d{6} {7}1 main\.go:\d+\] Failed to find interface to use that matches the interfaces and\/or regexes provided\n$/
    )
  })

  test('no VXLAN forwarding state is rewritten on a node whose flanneld crashed', () => {
    const s = labShell()
    // node-2 gets an ethX with an address, so only node-1's flanneld fails.
    run(
      s,
      'node-2',
      'ip link add ethX type veth peer name ethY && ip addr add 192.168.77.12/24 dev ethX && ip link set ethX up'
    )
    const before = {
      link: run(s, 'node-1', 'ip -d link show flannel.1').stdout,
      fdb: run(s, 'node-1', 'bridge fdb show dev flannel.1').stdout
    }
    run(s, 'node-1', `${SET}ethX`)
    const rows = flannelRows(s)
    expect(rows.find((r) => r[6] === 'node-1')!.slice(1, 3)).toEqual(['0/1', 'CrashLoopBackOff'])
    expect(rows.find((r) => r[6] === 'node-2')!.slice(1, 3)).toEqual(['1/1', 'Running'])
    expect(run(s, 'node-1', 'ip -d link show flannel.1').stdout).toBe(before.link)
    // node-2 now publishes 192.168.77.12, but node-1's dead flanneld does not follow it.
    expect(run(s, 'node-1', 'bridge fdb show dev flannel.1').stdout).toBe(before.fdb)
    expect(run(s, 'node-2', 'ip -d link show flannel.1').stdout).toContain('local 192.168.77.12 dev ethX ')
    expect(run(s, 'node-2', 'bridge fdb show dev flannel.1').stdout).toContain(
      'dst 192.168.56.11 self permanent'
    )
  })

  test('an interface that exists without an IPv4 address fails the lookup in flannel’s words', () => {
    const s = labShell()
    run(s, 'node-1', 'ip link add ethX type veth peer name ethY')
    run(s, 'node-1', `${SET}ethX`)
    const pod = flannelRows(s).find((r) => r[6] === 'node-1')![0]!
    expect(run(s, 'node-1', `kubectl -n kube-flannel logs ${pod}`).stdout).toContain(
      '] Could not find valid interface matching ethX: failed to find IPv4 address for interface ethX\n'
    )
  })
})
