import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { labShell, run } from './shell-fixture.ts'

describe('a kubeadm cluster lists kube-proxy and flanneld as DaemonSets, one pod per node', () => {
  const s = labShell('two-node-vxlan')
  const get = (line: string): { stdout: string; stderr: string; exitCode: number } => run(s, 'node-1', line)

  it('lists the kube-flannel namespace with the labels kube-flannel.yml gives it', () => {
    expect(get('kubectl get ns').stdout).toBe(
      [
        'NAME              STATUS   AGE',
        'default           Active   0s',
        'kube-flannel      Active   0s',
        'kube-node-lease   Active   0s',
        'kube-public       Active   0s',
        'kube-system       Active   0s',
        ''
      ].join('\n')
    )
    expect(get('kubectl get ns kube-flannel -o jsonpath={.metadata.labels}').stdout).toBe(
      '{"k8s-app":"flannel","kubernetes.io/metadata.name":"kube-flannel","pod-security.kubernetes.io/enforce":"privileged"}'
    )
  })

  it('prints both DaemonSets with the counts and node selector kubectl shows', () => {
    expect(get('kubectl get ds -A').stdout).toBe(
      [
        'NAMESPACE      NAME              DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR            AGE',
        'kube-flannel   kube-flannel-ds   2         2         2       2            2           <none>                   0s',
        'kube-system    kube-proxy        2         2         2       2            2           kubernetes.io/os=linux   0s',
        ''
      ].join('\n')
    )
    expect(get('kubectl get ds').stderr).toBe('No resources found in default namespace.\n')
  })

  it('runs one hostNetwork kube-proxy pod per node, listed by namespace then name', () => {
    const rows = get('kubectl get pods -A -o wide').stdout.trim().split('\n').slice(1)
    const proxies = rows.filter((r) => r.startsWith('kube-system    kube-proxy-'))
    expect(proxies).toHaveLength(2)
    for (const r of proxies)
      expect(r).toMatch(
        /^kube-system +kube-proxy-[b-z2-9]{5} +1\/1 +Running +0 +0s +192\.168\.56\.1[12] +node-[12] /
      )
    expect(new Set(proxies.map((r) => r.split(/ +/)[7]))).toEqual(new Set(['node-1', 'node-2']))
    for (const r of proxies)
      expect(r.split(/ +/)[6]).toBe(r.split(/ +/)[7] === 'node-1' ? '192.168.56.11' : '192.168.56.12')
    const keys = rows.map((r) => `${r.split(/ +/)[0]}/${r.split(/ +/)[1]}`)
    expect(keys).toEqual([...keys].sort())
    expect(keys.some((k) => k.startsWith('kube-flannel/kube-flannel-ds-'))).toBe(true)
  })

  it('shows a kube-proxy pod owned by its DaemonSet on the node network', () => {
    const name = get('kubectl -n kube-system get pods -l k8s-app=kube-proxy -o name')
      .stdout.split('\n')[0]!
      .replace('pod/', '')
    const pod = parseYaml(get(`kubectl -n kube-system get pod ${name} -o yaml`).stdout) as {
      metadata: { ownerReferences: { kind: string; name: string }[]; generateName: string }
      spec: { hostNetwork: boolean }
      status: { podIP: string; hostIP: string; containerStatuses: { image: string }[] }
    }
    expect(pod.metadata.ownerReferences.map((o) => `${o.kind}/${o.name}`)).toEqual(['DaemonSet/kube-proxy'])
    expect(pod.metadata.generateName).toBe('kube-proxy-')
    expect(pod.spec.hostNetwork).toBe(true)
    expect(pod.status.podIP).toBe(pod.status.hostIP)
    expect(pod.status.containerStatuses[0]!.image).toBe('registry.k8s.io/kube-proxy:v1.31.0')
    const described = get(`kubectl -n kube-system describe pod ${name}`).stdout
    expect(described).toContain('    Image:          registry.k8s.io/kube-proxy:v1.31.0\n')
    expect(described).toMatch(/Image ID: +registry\.k8s\.io\/kube-proxy@sha256:[0-9a-f]{64}\n/)
  })

  it("logs kube-proxy's startup in iptables mode, left empty in its ConfigMap as kubeadm writes it", () => {
    const name = get('kubectl -n kube-system get pods -l k8s-app=kube-proxy -o name')
      .stdout.split('\n')[0]!
      .replace('pod/', '')
    const log = get(`kubectl -n kube-system logs ${name}`).stdout
    expect(log).toMatch(/^I0105 09:00:01\.\d{6} {7}1 server_linux\.go:66\] "Using iptables proxy"\n/)
    expect(log).toContain('server_linux.go:169] "Using iptables Proxier"\n')
    expect(log).toContain('"Setting route_localnet=1 to allow node-ports on localhost;')
    expect(log).toContain('"Version info" version="v1.31.0"\n')
    expect(get('kubectl -n kube-system get cm').stdout).toBe(
      'NAME               DATA   AGE\nkube-proxy         2      0s\nkube-root-ca.crt   1      0s\n'
    )
    const conf = get("kubectl -n kube-system get cm kube-proxy -o jsonpath='{.data.config\\.conf}'").stdout
    expect(conf).toMatch(/^mode: ""$/m)
    expect(conf).toMatch(/^clusterCIDR: 10\.244\.0\.0\/16$/m)
  })

  it('reads a DaemonSet’s logs from one of its pods, naming it', () => {
    const r = get('kubectl -n kube-system logs ds/kube-proxy')
    const first = get('kubectl -n kube-system get pods -l k8s-app=kube-proxy -o name').stdout.split('\n')[0]!
    expect(r.stderr).toBe(`Found 2 pods, using ${first}\n`)
    expect(r.stdout).toContain('"Using iptables Proxier"')
  })

  it('get all -A lists pods, Services, then DaemonSets', () => {
    const tables = get('kubectl get all -A').stdout.split('\n\n')
    expect(tables.map((t) => t.split('\n')[1]!.split(/ +/)[1]!.split('/')[0])).toEqual([
      'pod',
      'service',
      'daemonset.apps'
    ])
    expect(tables[2]).toContain('kube-system    daemonset.apps/kube-proxy        2         2')
  })
})

