import { describe, expect, test } from 'vitest'
import { RuleParser } from '../../src-main/core/kube/iptables-writer.ts'
import { syncKubeProxy } from '../../src-main/core/kube/kube-proxy.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'

const scenario = (affinity: string): string => `
formatVersion: 1
id: sticky-later
cluster: { seed: 5, dns: { enabled: false } }
nodes:
  - { name: node-1, ip: 192.168.56.11 }
  - { name: node-2, ip: 192.168.56.12 }
pods:
  - { name: web-1, node: node-1, labels: { app: web }, containers: [{ name: app, app: http, port: 8080 }] }
  - { name: web-2, node: node-2, labels: { app: web }, containers: [{ name: app, app: http, port: 8080 }] }
services:
  - name: web
    selector: { app: web }
    ${affinity}
    ports: [{ name: http, port: 80, targetPort: 8080 }]
`

describe('kube-proxy endpoint chains made once per sync', () => {
  test('follow a change of session affinity between two syncs that share one rule parser', () => {
    const changed = labShellFromYaml(scenario('sessionAffinity: None'))
    const parser = new RuleParser()
    syncKubeProxy(changed.lab, parser)
    const before = run(changed, 'node-1', 'iptables-save -t nat').stdout
    changed.lab.services.find((s) => s.name === 'web')!.sessionAffinity = 'ClientIP'
    syncKubeProxy(changed.lab, parser)
    const sticky = labShellFromYaml(scenario('sessionAffinity: ClientIP'))
    const after = run(changed, 'node-1', 'iptables-save -t nat').stdout
    expect(after).not.toBe(before)
    expect(after).toContain('--comment "default/web:http" -m recent --set')
    for (const node of ['node-1', 'node-2'])
      expect(run(changed, node, 'iptables-save -t nat').stdout).toBe(
        run(sticky, node, 'iptables-save -t nat').stdout
      )
  })
})
