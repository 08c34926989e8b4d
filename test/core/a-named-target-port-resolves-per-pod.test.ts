import { expect, test } from 'vitest'
import { labShellFromYaml, run } from './shell-fixture.ts'

const yaml = `
formatVersion: 1
id: named-ports
cluster: { seed: 3, dns: { enabled: false } }
nodes:
  - { name: node-1, ip: 192.168.56.11 }
pods:
  - { name: client, node: node-1, containers: [{ name: shell, app: sleep }] }
  - name: old
    node: node-1
    labels: { app: web }
    containers: [{ name: app, app: http, port: 8080, portName: web }, { name: m, app: tcp-echo, port: 9100, portName: metrics }]
  - name: new
    node: node-1
    labels: { app: web }
    containers: [{ name: app, app: http, port: 9090, portName: web }]
services:
  - name: web
    selector: { app: web }
    ports:
      - { name: http, port: 80, targetPort: web }
      - { name: metrics, port: 9100, targetPort: metrics }
`

test("a Service port naming its targetPort reaches each pod on that pod's own port, and skips pods without it", () => {
  const shell = labShellFromYaml(yaml)
  const nat = run(shell, 'node-1', 'iptables-save -t nat').stdout
  expect(nat).toContain('-j DNAT --to-destination 10.244.0.3:8080')
  expect(nat).toContain('-j DNAT --to-destination 10.244.0.4:9090')
  expect(nat).toContain('-j DNAT --to-destination 10.244.0.3:9100')
  expect(nat).not.toContain('10.244.0.4:9100')
  expect(run(shell, 'node-1', 'kubectl get svc web -o jsonpath={.spec.ports[0].targetPort}').stdout).toBe(
    'web'
  )
  const answers = run(shell, 'client', 'for i in 1 2 3 4 5 6 7 8; do curl -s http://10.96.0.10/; done').stdout
  expect(new Set(answers.trim().split('\n'))).toEqual(new Set(['old', 'new']))
})
