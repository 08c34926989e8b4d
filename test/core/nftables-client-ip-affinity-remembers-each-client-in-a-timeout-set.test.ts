import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import type { NetfilterDetail } from '../../src-main/core/engine/trace.ts'
import { buildLab } from '../../src-main/core/scenario/build-lab.ts'
import { parseScenario } from '../../src-main/core/scenario/parse-scenario.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'

const scenario = (affinity: string): string => `
formatVersion: 1
id: sticky-nft
cluster: { seed: 3, dns: { enabled: false }, kubeProxy: { mode: nftables } }
nodes:
  - { name: node-1, ip: 192.168.56.11 }
pods:
  - { name: client, node: node-1, ip: 10.244.0.2, containers: [{ name: shell, app: sleep }] }
  - { name: web-1, node: node-1, ip: 10.244.0.3, labels: { app: web }, containers: [{ name: app, app: http, port: 8080 }] }
  - { name: web-2, node: node-1, ip: 10.244.0.4, labels: { app: web }, containers: [{ name: app, app: http, port: 8080 }] }
services:
  - name: web
    clusterIP: 10.96.0.20
    selector: { app: web }
    ${affinity}
    ports: [{ name: http, port: 80, targetPort: 8080 }]
`

const curls = 'for i in 1 2 3 4 5 6 7 8; do curl -s http://10.96.0.20/; done'

describe('sessionAffinity: ClientIP in nftables mode', () => {
  test('sends every connection of one client to one endpoint, where None spreads them', () => {
    const answers = (affinity: string): Set<string> =>
      new Set(
        run(labShellFromYaml(scenario(affinity)), 'client', curls)
          .stdout.trim()
          .split('\n')
      )
    expect(answers('sessionAffinity: ClientIP').size).toBe(1)
    expect(answers('sessionAffinity: None').size).toBeGreaterThan(1)
  })

  test('is written as kube-proxy writes it: a timeout set per endpoint, checked before numgen', () => {
    const s = labShellFromYaml(scenario('sessionAffinity: ClientIP'))
    const ruleset = run(s, 'node-1', 'nft list ruleset').stdout
    const sets = [...ruleset.matchAll(/\tset (affinity-\S+) \{\n([\s\S]*?)\n\t\}/g)]
    expect(sets.map((m) => m[1]!.replace(/^affinity-\w+-/, ''))).toEqual([
      'default/web/tcp/http__10.244.0.3/8080',
      'default/web/tcp/http__10.244.0.4/8080'
    ])
    for (const m of sets)
      expect(m[2]).toBe('\t\ttype ipv4_addr\n\t\tsize 65535\n\t\tflags dynamic,timeout\n\t\ttimeout 3h')
    const service = /\tchain (service-\w+-default\/web\/tcp\/http) \{\n([\s\S]*?)\n\t\}/.exec(ruleset)![2]!
    const lines = service
      .trim()
      .split('\n')
      .map((l) => l.trim())
    expect(lines).toHaveLength(4)
    for (const [i, ip] of ['10.244.0.3', '10.244.0.4'].entries())
      expect(lines[i + 1]).toMatch(
        new RegExp(
          `^ip saddr @affinity-(\\w+)-default/web/tcp/http__${ip}/8080 goto endpoint-\\1-default/web/tcp/http__${ip}/8080$`
        )
      )
    expect(lines[3]).toMatch(/^numgen random mod 2 vmap \{/)
    const endpoint =
      /\tchain (endpoint-\w+-default\/web\/tcp\/http__10\.244\.0\.3\/8080) \{\n([\s\S]*?)\n\t\}/.exec(
        ruleset
      )![2]!
    expect(
      endpoint
        .trim()
        .split('\n')
        .map((l) => l.trim())
    ).toEqual([
      'ip saddr 10.244.0.3 jump mark-for-masquerade',
      expect.stringMatching(
        /^update @affinity-\w+-default\/web\/tcp\/http__10\.244\.0\.3\/8080 \{ ip saddr \}$/
      ),
      'meta l4proto tcp dnat to 10.244.0.3:8080'
    ])
  })

  test('lists the remembered client with what is left of its timeout, until it expires', () => {
    const s = labShellFromYaml(scenario('sessionAffinity: ClientIP'))
    const served = run(s, 'client', 'curl -s http://10.96.0.20/').stdout.trim()
    const ip = served === 'web-1' ? '10.244.0.3' : '10.244.0.4'
    run(s, 'client', 'sleep 60')
    const ruleset = run(s, 'node-1', 'nft list ruleset').stdout
    const set = new RegExp(
      `\\tset affinity-\\w+-default/web/tcp/http__${ip.replaceAll('.', '\\.')}/8080 \\{\\n([\\s\\S]*?)\\n\\t\\}`
    ).exec(ruleset)![1]!
    expect(set).toMatch(/\t\telements = \{ 10\.244\.0\.2 expires 2h58m5\ds(\d+ms)? \}$/)
    run(s, 'client', 'sleep 10800')
    expect(run(s, 'node-1', 'nft list ruleset').stdout).not.toContain('10.244.0.2 expires')
  })

  test('is set from a manifest, and refused with the apiserver’s words when misspelt', () => {
    const s = labShellFromYaml(scenario(''))
    const apply = (value: string): ReturnType<typeof run> =>
      run(
        s,
        'node-1',
        `printf 'apiVersion: v1\\nkind: Service\\nmetadata:\\n  name: web\\nspec:\\n  clusterIP: 10.96.0.20\\n  selector:\\n    app: web\\n  sessionAffinity: ${value}\\n  ports:\\n  - name: http\\n    port: 80\\n    targetPort: 8080\\n' | kubectl apply -f -`
      )
    expect(apply('ClientIp').stderr).toBe(
      'The Service "web" is invalid: spec.sessionAffinity: Unsupported value: "ClientIp": supported values: "ClientIP", "None"\n'
    )
    expect(apply('ClientIP').stdout).toBe('service/web configured\n')
    expect(new Set(run(s, 'client', curls).stdout.trim().split('\n')).size).toBe(1)
    expect(run(s, 'node-1', 'nft list ruleset').stdout).toContain('flags dynamic,timeout')
  })

  test('a later trace takes the affinity rule straight to the remembered endpoint', () => {
    const parsed = parseScenario(scenario('sessionAffinity: ClientIP'), 'sticky.yaml')
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
    const lab = buildLab(parsed.scenario)
    const first = sendProbe(lab, { proto: 'tcp', from: 'client', to: '10.96.0.20', port: 80 })
    const again = sendProbe(lab, { proto: 'tcp', from: 'client', to: '10.96.0.20', port: 80 })
    expect(again.servedBy).toBe(first.servedBy)
    const texts = again.hops.flatMap((h) =>
      h.detail && 'hits' in h.detail ? (h.detail as NetfilterDetail).hits.map((r) => r.text) : []
    )
    expect(texts.some((t) => /^ip saddr @affinity-\S+ goto endpoint-/.test(t))).toBe(true)
    expect(texts.some((t) => t.startsWith('numgen random'))).toBe(false)
  })
})