describe("kube-proxy's log and ConfigMap say the mode it runs in", () => {
  it.each([
    ['two-node-nftables', 'server_linux.go:291] "Using nftables Proxier"', 'mode: nftables'],
    ['two-node-ipvs', 'server_linux.go:230] "Using ipvs Proxier"', 'mode: ipvs']
  ])('%s', (scenario, line, mode) => {
    const s = labShell(scenario)
    const log = run(s, 'node-1', 'kubectl -n kube-system logs ds/kube-proxy').stdout
    expect(log).toContain(line)
    expect(log).not.toContain('"Using iptables proxy"')
    expect(log).not.toContain('route_localnet')
    expect(log.includes('nodePortAddresses is unset')).toBe(mode !== 'mode: nftables')
    const conf = run(
      s,
      'node-1',
      "kubectl -n kube-system get cm kube-proxy -o jsonpath='{.data.config\\.conf}'"
    ).stdout
    expect(conf).toMatch(new RegExp(`^${mode}$`, 'm'))
  })
})

describe('k3s runs kube-proxy and flannel inside its binary', () => {
  const s = labShell('three-node-k3s')
  const get = (line: string): { stdout: string; stderr: string; exitCode: number } => run(s, 'server', line)

  it('has no pods, DaemonSets, ConfigMap or namespace of theirs', () => {
    const configMaps = get('kubectl get cm -A -o name').stdout.trim().split('\n')
    expect(get('kubectl get pods -A -o name').stdout).toBe('pod/api-1\npod/api-2\npod/echo-1\npod/probe\n')
    expect(get('kubectl get ds -A').stderr).toBe('No resources found\n')
    expect(new Set(configMaps)).toEqual(new Set(['configmap/kube-root-ca.crt']))
    expect(get('kubectl get ns -o name').stdout).not.toContain('kube-flannel')
    expect(get('kubectl -n kube-flannel set env ds/kube-flannel-ds FLANNELD_IFACE=eth1').stderr).toBe(
      'Error from server (NotFound): daemonsets.apps "kube-flannel-ds" not found\n'
    )
  })
})
