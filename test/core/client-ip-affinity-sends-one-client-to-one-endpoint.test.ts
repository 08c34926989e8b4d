import { describe, expect, test } from 'vitest'
import { labShellFromYaml, run } from './shell-fixture.ts'

const scenario = (affinity: string): string => `
formatVersion: 1
id: sticky
cluster: { seed: 3, dns: { enabled: false } }
nodes:
  - { name: node-1, ip: 192.168.56.11 }
pods:
  - { name: client, node: node-1, containers: [{ name: shell, app: sleep }] }
  - { name: web-1, node: node-1, labels: { app: web }, containers: [{ name: app, app: http, port: 8080 }] }
  - { name: web-2, node: node-1, labels: { app: web }, containers: [{ name: app, app: http, port: 8080 }] }
  - { name: web-3, node: node-1, labels: { app: web }, containers: [{ name: app, app: http, port: 8080 }] }
services:
  - name: web
    selector: { app: web }
    ${affinity}
    ports: [{ name: http, port: 80, targetPort: 8080 }]
`

const answers = (affinity: string): Set<string> => {
  const shell = labShellFromYaml(scenario(affinity))
  const out = run(
    shell,
    'client',
    'for i in 1 2 3 4 5 6 7 8 9 10; do curl -s http://10.96.0.10/; done'
  ).stdout
  return new Set(out.trim().split('\n'))
}

describe('sessionAffinity: ClientIP', () => {
  test('sends every connection of one client to the same endpoint, where None spreads them', () => {
    expect(answers('sessionAffinity: ClientIP').size).toBe(1)
    expect(answers('sessionAffinity: None').size).toBeGreaterThan(1)
  })

  test("is kube-proxy's recent match, as iptables-save prints it", () => {
    const shell = labShellFromYaml(scenario('sessionAffinity: ClientIP'))
    const nat = run(shell, 'node-1', 'iptables-save -t nat').stdout
    const sep =
      /-A (KUBE-SEP-\w+) -p tcp -m comment --comment "default\/web:http" -m recent --set --name \1 --mask 255\.255\.255\.255 --rsource -m tcp -j DNAT/g
    expect([...nat.matchAll(sep)]).toHaveLength(3)
    const check =
      /-A KUBE-SVC-\w+ -m comment --comment "default\/web:http -> [\d.]+:8080" -m recent --rcheck --seconds 10800 --reap --name (KUBE-SEP-\w+) --mask 255\.255\.255\.255 --rsource -j \1\n/g
    expect([...nat.matchAll(check)]).toHaveLength(3)
    expect(run(shell, 'node-1', 'kubectl get svc web -o jsonpath={.spec.sessionAffinity}').stdout).toBe(
      'ClientIP'
    )
  })

  test('forgets a client after 10800 seconds without a connection', () => {
    const shell = labShellFromYaml(scenario('sessionAffinity: ClientIP'))
    const picks = new Set<string>()
    for (let i = 0; i < 8; i++) {
      picks.add(run(shell, 'client', 'curl -s http://10.96.0.10/').stdout)
      run(shell, 'client', 'sleep 10801')
    }
    expect(picks.size).toBeGreaterThan(1)
  })
})
