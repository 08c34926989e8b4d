/**
 * k3s runs kube-controller-manager inside its binary with `--controllers=*,-service,-route,
 * -cloud-node-lifecycle` and a `--root-ca-file` (k3s pkg/daemons/control/server.go), so the
 * default root-ca-cert-publisher runs there too and writes kube-root-ca.crt into every
 * namespace, as on kubeadm.
 */
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { labShell, run } from './shell-fixture.ts'

describe('k3s publishes kube-root-ca.crt in every namespace', () => {
  const s = labShell('three-node-k3s')
  const get = (line: string): { stdout: string; stderr: string; exitCode: number } => run(s, 'server', line)

  it('lists one per namespace and nothing of kubeadm’s', () => {
    const namespaces = get('kubectl get ns -o name')
      .stdout.trim()
      .split('\n')
      .map((n) => n.replace('namespace/', ''))
    const rows = get('kubectl get cm -A').stdout.trim().split('\n').slice(1)
    expect(rows.map((r) => r.split(/ +/).slice(0, 3).join(' '))).toEqual(
      namespaces.map((ns) => `${ns} kube-root-ca.crt 1`)
    )
  })

  it('holds the cluster CA under ca.crt with the publisher’s description', () => {
    const cm = parseYaml(get('kubectl -n kube-system get cm kube-root-ca.crt -o yaml').stdout) as {
      data: Record<string, string>
      metadata: { annotations: Record<string, string> }
    }
    expect(Object.keys(cm.data)).toEqual(['ca.crt'])
    expect(cm.data['ca.crt']).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/)
    expect(cm.metadata.annotations['kubernetes.io/description']).toMatch(/^Contains a CA bundle/)
  })
})
