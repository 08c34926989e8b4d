import { describe, expect, test } from 'vitest'
import { readFileSync } from 'node:fs'
import { labShellFromYaml, run } from './shell-fixture.ts'

/**
 * kube-proxy 1.31's nftables proxier for a NodePort with externalTrafficPolicy Local
 * (pkg/proxy/nftables/proxier.go): the external chain short-circuits pod and node traffic to the
 * service chain, sends the rest to a `local-` chain of this node's endpoints, and a node without
 * one gets a `drop` element in no-endpoint-nodeports instead of the fall-through.
 */
function localPolicyLab(): ReturnType<typeof labShellFromYaml> {
  const yaml = readFileSync('test/fixtures/scenarios/two-node-nftables.yaml', 'utf8')
    .replace(
      '  - name: web-3\n    node: node-2\n    labels: { app: web }',
      '  - name: web-3\n    node: node-2\n    labels: { app: web, np: solo }'
    )
    .replace(
      '    selector: { app: web }\n    ports: [{ name: http, port: 80, targetPort: 8080, nodePort: 30080 }]',
      '    selector: { np: solo }\n    externalTrafficPolicy: Local\n    ports: [{ name: http, port: 80, targetPort: 8080, nodePort: 30080 }]'
    )
  return labShellFromYaml(yaml)
}

const ext = 'external-4OLDCMEK-default/web-np/tcp/http'
const svc = 'service-4OLDCMEK-default/web-np/tcp/http'

describe('externalTrafficPolicy: Local in nftables mode', () => {
  test('the external chain and the local chain are the proxier’s', () => {
    const lab = localPolicyLab()
    const withEndpoint = run(lab, 'node-2', 'nft list ruleset').stdout
    expect(withEndpoint).toContain(
      [
        `\tchain ${ext} {`,
        `\t\tip saddr 10.244.0.0/16 goto ${svc} comment "short-circuit pod traffic"`,
        '\t\tfib saddr type local jump mark-for-masquerade comment "masquerade local traffic"',
        `\t\tfib saddr type local goto ${svc} comment "short-circuit local traffic"`,
        '\t\tgoto local-4OLDCMEK-default/web-np/tcp/http',
        '\t}'
      ].join('\n')
    )
    expect(withEndpoint).toMatch(
      /\tchain local-4OLDCMEK-default\/web-np\/tcp\/http \{\n\t\tnumgen random mod 1 vmap \{ 0 : goto endpoint-[A-Z0-9]+-default\/web-np\/tcp\/http__10\.244\.2\.2\/8080 \}\n/
    )
    const without = run(lab, 'node-1', 'nft list ruleset').stdout
    expect(without).not.toContain('chain local-4OLDCMEK')
    expect(without).toContain('tcp . 30080 comment "default/web-np:http" : drop')
  })

  test('outside clients reach only a node with a local endpoint, keeping their source address', () => {
    const lab = localPolicyLab()
    expect(run(lab, 'laptop', 'curl -sS -m 2 http://192.168.56.11:30080/').exitCode).toBe(28)
    expect(run(lab, 'laptop', 'curl -sS -m 2 http://192.168.56.12:30080/').stdout).toBe('web-3\n')
    expect(run(lab, 'node-2', 'conntrack -L -p tcp').stdout).toContain(
      'src=192.168.56.100 dst=192.168.56.12 sport='
    )
  })

  test('pods and the node itself still reach the endpoint through a node without one', () => {
    const lab = localPolicyLab()
    expect(run(lab, 'client', 'curl -sS -m 2 http://192.168.56.11:30080/').stdout).toBe('web-3\n')
    expect(run(lab, 'node-1', 'curl -sS -m 2 http://192.168.56.11:30080/').stdout).toBe('web-3\n')
  })
})
