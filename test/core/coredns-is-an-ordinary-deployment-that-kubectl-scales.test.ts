import { describe, expect, it } from 'vitest'
import { labShellFromYaml, run } from './shell-fixture.ts'
import { dnsClusterYaml } from './dns-cluster-fixture.ts'

const CLUSTER = dnsClusterYaml({ id: 'coredns-deployment' })

describe('CoreDNS as kubeadm deploys it', () => {
  it('is listed as a Deployment with its ReplicaSet, as kubectl prints them', () => {
    const s = labShellFromYaml(CLUSTER)
    expect(run(s, 'node-1', 'kubectl -n kube-system get deploy').stdout).toBe(
      'NAME      READY   UP-TO-DATE   AVAILABLE   AGE\n' + 'coredns   2/2     2            2           0s\n'
    )
    expect(run(s, 'node-1', 'kubectl -n kube-system get rs').stdout).toBe(
      'NAME                 DESIRED   CURRENT   READY   AGE\n' +
        'coredns-7c65d6cfc9   2         2         2       0s\n'
    )
    expect(
      run(
        s,
        'node-1',
        "kubectl -n kube-system get pods -l k8s-app=kube-dns -o jsonpath='{.items[*].metadata.ownerReferences[0].name}'"
      ).stdout
    ).toBe('coredns-7c65d6cfc9 coredns-7c65d6cfc9')
  })

  it('scales to zero through the Deployment, leaving lookups unanswered, and back', () => {
    const s = labShellFromYaml(CLUSTER)
    expect(run(s, 'node-1', 'kubectl -n kube-system scale deploy coredns --replicas=0').stdout).toBe(
      'deployment.apps/coredns scaled\n'
    )
    expect(run(s, 'node-1', 'kubectl -n kube-system get deploy coredns').stdout).toBe(
      'NAME      READY   UP-TO-DATE   AVAILABLE   AGE\n' + 'coredns   0/0     0            0           0s\n'
    )
    expect(run(s, 'node-1', 'kubectl -n kube-system get events --no-headers').stdout).toContain(
      'Scaled down replica set coredns-7c65d6cfc9 to 0 from 2'
    )
    expect(run(s, 'client', 'getent hosts kubernetes').exitCode).toBe(2)
    run(s, 'node-1', 'kubectl -n kube-system scale deploy coredns --replicas=3')
    const nodes = run(
      s,
      'node-1',
      "kubectl -n kube-system get pods -l k8s-app=kube-dns -o jsonpath='{.items[*].spec.nodeName}'"
    )
    expect(nodes.stdout).toBe('node-1 node-2 node-1')
    expect(run(s, 'client', 'getent hosts kubernetes').stdout).toBe(
      '10.96.0.1       kubernetes.default.svc.cluster.local\n'
    )
  })

  it('replaces a deleted replica under a new name, as its ReplicaSet does', () => {
    const s = labShellFromYaml(CLUSTER)
    const names = (): string[] =>
      run(s, 'node-1', 'kubectl -n kube-system get pods -l k8s-app=kube-dns -o name')
        .stdout.trim()
        .split('\n')
    const [first, second] = names()
    run(s, 'node-1', `kubectl -n kube-system delete ${first}`)
    const after = names()
    expect(after).toHaveLength(2)
    expect(after).toContain(second)
    expect(after).not.toContain(first)
    expect(after.every((n) => n.startsWith('pod/coredns-7c65d6cfc9-'))).toBe(true)
  })
})
