/**
 * kubeadm's static control-plane pods carry the command kubeadm v1.31 wrote into their
 * manifests, and log their startup as each component does.
 *
 * Where the facts come from:
 * - kube-apiserver's flags: `kubectl get pod -o yaml` of a kubeadm v1.31.0 control plane
 *   (registry.k8s.io/kube-apiserver:v1.31.0, a Killercoda CKS scenario transcript).
 * - etcd's flags: /etc/kubernetes/manifests/etcd.yaml of a kubeadm cluster running
 *   registry.k8s.io/etcd:3.5.15-0, the etcd kubeadm v1.31 deploys.
 * - kube-controller-manager's and kube-scheduler's flags: kubeadm v1.29 and v1.30 manifests
 *   (kind and KodeKloud transcripts); the flags did not change in v1.31.
 * - the log lines: `kubectl logs` of kube-scheduler v1.30.0, kube-apiserver v1.30.0 and
 *   kube-controller-manager v1.27.1, and etcd 3.5.15's zap JSON lines (`Running: ` with its
 *   arguments, then its peer and client listeners).
 */
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { labShellFromYaml, run } from './shell-fixture.ts'

const SCENARIO = `
formatVersion: 1
id: kubeadm-elsewhere
cluster:
  dns: { enabled: false }
  podCIDR: 10.42.0.0/16
  serviceCIDR: 10.43.0.0/16
  underlayCIDR: 172.18.0.0/24
  gateway: 172.18.0.1
  cni: { backend: vxlan }
  kubeProxy: { mode: iptables, version: "1.31" }
  seed: 5
nodes:
  - { name: cp, ip: 172.18.0.2 }
  - { name: worker, ip: 172.18.0.3 }
pods: []
`

interface PodYaml {
  spec: { containers: { name: string; command?: string[]; args?: string[] }[] }
}

/**
 * The containers' commands as the cited manifests print them, with kubeadm's inputs written as
 * placeholders for this lab's control-plane node and ranges.
 */
const MANIFESTS = {
  'kube-apiserver': `
spec:
  containers:
  - command:
    - kube-apiserver
    - --advertise-address=ADVERTISE_ADDRESS
    - --allow-privileged=true
    - --authorization-mode=Node,RBAC
    - --client-ca-file=/etc/kubernetes/pki/ca.crt
    - --enable-admission-plugins=NodeRestriction
    - --enable-bootstrap-token-auth=true
    - --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt
    - --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt
    - --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key
    - --etcd-servers=https://127.0.0.1:2379
    - --kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt
    - --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key
    - --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname
    - --proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt
    - --proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key
    - --requestheader-allowed-names=front-proxy-client
    - --requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt
    - --requestheader-extra-headers-prefix=X-Remote-Extra-
    - --requestheader-group-headers=X-Remote-Group
    - --requestheader-username-headers=X-Remote-User
    - --secure-port=6443
    - --service-account-issuer=https://kubernetes.default.svc.cluster.local
    - --service-account-key-file=/etc/kubernetes/pki/sa.pub
    - --service-account-signing-key-file=/etc/kubernetes/pki/sa.key
    - --service-cluster-ip-range=SERVICE_CIDR
    - --tls-cert-file=/etc/kubernetes/pki/apiserver.crt
    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key
`,
  etcd: `
spec:
  containers:
  - command:
    - etcd
    - --advertise-client-urls=https://ADVERTISE_ADDRESS:2379
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --client-cert-auth=true
    - --data-dir=/var/lib/etcd
    - --experimental-initial-corrupt-check=true
    - --experimental-watch-progress-notify-interval=5s
    - --initial-advertise-peer-urls=https://ADVERTISE_ADDRESS:2380
    - --initial-cluster=NODE_NAME=https://ADVERTISE_ADDRESS:2380
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --listen-client-urls=https://127.0.0.1:2379,https://ADVERTISE_ADDRESS:2379
    - --listen-metrics-urls=http://127.0.0.1:2381
    - --listen-peer-urls=https://ADVERTISE_ADDRESS:2380
    - --name=NODE_NAME
    - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
    - --peer-client-cert-auth=true
    - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
    - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    - --snapshot-count=10000
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
`,
  'kube-controller-manager': `
spec:
  containers:
  - command:
    - kube-controller-manager
    - --allocate-node-cidrs=true
    - --authentication-kubeconfig=/etc/kubernetes/controller-manager.conf
    - --authorization-kubeconfig=/etc/kubernetes/controller-manager.conf
    - --bind-address=127.0.0.1
    - --client-ca-file=/etc/kubernetes/pki/ca.crt
    - --cluster-cidr=POD_CIDR
    - --cluster-name=kubernetes
    - --cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt
    - --cluster-signing-key-file=/etc/kubernetes/pki/ca.key
    - --controllers=*,bootstrapsigner,tokencleaner
    - --kubeconfig=/etc/kubernetes/controller-manager.conf
    - --leader-elect=true
    - --requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt
    - --root-ca-file=/etc/kubernetes/pki/ca.crt
    - --service-account-private-key-file=/etc/kubernetes/pki/sa.key
    - --service-cluster-ip-range=SERVICE_CIDR
    - --use-service-account-credentials=true
`,
  'kube-scheduler': `
spec:
  containers:
  - command:
    - kube-scheduler
    - --authentication-kubeconfig=/etc/kubernetes/scheduler.conf
    - --authorization-kubeconfig=/etc/kubernetes/scheduler.conf
    - --bind-address=127.0.0.1
    - --kubeconfig=/etc/kubernetes/scheduler.conf
    - --leader-elect=true
`
}

