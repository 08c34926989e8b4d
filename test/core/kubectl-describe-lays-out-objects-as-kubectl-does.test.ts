import { describe, expect, it } from 'vitest'
import { goTabwriter } from '../../src-main/core/shell/commands/kubectl-describe.ts'
import { labShell, run } from './shell-fixture.ts'

describe('kubectl describe: field order, indentation and alignment as describe.go writes them', () => {
  const s = labShell()
  const describeOut = (line: string): string => {
    const r = run(s, 'node-1', line)
    expect(r.stderr).toBe('')
    return r.stdout
  }

  it('aligns each run of tabbed lines on its own widest label, as text/tabwriter does', () => {
    expect(goTabwriter('Name:\tx\nAnnotations:\t<none>\nSubsets:\n  Addresses:\ta\n')).toBe(
      'Name:         x\nAnnotations:  <none>\nSubsets:\n  Addresses:  a\n'
    )
  })

  it('describes a pod: header fields, IPs, containers, conditions, volumes, tolerations, no events', () => {
    const out = describeOut('kubectl describe pod web-3')
    expect(out).toMatch(
      /^Name: {13}web-3\nNamespace: {8}default\nPriority: {9}0\nService Account: {2}default\nNode: {13}node-2\/192\.168\.56\.12\nStart Time: {7}Mon, 05 Jan 2026 09:00:00 \+0000\nLabels: {11}app=web\nAnnotations: {6}<none>\nStatus: {11}Running\nIP: {15}10\.244\.2\.2\nIPs:\n {2}IP: {2}10\.244\.2\.2\nContainers:\n {2}app:\n {4}Container ID: {3}containerd:\/\/[0-9a-f]{64}\n/
    )
    expect(out).toContain(
      '    Port:           8080/TCP\n    Host Port:      0/TCP\n    State:          Running\n      Started:      Mon, 05 Jan 2026 09:00:00 +0000\n    Ready:          True\n    Restart Count:  0\n    Environment:    <none>\n    Mounts:\n'
    )
    expect(out).toContain(
      'Conditions:\n  Type                        Status\n  PodReadyToStartContainers   True \n  Initialized                 True \n  Ready                       True \n  ContainersReady             True \n  PodScheduled                True \n'
    )
    expect(out).toMatch(
      /QoS Class: {19}BestEffort\nNode-Selectors: {14}<none>\nTolerations: {17}node\.kubernetes\.io\/not-ready:NoExecute op=Exists for 300s\n {29}node\.kubernetes\.io\/unreachable:NoExecute op=Exists for 300s\nEvents: {22}<none>\n$/
    )
  })

  it('describes the kubernetes Service with its two labels on their own lines', () => {
    expect(describeOut('kubectl describe svc kubernetes')).toBe(
      [
        'Name:                     kubernetes',
        'Namespace:                default',
        'Labels:                   component=apiserver',
        '                          provider=kubernetes',
        'Annotations:              <none>',
        'Selector:                 <none>',
        'Type:                     ClusterIP',
        'IP Family Policy:         SingleStack',
        'IP Families:              IPv4',
        'IP:                       10.96.0.1',
        'IPs:                      10.96.0.1',
        'Port:                     https  443/TCP',
        'TargetPort:               6443/TCP',
        'Endpoints:                192.168.56.11:6443',
        'Session Affinity:         None',
        'Internal Traffic Policy:  Cluster',
        'Events:                   <none>',
        ''
      ].join('\n')
    )
  })

  it('describes endpoints with their subsets, and one without any', () => {
    expect(describeOut('kubectl describe endpoints web empty-svc')).toBe(
      [
        'Name:         web',
        'Namespace:    default',
        'Labels:       <none>',
        'Annotations:  <none>',
        'Subsets:',
        '  Addresses:          10.244.1.3,10.244.1.4,10.244.2.2',
        '  NotReadyAddresses:  <none>',
        '  Ports:',
        '    Name  Port  Protocol',
        '    ----  ----  --------',
        '    http  8080  TCP',
        '',
        'Events:  <none>',
        '',
        '',
        'Name:         empty-svc',
        'Namespace:    default',
        'Labels:       <none>',
        'Annotations:  <none>',
        'Subsets:',
        'Events:  <none>',
        ''
      ].join('\n')
    )
  })

  it('describes a node with its addresses, pod CIDR and the pods it runs', () => {
    const out = describeOut('kubectl describe node node-2')
    expect(out).toMatch(
      /^Name: {15}node-2\nRoles: {14}<none>\nLabels: {13}beta\.kubernetes\.io\/arch=amd64\n/
    )
    expect(out).toContain('Addresses:\n  InternalIP:  192.168.56.12\n  Hostname:    node-2\n')
    expect(out).toContain(
      'PodCIDR:                      10.244.2.0/24\nPodCIDRs:                     10.244.2.0/24\nNon-terminated Pods:          (1 in total)\n'
    )
    expect(out).toMatch(/\n {2}default {21}web-3 {2}0 \(0%\)/)
  })

  it('describes every object whose name begins with the one given', () => {
    const out = describeOut('kubectl describe pod web')
    expect([...out.matchAll(/^Name: +(\S+)$/gm)].map((m) => m[1])).toEqual(['web-1', 'web-2', 'web-3'])
  })

  it('names an object it cannot find as kubectl does', () => {
    expect(run(s, 'node-1', 'kubectl describe node nope')).toEqual({
      stdout: '',
      stderr: 'Error from server (NotFound): nodes "nope" not found\n',
      exitCode: 1
    })
  })
})
