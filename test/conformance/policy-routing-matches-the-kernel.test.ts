import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { labShell, run as simRun } from '../core/shell-fixture.ts'
import { claimNetnsPrefix, type NetnsPrefix } from './netns-prefix.ts'
import { realLabUnavailable, type Output } from './real-lab.ts'
import { twoVethsIn } from './two-veths.ts'

/**
 * Policy routing built by the same command lines in a namespace the simulator's node makes with
 * `ip netns add` and in a real one: rules by source, destination, mark and device, tables by
 * number and name, and the rule actions. Every line names the namespace (`ip -n`, `ip netns
 * exec`), so the real side touches nothing outside it.
 */

/** The base of the run's own namespace name (netns-prefix.ts); test titles show it. */
const BASE = 'pnl-pr'
const unavailable = realLabUnavailable()

function linesIn(ns: string): { build: string[]; compared: string[] } {
  const ip = (args: string): string => `ip -n ${ns} ${args}`
  const inNs = (line: string): string => `ip netns exec ${ns} ${line}`

  const build = [
    ...twoVethsIn(ns),
    ip('addr add 192.168.1.2/24 brd + dev eth0'),
    ip('addr add 172.16.0.2/24 brd + dev eth1')
  ]

  /** Compared line by line, in order: each may change what the next ones see. */
  const compared = [
    ip('rule'),
    ip('route get 127.0.0.1'),
    ip('route show table 100'),
    ip('route add 10.0.0.0/8 via 172.16.0.1 table 100'),
    ip('route add blackhole 11.0.0.0/8 table 100'),
    ip('route add 20.0.0.0/8 dev eth0 table 300'),
    ip('route add unreachable 30.0.0.0/8 table 300'),
    ip('route add prohibit 31.0.0.0/8 table 300'),
    ip('route add 10.0.0.0/8 via 172.16.0.1 table 100'),
    ip('route add 10.0.0.0/8 via 172.16.0.1 table foo'),
    ip('route show table 100'),
    ip('route show table 300'),
    ip('route show table 999'),
    ip('route show table foo'),
    ip('route get 10.0.0.1'),
    ip('rule add from 192.168.1.0/24 lookup 100'),
    ip('rule add to 10.0.0.0/8 fwmark 7 iif lo lookup 100 pref 100'),
    ip('rule add fwmark 0x10/0xff table 200'),
    ip('rule add not from 1.2.3.4 lookup main'),
    ip('rule add iif nosuch lookup 100'),
    ip('rule add to 8.8.8.8 unreachable'),
    ip('rule add to 9.9.9.9 blackhole'),
    ip('rule add from all lookup 300 pref 50'),
    ip('rule add pref 16 blackhole lookup 100'),
    ip('rule add fwmark 7/0 lookup 100 preference 11'),
    ip('rule add from 192.168.1.7/32 table foo'),
    ip('rule add pref x lookup 100'),
    ip('rule add fwmark zz lookup 100'),
    ip('rule add frob lookup 100'),
    ip('rule add from bogus lookup 100'),
    ip('rule'),
    ip('rule show table 100'),
    ip('rule list pref 100'),
    ip('rule del pref 12345'),
    ip('rule del pref 16'),
    ip('rule del fwmark 7'),
    ip('rule del from 5.5.5.5'),
    ip('rule'),
    ip('route show table all'),
    ip('route get 10.0.0.1'),
    ip('route get 10.0.0.1 from 192.168.1.2'),
    ip('route get 10.0.0.1 mark 7'),
    ip('route get 10.0.0.1 mark 0x10'),
    ip('route get 20.0.0.1'),
    ip('route get 30.0.0.1'),
    ip('route get 31.0.0.1'),
    ip('route get 11.0.0.1 from 192.168.1.2'),
    ip('route get 8.8.8.8'),
    ip('route get 9.9.9.9'),
    ip('route get 127.0.0.1'),
    ip('route get 172.16.0.9 from 192.168.1.2 mark 0x10'),
    ip('route get 10.0.0.1 mark zz'),
    ip('route get 10.0.0.1 iif eth0'),
    ip('route get 10.0.0.1 from 192.168.1.5 iif eth0'),
    ip('route get 192.168.1.2 from 192.168.1.5 iif eth0'),
    inNs('sysctl -w net.ipv4.ip_forward=1'),
    ip('rule add iif eth0 lookup 100 pref 5'),
    ip('route get 10.0.0.1 from 192.168.1.5 iif eth0 mark 3'),
    ip('route get 11.0.0.1 from 192.168.1.5 iif eth0'),
    ip('route get 172.16.0.9 from 192.168.1.5 iif eth0'),
    inNs('ping -c1 -W1 8.8.8.8'),
    inNs('ping -c1 -W1 9.9.9.9'),
    inNs('ping -c1 -W1 30.0.0.1'),
    inNs('ping -c1 -W1 31.0.0.1'),
    ip('route flush table 100'),
    ip('route show table 100'),
    ip('route flush table 999'),
    ip('rule flush'),
    ip('rule'),
    ip('route get 192.168.1.9'),
    ip('route get 1.1.1.1 oif eth1'),
    ip('rule add oif eth0 prohibit'),
    ip('rule'),
    ip('route get 192.168.1.9 oif eth0'),
    ip('route get 192.168.1.9 oif eth1')
  ]
  return { build, compared }
}

describe.skipIf(unavailable !== undefined)('policy routing prints and decides as the kernel does', () => {
  const sim = labShell()
  const realOut: Output[] = []
  const simOut: Output[] = []
  let claim: NetnsPrefix | undefined

  const onReal = (line: string): Output => {
    const r = spawnSync('sh', ['-c', line], { encoding: 'utf8', timeout: 20_000 })
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status ?? 1 }
  }

  beforeAll(async () => {
    claim = await claimNetnsPrefix(BASE)
    const { build, compared } = linesIn(claim.prefix)
    for (const line of build) {
      const real = onReal(line)
      const simulated = simRun(sim, 'node-1', line)
      if (real.exitCode !== 0 || simulated.exitCode !== 0)
        throw new Error(`${line}: real ${real.stderr} / simulated ${simulated.stderr}`)
    }
    for (const line of compared) {
      realOut.push(onReal(line))
      simOut.push(simRun(sim, 'node-1', line))
    }
  }, 60_000)

  afterAll(() => {
    if (!claim) return
    spawnSync('ip', ['netns', 'del', claim.prefix], { stdio: 'ignore' })
    claim.release()
  })

  linesIn(BASE).compared.forEach((line, i) => {
    test(`${String(i + 1).padStart(2, '0')} ${line}`, () => {
      // The kernel's IPv6 routes are no part of what the simulator models.
      const v4 = (o: Output): Output => ({
        ...o,
        stdout: o.stdout
          .split('\n')
          .filter((l) => !/^(local |multicast )?(fe80::|::1|ff00::)/.test(l))
          .join('\n')
      })
      expect(v4(simOut[i]!)).toEqual(v4(realOut[i]!))
    })
  })
})
