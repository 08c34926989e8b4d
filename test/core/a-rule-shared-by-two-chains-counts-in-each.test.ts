import { describe, expect, test } from 'vitest'
import type { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import { labShell, run } from './shell-fixture.ts'

// kubelet writes `-j KUBE-FIREWALL` into filter INPUT and OUTPUT, kube-proxy its "kubernetes
// service portals" jump into nat PREROUTING and OUTPUT: one spec, two places, two counters.
const PINGS = 2
/** An echo request or reply of ping's default 56 data bytes: 20 IP + 8 ICMP + 56. */
const ECHO_BYTES = 20 + 8 + 56

/** node-1 after the client pinged its address: requests through INPUT, replies through OUTPUT. */
function pingedNode(): LabShell {
  const lab = labShell()
  expect(run(lab, 'client', `ping -c ${PINGS} -W 1 192.168.56.11`).exitCode).toBe(0)
  return lab
}

/** `pkts bytes` of the rules jumping to `target` in `iptables -L chain -v -n -x`. */
function listed(lab: LabShell, table: string, chain: string, target: string): [number, number][] {
  const out = run(lab, 'node-1', `iptables -t ${table} -L ${chain} -v -n -x`)
  expect(out.exitCode).toBe(0)
  return [...out.stdout.matchAll(new RegExp(`^ +(\\d+) +(\\d+) ${target} `, 'gm'))].map((m) => [
    Number(m[1]),
    Number(m[2])
  ])
}

/** The `[pkts:bytes]` iptables-save -c prints before `-A chain … -j target`. */
function saved(lab: LabShell, table: string, chain: string, target: string): string[] {
  const out = run(lab, 'node-1', `iptables-save -c -t ${table}`).stdout
  return [...out.matchAll(new RegExp(`^(\\[\\d+:\\d+\\]) -A ${chain} .*-j ${target}$`, 'gm'))].map(
    (m) => m[1]!
  )
}

describe('one rule object in two chains of node-1', () => {
  test('filter INPUT counts the echo requests and OUTPUT the echo replies, each on its own', () => {
    const lab = pingedNode()
    expect(listed(lab, 'filter', 'INPUT', 'KUBE-FIREWALL')).toEqual([[PINGS, PINGS * ECHO_BYTES]])
    expect(listed(lab, 'filter', 'OUTPUT', 'KUBE-FIREWALL')).toEqual([[PINGS, PINGS * ECHO_BYTES]])
    expect(saved(lab, 'filter', 'INPUT', 'KUBE-FIREWALL')).toEqual([`[${PINGS}:${PINGS * ECHO_BYTES}]`])
    expect(saved(lab, 'filter', 'OUTPUT', 'KUBE-FIREWALL')).toEqual([`[${PINGS}:${PINGS * ECHO_BYTES}]`])
  })

  test('nat PREROUTING counts the ping’s first packet; OUTPUT, which no new connection left by, counts none', () => {
    const lab = pingedNode()
    expect(listed(lab, 'nat', 'PREROUTING', 'KUBE-SERVICES')).toEqual([[1, ECHO_BYTES]])
    expect(listed(lab, 'nat', 'OUTPUT', 'KUBE-SERVICES')).toEqual([[0, 0]])
    expect(saved(lab, 'nat', 'PREROUTING', 'KUBE-SERVICES')).toEqual([`[1:${ECHO_BYTES}]`])
    expect(saved(lab, 'nat', 'OUTPUT', 'KUBE-SERVICES')).toEqual(['[0:0]'])
  })

  test('nft lists each chain’s counter of the shared rule apart', () => {
    const lab = pingedNode()
    const ruleset = run(lab, 'node-1', 'nft list table ip filter').stdout
    const inChain = (chain: string): string =>
      ruleset.slice(ruleset.indexOf(`\tchain ${chain} {`)).split('\n\t}')[0]!
    const counter = `counter packets ${PINGS} bytes ${PINGS * ECHO_BYTES} jump KUBE-FIREWALL`
    expect(inChain('INPUT')).toContain(counter)
    expect(inChain('OUTPUT')).toContain(counter)
  })

  test('deleting the rule from OUTPUT leaves INPUT’s counters, and a rule inserted above keeps them too', () => {
    const lab = pingedNode()
    expect(run(lab, 'node-1', 'iptables -D OUTPUT -j KUBE-FIREWALL').exitCode).toBe(0)
    expect(run(lab, 'node-1', 'iptables -I INPUT -p tcp --dport 9 -j DROP').exitCode).toBe(0)
    expect(saved(lab, 'filter', 'INPUT', 'KUBE-FIREWALL')).toEqual([`[${PINGS}:${PINGS * ECHO_BYTES}]`])
    expect(saved(lab, 'filter', 'OUTPUT', 'KUBE-FIREWALL')).toEqual([])
  })

  test('-Z on OUTPUT zeroes its counter of the shared rule and leaves INPUT’s', () => {
    const lab = pingedNode()
    expect(run(lab, 'node-1', 'iptables -Z OUTPUT').exitCode).toBe(0)
    expect(listed(lab, 'filter', 'INPUT', 'KUBE-FIREWALL')).toEqual([[PINGS, PINGS * ECHO_BYTES]])
    expect(listed(lab, 'filter', 'OUTPUT', 'KUBE-FIREWALL')).toEqual([[0, 0]])
  })
})
