/**
 * kube-flannel.yml's pods run two init containers before flanneld: install-cni-plugin copies
 * the flannel CNI binary to /opt/cni/bin, install-cni the CNI config from the kube-flannel-cfg
 * ConfigMap to /etc/cni/net.d. Both exit 0 and stay listed as Terminated/Completed.
 *
 * Where the facts come from: kube-flannel.yml of flannel v0.25.6 (images
 * docker.io/flannel/flannel-cni-plugin:v1.5.1-flannel2 and docker.io/flannel/flannel:v0.25.6,
 * as `grep image kube-flannel.yml` prints them), and `kubectl describe pod kube-flannel-ds-…`
 * of a v0.26.0 cluster, which shows the same init containers, their mounts, flanneld's mounts
 * and the pod's volumes in describe's layout.
 */
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { labShell, run } from './shell-fixture.ts'

interface Mount {
  mountPath: string
  name: string
  readOnly?: boolean
}
interface PodYaml {
  spec: {
    initContainers?: {
      name: string
      image: string
      command: string[]
      args: string[]
      volumeMounts: Mount[]
    }[]
    containers: { name: string; command?: string[]; args?: string[]; volumeMounts: Mount[] }[]
    volumes: Record<string, unknown>[]
  }
  status: {
    initContainerStatuses?: {
      name: string
      ready: boolean
      state: { terminated?: { exitCode: number; reason: string } }
    }[]
  }
}

describe('flannel pods show the init containers that installed the CNI plugin and config', () => {
  const s = labShell('two-node-vxlan')
  const get = (line: string): { stdout: string; stderr: string; exitCode: number } => run(s, 'node-1', line)
  const name = get('kubectl -n kube-flannel get pods -o wide')
    .stdout.split('\n')
    .find((r) => / node-1 /.test(r))!
    .split(/ +/)[0]!
  const pod = parseYaml(get(`kubectl -n kube-flannel get pod ${name} -o yaml`).stdout) as PodYaml

  it('lists both init containers with kube-flannel.yml’s images, commands and mounts', () => {
    const own = (mounts: Mount[]): string[] =>
      mounts.filter((m) => !m.name.startsWith('kube-api-access-')).map((m) => `${m.mountPath} ${m.name}`)
    expect(
      pod.spec.initContainers?.map((c) => [
        c.name,
        c.image,
        [...c.command, ...c.args].join(' '),
        own(c.volumeMounts)
      ])
    ).toEqual([
      [
        'install-cni-plugin',
        'docker.io/flannel/flannel-cni-plugin:v1.5.1-flannel2',
        'cp -f /flannel /opt/cni/bin/flannel',
        ['/opt/cni/bin cni-plugin']
      ],
      [
        'install-cni',
        'docker.io/flannel/flannel:v0.25.6',
        'cp -f /etc/kube-flannel/cni-conf.json /etc/cni/net.d/10-flannel.conflist',
        ['/etc/cni/net.d cni', '/etc/kube-flannel/ flannel-cfg']
      ]
    ])
    const flanneld = pod.spec.containers[0]!
    expect([...flanneld.command!, ...flanneld.args!]).toEqual([
      '/opt/bin/flanneld',
      '--ip-masq',
      '--kube-subnet-mgr'
    ])
    expect(own(flanneld.volumeMounts)).toEqual([
      '/run/flannel run',
      '/etc/kube-flannel/ flannel-cfg',
      '/run/xtables.lock xtables-lock'
    ])
    expect(pod.spec.volumes.slice(0, 5)).toEqual([
      { hostPath: { path: '/run/flannel', type: '' }, name: 'run' },
      { hostPath: { path: '/opt/cni/bin', type: '' }, name: 'cni-plugin' },
      { hostPath: { path: '/etc/cni/net.d', type: '' }, name: 'cni' },
      { configMap: { defaultMode: 420, name: 'kube-flannel-cfg' }, name: 'flannel-cfg' },
      { hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' }, name: 'xtables-lock' }
    ])
    expect(
      pod.status.initContainerStatuses?.map((c) => [
        c.name,
        c.ready,
        c.state.terminated?.reason,
        c.state.terminated?.exitCode
      ])
    ).toEqual([
      ['install-cni-plugin', true, 'Completed', 0],
      ['install-cni', true, 'Completed', 0]
    ])
    expect(JSON.parse(get(`kubectl -n kube-flannel get pod ${name} -o json`).stdout)).toEqual(pod)
  })

  it('describes them above the containers, Terminated with exit code 0', () => {
    const text = get(`kubectl -n kube-flannel describe pod ${name}`).stdout
    const init = text
      .slice(text.indexOf('Init Containers:\n'), text.indexOf('  install-cni:\n'))
      .replace(/[0-9a-f]{64}/g, 'ID')
      .replace(/ [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} [\d:]{8} \+0000/g, ' TIME')
      .replace(/kube-api-access-\w{5}/, 'TOKEN')
    expect(init.split('\n')).toEqual([
      'Init Containers:',
      '  install-cni-plugin:',
      '    Container ID:  containerd://ID',
      '    Image:         docker.io/flannel/flannel-cni-plugin:v1.5.1-flannel2',
      '    Image ID:      docker.io/flannel/flannel-cni-plugin@sha256:ID',
      '    Port:          <none>',
      '    Host Port:     <none>',
      '    Command:',
      '      cp',
      '    Args:',
      '      -f',
      '      /flannel',
      '      /opt/cni/bin/flannel',
      '    State:          Terminated',
      '      Reason:       Completed',
      '      Exit Code:    0',
      '      Started:      TIME',
      '      Finished:     TIME',
      '    Ready:          True',
      '    Restart Count:  0',
      '    Environment:    <none>',
      '    Mounts:',
      '      /opt/cni/bin from cni-plugin (rw)',
      '      /var/run/secrets/kubernetes.io/serviceaccount from TOKEN (ro)',
      ''
    ])
    expect(text.indexOf('Init Containers:')).toBeLessThan(text.indexOf('\nContainers:'))
    expect(text).toMatch(
      /^ {2}flannel-cfg:\n {4}Type: +ConfigMap \(a volume populated by a ConfigMap\)\n {4}Name: +kube-flannel-cfg\n {4}Optional: +false\n/m
    )
    expect(text).toMatch(
      /^ {2}run:\n {4}Type: +HostPath \(bare host directory volume\)\n {4}Path: +\/run\/flannel\n {4}HostPathType: +\n/m
    )
  })

  it('prints their (empty) logs by name and lists them Exited in crictl ps -a only', () => {
    expect(get(`kubectl -n kube-flannel logs ${name} -c install-cni`)).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0
    })
    const all = get('crictl ps -a')
      .stdout.split('\n')
      .filter((r) => r.endsWith(` ${name}`))
    expect(all.map((r) => r.split(/ {3,}/).slice(3, 6))).toEqual([
      ['Running', 'kube-flannel', '0'],
      ['Exited', 'install-cni', '0'],
      ['Exited', 'install-cni-plugin', '0']
    ])
    expect(get('crictl ps').stdout).not.toContain('install-cni')
  })
})
