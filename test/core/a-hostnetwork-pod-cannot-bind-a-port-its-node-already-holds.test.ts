import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { parseScenario } from '../../src-main/core/scenario/parse-scenario.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'

const base = readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8')
const withNodeDaemon = (fields: string): string =>
  base.replace(
    '  - { name: node-1, ip: 192.168.56.11, podCIDR: 10.244.1.0/24 }',
    `  - { name: node-1, ip: 192.168.56.11, podCIDR: 10.244.1.0/24${fields} }`
  )
const exporter = [
  '  - name: exporter',
  '    node: node-1',
  '    hostNetwork: true',
  '    labels: { app: exporter }',
  '    containers: [{ name: exporter, app: http, port: 9100 }]',
  ''
].join('\n')
const yaml = withNodeDaemon(', app: http, port: 9100').replace('services:\n', `${exporter}services:\n`)

const manifest = (port: number): string =>
  `printf '%s\\n' 'apiVersion: v1' 'kind: Pod' 'metadata:' '  name: exp' 'spec:' '  nodeName: node-2' '  hostNetwork: true' '  containers:' '  - name: exp' '    image: podnet/http' '    ports:' '    - containerPort: ${port}' > exp.yaml`

describe("a node's own server and the hostNetwork pods beside it", () => {
  test('the node runs its server outside Kubernetes: ss and ps on the node show it, and it answers with the node name', () => {
    const shell = labShellFromYaml(withNodeDaemon(', app: http, port: 9100'))
    const ss = run(shell, 'node-1', 'ss -ltnp').stdout
    const pid = /0\.0\.0\.0:9100 .*users:\(\("python3",pid=(\d+),fd=3\)\)/.exec(ss)?.[1]
    expect(pid).toBeDefined()
    expect(run(shell, 'node-1', 'ps ax').stdout).toMatch(
      new RegExp(`^\\s*${pid} \\?\\s+Ss\\s+0:00 python3 -m http.server 9100$`, 'm')
    )
    expect(run(shell, 'laptop', 'curl -s http://192.168.56.11:9100/').stdout).toBe('node-1\n')
    expect(run(shell, 'node-2', 'ss -ltnp').stdout).not.toContain(':9100')
  })

  test("a hostNetwork pod lists the node's interfaces and crash-loops on the port the node holds", () => {
    const shell = labShellFromYaml(yaml)
    expect(run(shell, 'exporter', 'ip addr').stdout).toContain(
      'inet 192.168.56.11/24 brd 192.168.56.255 scope global eth0'
    )
    expect(run(shell, 'node-1', 'kubectl get pod exporter').stdout).toMatch(
      /^exporter\s+0\/1\s+CrashLoopBackOff\s+5\s/m
    )
    expect(run(shell, 'node-1', 'kubectl logs exporter').stdout).toBe(
      'OSError: [Errno 98] Address already in use\n'
    )
    expect(run(shell, 'laptop', 'curl -s http://192.168.56.11:9100/').stdout).toBe('node-1\n')
  })

  test('refuses a node server without a port, and a port without a server', () => {
    const noPort = parseScenario(withNodeDaemon(', app: http'), 'x.yaml')
    expect(noPort.ok ? '' : noPort.errors.join('\n')).toContain('nodes[0].port')
    const noApp = parseScenario(withNodeDaemon(', port: 9100'), 'x.yaml')
    expect(noApp.ok ? '' : noApp.errors.join('\n')).toContain('a port needs an app that listens on it')
  })

  test("a pod's port cannot change in place: apply refuses it, and delete then apply moves the pod", () => {
    const shell = labShellFromYaml(base)
    run(shell, 'node-1', manifest(9100))
    expect(run(shell, 'node-1', 'kubectl apply -f exp.yaml').stdout).toBe('pod/exp created\n')
    run(shell, 'node-1', "sed -i 's/9100/9101/' exp.yaml")
    const changed = run(shell, 'node-1', 'kubectl apply -f exp.yaml')
    expect(changed.exitCode).toBe(1)
    expect(changed.stderr).toContain(
      'The Pod "exp" is invalid: spec: Forbidden: pod updates may not change fields'
    )
    expect(run(shell, 'laptop', 'curl -s -m 2 http://192.168.56.12:9101/').exitCode).toBe(7)
    run(shell, 'node-1', 'kubectl delete pod exp')
    run(shell, 'node-1', 'kubectl apply -f exp.yaml')
    expect(run(shell, 'laptop', 'curl -s http://192.168.56.12:9101/').stdout).toBe('exp\n')
  })
})