interface ScenarioYaml {
  cluster: { podCIDR: string; serviceCIDR: string }
  nodes: { name: string; ip: string }[]
}

function manifestCommand(component: keyof typeof MANIFESTS): string[] {
  const scenario = parseYaml(SCENARIO) as ScenarioYaml
  const controlPlane = scenario.nodes[0]!
  const text = MANIFESTS[component]
    .replaceAll('ADVERTISE_ADDRESS', controlPlane.ip)
    .replaceAll('NODE_NAME', controlPlane.name)
    .replaceAll('SERVICE_CIDR', scenario.cluster.serviceCIDR)
    .replaceAll('POD_CIDR', scenario.cluster.podCIDR)
  return (parseYaml(text) as PodYaml).spec.containers[0]!.command!
}

describe('kubeadm control-plane pods show the commands kubeadm writes and log their startup', () => {
  const s = labShellFromYaml(SCENARIO)
  const get = (line: string): { stdout: string; stderr: string; exitCode: number } => run(s, 'cp', line)
  const commandOf = (pod: string): string[] | undefined =>
    (parseYaml(get(`kubectl -n kube-system get pod ${pod} -o yaml`).stdout) as PodYaml).spec.containers[0]!
      .command

  it('runs the apiserver with kubeadm’s flags, advertising the node and serving the Service range', () => {
    expect(commandOf('kube-apiserver-cp')).toEqual(manifestCommand('kube-apiserver'))
    expect(commandOf('kube-apiserver-cp')).toContain('--advertise-address=172.18.0.2')
  })

  it('runs etcd as the one member named after its node, listening on the node and loopback', () => {
    expect(commandOf('etcd-cp')).toEqual(manifestCommand('etcd'))
    expect(commandOf('etcd-cp')).toContain('--initial-cluster=cp=https://172.18.0.2:2380')
  })

  it('has the controller manager allocate node ranges from the pod network, and the scheduler elect a leader', () => {
    expect(commandOf('kube-controller-manager-cp')).toEqual(manifestCommand('kube-controller-manager'))
    expect(commandOf('kube-controller-manager-cp')).toContain('--cluster-cidr=10.42.0.0/16')
    expect(commandOf('kube-scheduler-cp')).toEqual(manifestCommand('kube-scheduler'))
  })

  it('describes the command one word a line, and -o json holds the same', () => {
    const described = get('kubectl -n kube-system describe pod kube-scheduler-cp').stdout
    expect(described).toContain(
      '    Host Port:     <none>\n    Command:\n      kube-scheduler\n      --authentication-kubeconfig=/etc/kubernetes/scheduler.conf\n'
    )
    expect(described).toMatch(/ {6}--leader-elect=true\n {4}State: {10}Running\n/)
    const json = JSON.parse(get('kubectl -n kube-system get pod etcd-cp -o json').stdout) as PodYaml
    expect(json.spec.containers[0]!.command).toEqual(commandOf('etcd-cp'))
  })

  it('logs each klog component’s startup with the klog header and its own addresses', () => {
    const klog = /^I\d{4} \d\d:\d\d:\d\d\.\d{6} {7}1 [a-z_]+\.go:\d+\] /
    const logs = (pod: string): string[] =>
      get(`kubectl -n kube-system logs ${pod}`).stdout.trimEnd().split('\n')
    const apiserver = logs('kube-apiserver-cp')
    const scheduler = logs('kube-scheduler-cp')
    const kcm = logs('kube-controller-manager-cp')
    for (const line of [...apiserver, ...scheduler, ...kcm]) expect(line).toMatch(klog)
    expect(apiserver[0]).toMatch(/options\.go:221\] external host was not specified, using 172\.18\.0\.2$/)
    expect(apiserver[1]).toMatch(/server\.go:148\] Version: v1\.31\.0$/)
    expect(scheduler).toContainEqual(expect.stringMatching(/\] Serving securely on 127\.0\.0\.1:10259$/))
    expect(scheduler.at(-1)).toMatch(/\] successfully acquired lease kube-system\/kube-scheduler$/)
    expect(kcm).toContainEqual(expect.stringMatching(/\] "Starting" version="v1\.31\.0"$/))
    expect(kcm.at(-1)).toMatch(/\] successfully acquired lease kube-system\/kube-controller-manager$/)
  })

  it('logs etcd’s startup as zap JSON, echoing the command it runs', () => {
    const lines = get('kubectl -n kube-system logs etcd-cp')
      .stdout.trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    for (const l of lines) {
      expect(Object.keys(l).slice(0, 4)).toEqual(['level', 'ts', 'caller', 'msg'])
      expect(l.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
    }
    const running = lines.find((l) => l.msg === 'Running: ')!
    expect(running.caller).toBe('etcdmain/etcd.go:73')
    expect(running.args).toEqual(commandOf('etcd-cp'))
    expect(lines.find((l) => l.msg === 'configuring client listeners')?.['listen-client-urls']).toEqual([
      'https://127.0.0.1:2379',
      'https://172.18.0.2:2379'
    ])
  })
})
