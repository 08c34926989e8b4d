import { describe, expect, it } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

const ALLOW_CLIENT =
  "echo '{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: api-from-client}, spec: {podSelector: {matchLabels: {app: api}}, ingress: [{from: [{podSelector: {matchLabels: {role: client}}}, {namespaceSelector: {matchLabels: {team: a}}, podSelector: {matchExpressions: [{key: tier, operator: In, values: [db, cache]}]}}], ports: [{protocol: TCP, port: 9090}, {port: http}]}, {from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.0.0/16]}}]}], egress: [{}]}}' > p.yaml"

describe('kubectl and NetworkPolicy objects', () => {
  it('lists policies with their pod selector, <none> for one that selects every pod', () => {
    const lab = labShell('two-node-kube-router-netpol')
    run(
      lab,
      'node-1',
      "echo '{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: deny-all}, spec: {podSelector: {}}}' > d.yaml"
    )
    expect(run(lab, 'node-1', 'kubectl apply -f d.yaml').stdout).toBe(
      'networkpolicy.networking.k8s.io/deny-all created\n'
    )
    expect(run(lab, 'node-1', 'kubectl get netpol').stdout).toBe(
      [
        'NAME               POD-SELECTOR   AGE',
        'deny-all           <none>         0s',
        'locked-egress      role=locked    0s',
        'web-from-clients   app=web        0s',
        ''
      ].join('\n')
    )
    expect(run(lab, 'node-1', 'kubectl get networkpolicies -o name').stdout).toContain(
      'networkpolicy.networking.k8s.io/deny-all\n'
    )
  })

  it('describes rules in kubectl’s layout: ports, peers, a separator between rules, policy types', () => {
    const lab = labShell('two-node-kube-router-netpol')
    run(lab, 'node-1', ALLOW_CLIENT)
    run(lab, 'node-1', 'kubectl apply -f p.yaml')
    expect(run(lab, 'node-1', 'kubectl describe netpol api-from-client').stdout).toBe(
      [
        'Name:         api-from-client',
        'Namespace:    default',
        'Created on:   2026-01-05 09:00:00 +0000 UTC',
        'Labels:       <none>',
        'Annotations:  <none>',
        'Spec:',
        '  PodSelector:     app=api',
        '  Allowing ingress traffic:',
        '    To Port: 9090/TCP',
        '    To Port: http/TCP',
        '    From:',
        '      PodSelector: role=client',
        '    From:',
        '      NamespaceSelector: team=a',
        '      PodSelector: tier in (cache,db)',
        '    ----------',
        '    To Port: <any> (traffic allowed to all ports)',
        '    From:',
        '      IPBlock:',
        '        CIDR: 10.0.0.0/8',
        '        Except: 10.1.0.0/16, 10.2.0.0/16',
        '  Allowing egress traffic:',
        '    To Port: <any> (traffic allowed to all ports)',
        '    To: <any> (traffic not restricted by destination)',
        '  Policy Types: Ingress, Egress',
        ''
      ].join('\n')
    )
  })

  it('describes a default deny as isolating the pods it selects', () => {
    const lab = labShell('two-node-kube-router-netpol')
    run(
      lab,
      'node-1',
      "echo '{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: deny-all}, spec: {podSelector: {}, policyTypes: [Ingress, Egress]}}' > d.yaml"
    )
    run(lab, 'node-1', 'kubectl apply -f d.yaml')
    expect(run(lab, 'node-1', 'kubectl describe networkpolicy deny-all').stdout).toContain(
      [
        'Spec:',
        '  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)',
        '  Allowing ingress traffic:',
        '    <none> (Selected pods are isolated for ingress connectivity)',
        '  Allowing egress traffic:',
        '    <none> (Selected pods are isolated for egress connectivity)',
        '  Policy Types: Ingress, Egress',
        ''
      ].join('\n')
    )
    expect(run(lab, 'node-1', 'kubectl describe netpol web-from-clients').stdout).toContain(
      '  Not affecting egress traffic\n  Policy Types: Ingress\n'
    )
  })

  it('enforces an applied policy at once and lifts it when deleted by name', () => {
    const lab = labShell('two-node-kube-router-netpol')
    const curl = 'curl -sS -m 3 http://10.244.2.3:8080/'
    expect(run(lab, 'stranger', curl).exitCode).toBe(0)
    run(
      lab,
      'node-1',
      "echo '{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: deny-plain}, spec: {podSelector: {matchLabels: {app: plain}}}}' > d.yaml"
    )
    run(lab, 'node-1', 'kubectl apply -f d.yaml')
    expect(run(lab, 'stranger', curl).exitCode).toBe(7)
    expect(run(lab, 'node-1', 'kubectl delete netpol deny-plain').stdout).toBe(
      'networkpolicy.networking.k8s.io "deny-plain" deleted\n'
    )
    expect(run(lab, 'stranger', curl).exitCode).toBe(0)
  })

  it('refuses a peer that is both an ipBlock and a podSelector, naming the field', () => {
    const lab = labShell('two-node-kube-router-netpol')
    run(
      lab,
      'node-1',
      "echo '{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: bad}, spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]}}' > b.yaml"
    )
    const r = run(lab, 'node-1', 'kubectl apply -f b.yaml')
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(
      /^The NetworkPolicy "bad" is invalid: spec\.ingress\[0\]\.from\[0\]: Invalid value: /
    )
    expect(run(lab, 'node-1', 'kubectl describe netpol bad').stderr).toBe(
      'Error from server (NotFound): networkpolicies.networking.k8s.io "bad" not found\n'
    )
  })
})
