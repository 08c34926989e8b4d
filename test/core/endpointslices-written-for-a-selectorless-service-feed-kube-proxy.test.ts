import { describe, expect, it } from 'vitest'
import { labShellFromYaml, run } from './shell-fixture.ts'

function cluster(mode: 'iptables' | 'nftables'): string {
  return `formatVersion: 1
id: manual-slices
cluster:
  gateway: 192.168.56.1
  kubeProxy: { mode: ${mode} }
  dns: { enabled: false }
nodes:
  - { name: node-1, ip: 192.168.56.11 }
  - { name: node-2, ip: 192.168.56.12 }
pods:
  - { name: client, node: node-1, ip: 10.244.0.2, containers: [{ name: shell, app: sleep }] }
  - { name: legacy-db, node: node-2, ip: 10.244.1.2, containers: [{ name: app, app: http, port: 8080 }] }
`
}

const MANIFESTS = `cat <<EOF > legacy.yaml
apiVersion: v1
kind: Service
metadata:
  name: legacy
spec:
  clusterIP: 10.96.0.50
  ports:
  - name: http
    port: 80
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: legacy-1
  labels:
    kubernetes.io/service-name: legacy
addressType: IPv4
ports:
- name: http
  port: 8080
endpoints:
- addresses: ["10.244.1.2"]
  nodeName: node-2
- addresses: ["10.244.1.9"]
  conditions:
    ready: false
EOF
kubectl apply -f legacy.yaml`

describe('an EndpointSlice written for a Service without a selector', () => {
  it.each(['iptables', 'nftables'] as const)('gives it its backend in %s mode', (mode) => {
    const s = labShellFromYaml(cluster(mode))
    expect(run(s, 'node-1', MANIFESTS).stdout).toBe(
      'service/legacy created\nendpointslice.discovery.k8s.io/legacy-1 created\n'
    )
    const rules = run(s, 'node-1', mode === 'iptables' ? 'iptables-save -t nat' : 'nft list ruleset').stdout
    expect(rules).toContain('10.244.1.2')
    expect(rules).not.toContain('10.244.1.9')
    expect(run(s, 'client', 'curl -s http://10.96.0.50/').stdout).toContain('legacy-db')
  })

  it('is listed by kubectl get endpointslices beside the controller’s, and goes with delete -f', () => {
    const s = labShellFromYaml(cluster('iptables'))
    run(s, 'node-1', MANIFESTS)
    expect(run(s, 'node-1', 'kubectl get endpointslices').stdout).toMatch(
      /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\nkubernetes\s+IPv4\s+6443\s+192\.168\.56\.11\s+0s\nlegacy-1\s+IPv4\s+8080\s+10\.244\.1\.2,10\.244\.1\.9\s+0s\n$/
    )
    expect(
      run(s, 'node-1', 'kubectl get endpointslice legacy-1 -o jsonpath={.endpoints[1].conditions.ready}')
        .stdout
    ).toBe('false')
    expect(run(s, 'node-1', 'kubectl delete -f legacy.yaml').stdout).toBe(
      'service "legacy" deleted\nendpointslice.discovery.k8s.io "legacy-1" deleted\n'
    )
    expect(run(s, 'node-1', 'iptables-save -t nat').stdout).not.toContain('10.244.1.2')
  })

  it('is refused with the apiserver’s causes when it is invalid', () => {
    const s = labShellFromYaml(cluster('iptables'))
    const bad = `cat <<EOF > bad.yaml
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: bad
addressType: IPv4
ports:
- port: 70000
  protocol: HTTP
endpoints:
- addresses: ["10.244.1.300"]
- addresses: []
EOF
kubectl apply -f bad.yaml`
    expect(run(s, 'node-1', bad)).toEqual({
      stdout: '',
      stderr:
        'The EndpointSlice "bad" is invalid: \n' +
        '* endpoints[0].addresses[0]: Invalid value: "10.244.1.300": must be a valid IPv4 address\n' +
        '* endpoints[1].addresses: Required value: must contain at least 1 address\n' +
        '* ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"\n' +
        '* ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n',
      exitCode: 1
    })
    expect(
      run(
        s,
        'node-1',
        'printf "apiVersion: discovery.k8s.io/v1\\nkind: EndpointSlice\\nmetadata:\\n  name: x\\n" | kubectl apply -f -'
      ).stderr
    ).toBe('The EndpointSlice "x" is invalid: addressType: Required value\n')
  })
})
