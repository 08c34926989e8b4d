import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { labShell, run } from './shell-fixture.ts'

interface PodYaml {
  metadata: { annotations?: Record<string, string>; ownerReferences: { kind: string; name: string }[] }
  spec: {
    serviceAccountName?: string
    priority: number
    priorityClassName?: string
    nodeSelector?: Record<string, string>
    tolerations: { key?: string; operator: string; effect?: string }[]
    containers: { resources: { requests?: Record<string, string> } }[]
  }
  status: { qosClass: string; podIP: string }
}

describe('kubeadm lists its control plane as static pods and its system pods with their specs', () => {
  const s = labShell('two-node-vxlan')
  const get = (line: string): { stdout: string; stderr: string; exitCode: number } => run(s, 'node-1', line)
  const podOf = (ns: string, prefix: string): string =>
    get(`kubectl -n ${ns} get pods -o name`)
      .stdout.split('\n')
      .find((n) => n.startsWith(`pod/${prefix}`))!
      .replace('pod/', '')
  const yamlOf = (ns: string, name: string): PodYaml =>
    parseYaml(get(`kubectl -n ${ns} get pod ${name} -o yaml`).stdout) as PodYaml

  it('runs etcd, the apiserver, controller-manager and scheduler on the first node’s network', () => {
    const rows = get('kubectl get pods -A -o wide').stdout.trim().split('\n').slice(1)
    const statics = rows.filter((r) =>
      /^kube-system +(etcd|kube-apiserver|kube-controller-manager|kube-scheduler)-/.test(r)
    )
    expect(statics.map((r) => r.split(/ +/).slice(0, 8).join(' '))).toEqual(
      ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map(
        (c) => `kube-system ${c}-node-1 1/1 Running 0 0s 192.168.56.11 node-1`
      )
    )
    const keys = rows.map((r) => `${r.split(/ +/)[0]}/${r.split(/ +/)[1]}`)
    expect(keys).toEqual([...keys].sort())
  })

  it('shows a static pod owned by its Node, Burstable, tolerating NoExecute taints', () => {
    const pod = yamlOf('kube-system', 'etcd-node-1')
    expect(pod.metadata.ownerReferences.map((o) => `${o.kind}/${o.name}`)).toEqual(['Node/node-1'])
    expect(pod.metadata.annotations?.['kubernetes.io/config.source']).toBe('file')
    expect(pod.metadata.annotations?.['kubeadm.kubernetes.io/etcd.advertise-client-urls']).toBe(
      'https://192.168.56.11:2379'
    )
    expect(pod.spec.serviceAccountName).toBeUndefined()
    expect(pod.spec.priority).toBe(2000001000)
    expect(pod.spec.tolerations).toEqual([{ effect: 'NoExecute', operator: 'Exists' }])
    expect(pod.spec.containers[0]!.resources.requests).toEqual({ cpu: '100m', memory: '100Mi' })
    expect(pod.status.qosClass).toBe('Burstable')
    const described = get('kubectl -n kube-system describe pod kube-apiserver-node-1').stdout
    expect(described).toMatch(/^Priority: +2000001000\nPriority Class Name: +system-node-critical\nNode: /m)
    expect(described).not.toContain('Service Account:')
    expect(described).toMatch(/^Controlled By: +Node\/node-1$/m)
    expect(described).toMatch(/^ {4}Requests:\n {6}cpu: +250m\n/m)
    expect(described).toContain(
      '    Mounts:\n      /etc/ca-certificates from etc-ca-certificates (ro)\n      /etc/kubernetes/pki from k8s-certs (ro)\n      /etc/ssl/certs from ca-certs (ro)\n'
    )
    expect(get('kubectl -n kube-system describe pod etcd-node-1').stdout).toMatch(
      /^ {2}etcd-data:\n {4}Type: +HostPath \(bare host directory volume\)\n {4}Path: +\/var\/lib\/etcd\n {4}HostPathType: +DirectoryOrCreate\n/m
    )
    expect(described).toMatch(
      /^QoS Class: +Burstable\nNode-Selectors: +<none>\nTolerations: +:NoExecute op=Exists\n/m
    )
  })

  it('gives kube-proxy its service account, critical priority and every toleration, BestEffort', () => {
    const name = podOf('kube-system', 'kube-proxy-')
    const pod = yamlOf('kube-system', name)
    expect(pod.spec.serviceAccountName).toBe('kube-proxy')
    expect(pod.spec.priorityClassName).toBe('system-node-critical')
    expect(pod.spec.priority).toBe(2000001000)
    expect(pod.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' })
    expect(pod.spec.tolerations[0]).toEqual({ operator: 'Exists' })
    expect(pod.status.qosClass).toBe('BestEffort')
    const described = get(`kubectl -n kube-system describe pod ${name}`).stdout
    expect(described).toMatch(/^Service Account: +kube-proxy$/m)
    expect(described).toMatch(/^Controlled By: +DaemonSet\/kube-proxy$/m)
    expect(described).toMatch(/^QoS Class: +BestEffort\nNode-Selectors: +kubernetes\.io\/os=linux\n/m)
    expect(
      described
        .slice(described.indexOf('Tolerations:'))
        .split('\n')
        .slice(0, 8)
        .map((l) => l.trim())
    ).toEqual(
      [
        'Tolerations:                 op=Exists'.replace(/ +/, ' '),
        'node.kubernetes.io/disk-pressure:NoSchedule op=Exists',
        'node.kubernetes.io/memory-pressure:NoSchedule op=Exists',
        'node.kubernetes.io/network-unavailable:NoSchedule op=Exists',
        'node.kubernetes.io/not-ready:NoExecute op=Exists',
        'node.kubernetes.io/pid-pressure:NoSchedule op=Exists',
        'node.kubernetes.io/unreachable:NoExecute op=Exists',
        'node.kubernetes.io/unschedulable:NoSchedule op=Exists'
      ].map((l, i) =>
        i === 0 ? described.slice(described.indexOf('Tolerations:')).split('\n')[0]!.trim() : l
      )
    )
  })

  it('gives flanneld the tolerations and requests kube-flannel.yml sets, Burstable', () => {
    const name = podOf('kube-flannel', 'kube-flannel-ds-')
    const pod = yamlOf('kube-flannel', name)
    expect(pod.spec.serviceAccountName).toBe('flannel')
    expect(pod.spec.tolerations[0]).toEqual({ effect: 'NoSchedule', operator: 'Exists' })
    expect(pod.spec.containers[0]!.resources.requests).toEqual({ cpu: '100m', memory: '50Mi' })
    expect(pod.status.qosClass).toBe('Burstable')
    const ds = parseYaml(get('kubectl -n kube-flannel get ds kube-flannel-ds -o yaml').stdout) as {
      spec: { template: { spec: { tolerations: unknown[] } } }
    }
    expect(ds.spec.template.spec.tolerations).toEqual([{ effect: 'NoSchedule', operator: 'Exists' }])
    expect(get(`kubectl -n kube-flannel describe pod ${name}`).stdout).toMatch(
      /^Tolerations: +:NoSchedule op=Exists\n/m
    )
  })

  it('describes a DaemonSet with its counts, service account, priority class and tolerations', () => {
    const text = get('kubectl -n kube-system describe ds kube-proxy').stdout
    expect(text.split('\n').slice(0, 12)).toEqual([
      'Name:           kube-proxy',
      'Namespace:      kube-system',
      'Selector:       k8s-app=kube-proxy',
      'Node-Selector:  kubernetes.io/os=linux',
      'Labels:         k8s-app=kube-proxy',
      'Annotations:    deprecated.daemonset.template.generation: 1',
      'Desired Number of Nodes Scheduled: 2',
      'Current Number of Nodes Scheduled: 2',
      'Number of Nodes Scheduled with Up-to-date Pods: 2',
      'Number of Nodes Scheduled with Available Pods: 2',
      'Number of Nodes Misscheduled: 0',
      'Pods Status:  2 Running / 0 Waiting / 0 Succeeded / 0 Failed'
    ])
    expect(text).toMatch(/^ {2}Service Account: +kube-proxy\n/m)
    expect(text).toMatch(
      /^ {2}Priority Class Name: +system-node-critical\n {2}Node-Selectors: +kubernetes\.io\/os=linux\n {2}Tolerations: +op=Exists\nEvents: +<none>\n$/m
    )
    const flannel = get('kubectl -n kube-flannel describe ds kube-flannel-ds').stdout
    expect(flannel).toMatch(/^ {4}Requests:\n {6}cpu: +100m\n {6}memory: +50Mi\n/m)
    expect(flannel).toMatch(/^ {2}Tolerations: +:NoSchedule op=Exists\n/m)
    expect(get('kubectl describe ds kube-proxy').stderr).toBe(
      'Error from server (NotFound): daemonsets.apps "kube-proxy" not found\n'
    )
  })

  it('publishes kube-root-ca.crt in every namespace', () => {
    const rows = get('kubectl get cm -A').stdout.trim().split('\n')
    expect(rows[0]).toMatch(/^NAMESPACE +NAME +DATA +AGE$/)
    const names = get('kubectl get ns -o name')
      .stdout.trim()
      .split('\n')
      .map((n) => n.replace('namespace/', ''))
    expect(
      rows
        .slice(1)
        .filter((r) => r.split(/ +/)[1] === 'kube-root-ca.crt')
        .map((r) => r.split(/ +/)[0])
    ).toEqual(names)
    expect(rows.slice(1).every((r) => /^\S+ +\S+ +[12] +0s$/.test(r))).toBe(true)
    const ca = get("kubectl get cm kube-root-ca.crt -o jsonpath='{.data.ca\\.crt}'").stdout
    expect(ca).toMatch(
      /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/]{64}\n){22}[A-Za-z0-9+/]{58}==\n-----END CERTIFICATE-----\n$/
    )
  })

  it('crictl on the control-plane node lists the system sandboxes and containers after the scenario’s', () => {
    const pods = get('crictl pods').stdout.trim().split('\n')
    const names = pods.slice(1).map((r) => / (?:Ready|NotReady) +(\S+) /.exec(r)![1]!)
    expect(names.slice(-6)).toEqual([
      expect.stringMatching(/^kube-flannel-ds-/),
      expect.stringMatching(/^kube-proxy-/),
      'etcd-node-1',
      'kube-apiserver-node-1',
      'kube-controller-manager-node-1',
      'kube-scheduler-node-1'
    ])
    const ps = get('crictl ps').stdout.trim().split('\n').slice(1)
    expect(ps.slice(-6).map((r) => / Running +(\S+) /.exec(r)![1])).toEqual([
      'kube-flannel',
      'kube-proxy',
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler'
    ])
    const other = run(s, 'node-2', 'crictl pods').stdout
    expect(other).toMatch(/ kube-proxy-/)
    expect(other).not.toContain('etcd-')
  })
})

describe('k3s lists no static pods', () => {
  it('has neither', () => {
    const s = labShell('three-node-k3s')
    expect(run(s, 'server', 'kubectl -n kube-system get pods').stderr).toBe(
      'No resources found in kube-system namespace.\n'
    )
    expect(run(s, 'server', 'crictl pods').stdout).not.toContain('kube-system')
  })
})
