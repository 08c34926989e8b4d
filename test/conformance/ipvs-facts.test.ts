import { describe, expect, test } from 'vitest'
import type { Scenario } from '../../src-main/core/scenario/scenario.schema.ts'
import type { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import { run } from '../core/shell-fixture.ts'
import { loadScenario, simulatedShell } from './conformance.ts'

/**
 * This kernel has no IPVS and no dummy links, so IPVS mode cannot be built from real
 * namespaces. Instead these tests pin the simulated IPVS mode to the statements of
 * docs/networking-facts.md ("IPVS mode" and the ping and round-robin myths), quoted in each
 * test name.
 */

function shellFor(version: string): LabShell {
  const base = loadScenario('two-node-ipvs')
  const scenario: Scenario = {
    ...base,
    cluster: { ...base.cluster, kubeProxy: { ...base.cluster.kubeProxy, version } }
  }
  return simulatedShell(scenario)
}

/** Skips (visibly) while the simulator lacks a tool the statement needs. */
function needs(shell: LabShell, tools: string[]): string | undefined {
  return tools.find((t) => shell.registry.get(t) === undefined)
}

describe('IPVS mode, checked against docs/networking-facts.md (no IPVS in this kernel, so not against real namespaces)', () => {
  const modern = shellFor('1.31')
  const old = shellFor('1.25')
  const t =
    (tools: string[]) =>
    (name: string, fn: () => void): void => {
      const missing = needs(modern, tools)
      if (missing) test.skip(`${name} (simulator has no \`${missing}\` yet)`, fn)
      else test(name, fn)
    }

  t(['ip'])('ClusterIPs are bound to dummy kube-ipvs0, which is DOWN with NOARP', () => {
    const out = run(modern, 'node-1', 'ip addr show kube-ipvs0')
    expect(out.exitCode).toBe(0)
    expect(out.stdout).toMatch(/^\d+: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN /m)
    for (const ip of ['10.96.0.100', '10.96.0.150', '10.96.0.200'])
      expect(out.stdout).toContain(`inet ${ip}/32 scope global kube-ipvs0`)
  })

  t(['ip'])(
    'table local holds "local <ClusterIP> dev kube-ipvs0 proto kernel scope host src <ClusterIP>"',
    () => {
      const out = run(modern, 'node-1', 'ip route show table local')
      expect(out.stdout).toContain('local 10.96.0.100 dev kube-ipvs0 proto kernel scope host src 10.96.0.100')
    }
  )

  t(['ping'])(
    'since 1.26 (KUBE-IPVS-FILTER) ping to a ClusterIP gets "From <ClusterIP> icmp_seq=1 Destination Port Unreachable"',
    () => {
      const out = run(modern, 'client', 'ping -c 1 -W 1 10.96.0.100')
      expect(out.stdout).toContain('From 10.96.0.100 icmp_seq=1 Destination Port Unreachable')
      expect(out.exitCode).toBe(1)
    }
  )

  t(['ping'])('before 1.26 the node kernel answers ping to a ClusterIP with ttl=64', () => {
    const out = run(old, 'client', 'ping -c 1 10.96.0.100')
    expect(out.stdout).toMatch(/^64 bytes from 10\.96\.0\.100: icmp_seq=1 ttl=64 time=/m)
    expect(out.exitCode).toBe(0)
  })

  t(['ipvsadm'])(
    'the default IPVS scheduler is rr (round robin per node), one real server per endpoint',
    () => {
      const out = run(modern, 'node-1', 'ipvsadm -Ln')
      expect(out.stdout).toMatch(/^TCP {2}10\.96\.0\.100:80 rr$/m)
      for (const ep of ['10.244.1.3:8080', '10.244.1.4:8080', '10.244.2.2:8080'])
        expect(out.stdout).toMatch(new RegExp(`-> ${ep.replace(/\./g, '\\.')} +Masq +1 +0 +0`))
    }
  )

  t(['curl'])('a Service port is still served: curl to the ClusterIP reaches a backend', () => {
    const out = run(modern, 'client', 'curl -s http://10.96.0.100/')
    expect(['web-1\n', 'web-2\n', 'web-3\n']).toContain(out.stdout)
    expect(out.exitCode).toBe(0)
  })

  t(['curl'])('rr hands successive connections from one node to the backends in turn', () => {
    const shell = shellFor('1.31')
    const answers = [1, 2, 3].map(() => run(shell, 'client', 'curl -s http://10.96.0.100/').stdout)
    expect(new Set(answers).size).toBe(3)
  })
})
