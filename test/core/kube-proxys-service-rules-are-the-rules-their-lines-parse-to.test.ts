import { readdirSync, readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { formatIptRuleSpec, parseIptRule, splitRuleLine } from '../../src-main/core/linux/iptables-rule.ts'
import { probabilityToFixed, type IptRule } from '../../src-main/core/linux/netfilter.ts'
import { buildLab } from '../../src-main/core/scenario/build-lab.ts'
import { parseScenario } from '../../src-main/core/scenario/parse-scenario.ts'

test('every jump of a Service chain to an endpoint is what parsing its line gives, with kube-proxy’s 1/(n-i) odds', () => {
  const dir = 'test/fixtures/scenarios'
  const jumps: IptRule[] = []
  for (const file of readdirSync(dir)) {
    const parsed = parseScenario(readFileSync(`${dir}/${file}`, 'utf8'), file)
    if (!parsed.ok) continue
    const lab = buildLab(parsed.scenario)
    for (const ns of lab.netns.values())
      for (const [name, chain] of ns.netfilter.nat.chains)
        if (name.startsWith('KUBE-SVC-') || name.startsWith('KUBE-SVL-')) {
          const balancing = chain.rules.filter(
            (r) =>
              r.target.kind === 'jump' &&
              r.target.chain.startsWith('KUBE-SEP-') &&
              !r.matches.some((m) => m.module === 'recent')
          )
          balancing.forEach((r, i) => {
            const n = balancing.length
            const odds = r.matches.find((m) => m.module === 'statistic')
            expect(odds && odds.probability).toBe(
              i < n - 1 ? probabilityToFixed(Number((1 / (n - i)).toFixed(10))) : undefined
            )
          })
          jumps.push(...balancing)
        }
  }
  expect(jumps.some((r) => r.matches.some((m) => m.module === 'statistic'))).toBe(true)
  expect(jumps.some((r) => !r.matches.some((m) => m.module === 'statistic'))).toBe(true)
  for (const rule of jumps) {
    const reparsed = parseIptRule(splitRuleLine(formatIptRuleSpec(rule)))
    expect(reparsed.ok && reparsed.rule).toEqual(rule)
  }
})

test('every rule matching a Service’s cluster IP names its address and port, and is what its line parses to', () => {
  const parsed = parseScenario(
    readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8'),
    'two-node-vxlan'
  )
  if (!parsed.ok) throw new Error('fixture does not parse')
  const lab = buildLab(parsed.scenario)
  const nat = lab.netns.get(lab.nodes[0]!.netns)!.netfilter.nat
  let seen = 0
  for (const [name, chain] of nat.chains) {
    if (name !== 'KUBE-SERVICES' && !name.startsWith('KUBE-SVC-')) continue
    for (const rule of chain.rules) {
      const comment = rule.matches.find((m) => m.module === 'comment')
      if (!comment?.comment.endsWith(' cluster IP')) continue
      const svc = lab.services.find(
        (s) =>
          comment.comment === `${s.namespace}/${s.name} cluster IP` ||
          comment.comment.startsWith(`${s.namespace}/${s.name}:`)
      )!
      const ports = rule.matches.flatMap((m) =>
        (m.module === 'tcp' || m.module === 'udp') && m.dport ? [m.dport.value] : []
      )
      expect(rule.dst?.value).toEqual({ network: svc.clusterIP, prefixLen: 32 })
      expect(svc.ports.map((p) => p.port)).toContain(ports[0])
      const reparsed = parseIptRule(splitRuleLine(formatIptRuleSpec(rule)))
      expect(reparsed.ok && reparsed.rule).toEqual(rule)
      seen++
    }
  }
  expect(seen).toBeGreaterThan(1)
})
