import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { portmapChainName } from '../../src-main/core/kube/portmap.ts'
import { parseScenario } from '../../src-main/core/scenario/parse-scenario.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'

const base = readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8')
const withPods = (pods: string): string => base.replace('services:\n', `${pods}services:\n`)
const hostPortPod = (name: string, node: string, hostPort: string): string =>
  [
    `  - name: ${name}`,
    `    node: ${node}`,
    `    labels: { app: ${name} }`,
    `    containers: [{ name: app, app: http, port: 8080${hostPort} }]`,
    ''
  ].join('\n')
const yaml = withPods(hostPortPod('hp', 'node-2', ', hostPort: 8081'))

describe('hostPort through the portmap plugin', () => {
  test("names the pod's chain as portmap does: CNI-DN- and SHA-512 of network name and sandbox id", () => {
    // Python's hashlib.sha512(b'cbr0' + id).hexdigest(), cut to iptables' 28 characters.
    expect(portmapChainName('f2ec56e8cb7e66477ff5bb58c2bfa2b89ed215caea2d67bdc7826cf1fd26a83c')).toBe(
      'CNI-DN-ccb4fb8dd38afa542b8d1'
    )
  })

  test("answers on its own node's address and is refused on the other node, unlike a NodePort", () => {
    const shell = labShellFromYaml(yaml)
    expect(run(shell, 'laptop', 'curl -s http://192.168.56.12:8081/').stdout).toBe('hp\n')
    expect(run(shell, 'laptop', 'curl -s -m 2 http://192.168.56.11:8081/').exitCode).toBe(7)
  })

  test("writes portmap's chains on the pod's node only", () => {
    const shell = labShellFromYaml(yaml)
    const pod = shell.lab.pods.find((p) => p.name === 'hp')!
    const save = run(shell, 'node-2', 'iptables-save -t nat').stdout
    const chain = portmapChainName(pod.sandboxId)
    expect(save).toContain(
      `-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"cbr0\\" id: \\"${pod.sandboxId}\\"" -m multiport --dports 8081 -j ${chain}`
    )
    expect(save).toContain(`-A ${chain} -s 10.244.2.0/24 -p tcp -m tcp --dport 8081 -j CNI-HOSTPORT-SETMARK`)
    expect(save).toContain(`-A ${chain} -p tcp -m tcp --dport 8081 -j DNAT --to-destination 10.244.2.3:8080`)
    expect(run(shell, 'node-1', 'iptables-save -t nat').stdout).not.toContain('CNI-')
  })

  test('refuses a hostPort without a container port, and a hostPort taken twice on one node', () => {
    const noPort = parseScenario(
      withPods(hostPortPod('a', 'node-2', ', hostPort: 8081').replace('app: http, port: 8080', 'app: sleep')),
      'x.yaml'
    )
    expect(noPort.ok ? [] : noPort.errors.join('\n')).toContain('containers[0].hostPort')
    const twice = parseScenario(
      withPods(
        hostPortPod('a', 'node-2', ', hostPort: 8081') + hostPortPod('b', 'node-2', ', hostPort: 8081')
      ),
      'x.yaml'
    )
    expect(twice.ok ? [] : twice.errors.join('\n')).toContain(
      'hostPort 8081 is already taken on node-2 by pod a'
    )
  })
})
