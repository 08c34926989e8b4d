import { formatIpv4 } from '../net/index.ts'
import { hex, kubeletVersion, metadata, randomSuffix } from './api-objects.ts'
import type { ApiObject } from './api-objects.ts'
import { hostNetworkPod } from './host-network-pod.ts'
import { klogLine } from './klog.ts'
import { componentsRunAsPods, type Lab } from './lab.ts'
import type { KubeNode, KubePod } from './objects.ts'
import { proxyModeOf, type ProxyMode } from './proxy-mode.ts'
import { daemonPodTolerations, systemSpec } from './system-pod-spec.ts'

/** kubeadm's kube-proxy addon: a DaemonSet in kube-system reading its ConfigMap of the same name. */
export const KUBE_PROXY_NAMESPACE = 'kube-system'
export const KUBE_PROXY_DS = 'kube-proxy'
export const KUBE_PROXY_SELECTOR = { 'k8s-app': 'kube-proxy' }
export const KUBE_PROXY_NODE_SELECTOR = { 'kubernetes.io/os': 'linux' }
/** kubeadm's manifest tolerates every taint, so kube-proxy runs on tainted control planes too. */
export const KUBE_PROXY_TOLERATIONS = [{ operator: 'Exists' as const }]

export const kubeProxyImage = (lab: Lab): string => `registry.k8s.io/kube-proxy:${kubeletVersion(lab)}`

/**
 * kube-proxy's startup lines as v1.31 writes them in the mode it runs: kubeadm leaves `mode`
 * empty for the default, which is what makes it log "Using iptables proxy" first; nftables
 * defaults nodePortAddresses to the primary address, so only the other modes warn that it is
 * unset; only the iptables proxier sets route_localnet for NodePorts on localhost.
 */
function startupLog(lab: Lab, node: KubeNode, mode: ProxyMode, startMs: number): string[] {
  const defaulted = mode === 'iptables' && lab.scenario.cluster.kubeProxy.mode === 'iptables'
  const proxier = {
    iptables: ['server_linux.go:169', '"Using iptables Proxier"'],
    ipvs: ['server_linux.go:230', '"Using ipvs Proxier"'],
    nftables: ['server_linux.go:291', '"Using nftables Proxier"']
  }[mode]
  const lines: [string, string, string][] = [
    ...(defaulted ? [['I', 'server_linux.go:66', '"Using iptables proxy"'] as [string, string, string]] : []),
    ['I', 'server.go:677', `"Successfully retrieved node IP(s)" IPs=["${formatIpv4(node.ip)}"]`],
    ['I', 'conntrack.go:121', '"Set sysctl" entry="net/netfilter/nf_conntrack_max" value=131072'],
    ['I', 'conntrack.go:60', '"Setting nf_conntrack_max" nfConntrackMax=131072'],
    [
      'I',
      'conntrack.go:121',
      '"Set sysctl" entry="net/netfilter/nf_conntrack_tcp_timeout_established" value=86400'
    ],
    [
      'I',
      'conntrack.go:121',
      '"Set sysctl" entry="net/netfilter/nf_conntrack_tcp_timeout_close_wait" value=3600'
    ],
    ...(mode === 'nftables'
      ? []
      : [
          [
            'E',
            'server.go:234',
            '"Kube-proxy configuration may be incomplete or incorrect" err="nodePortAddresses is unset; NodePort connections will be accepted on all local IPs. Consider using `--nodeport-addresses primary`"'
          ] as [string, string, string]
        ]),
    ['I', 'server.go:243', '"kube-proxy running in dual-stack mode" primary ipFamily="IPv4"'],
    ['I', proxier[0]!, proxier[1]!],
    ...(mode === 'iptables'
      ? [
          [
            'I',
            'proxier.go:255',
            '"Setting route_localnet=1 to allow node-ports on localhost; to change this either disable iptables.localhostNodePorts (--iptables-localhost-nodeports) or set nodePortAddresses (--nodeport-addresses) to filter loopback addresses" ipFamily="IPv4"'
          ] as [string, string, string]
        ]
      : []),
    ['I', 'server.go:483', `"Version info" version="${kubeletVersion(lab)}"`],
    ['I', 'server.go:485', '"Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""'],
    ['I', 'config.go:197', '"Starting service config controller"'],
    ['I', 'shared_informer.go:313', 'Waiting for caches to sync for service config'],
    ['I', 'config.go:104', '"Starting endpoint slice config controller"'],
    ['I', 'shared_informer.go:313', 'Waiting for caches to sync for endpoint slice config'],
    ['I', 'config.go:326', '"Starting node config controller"'],
    ['I', 'shared_informer.go:313', 'Waiting for caches to sync for node config'],
    ['I', 'shared_informer.go:320', 'Caches are synced for node config'],
    ['I', 'shared_informer.go:320', 'Caches are synced for service config'],
    ['I', 'shared_informer.go:320', 'Caches are synced for endpoint slice config']
  ]
  // The informers' caches fill after one list round trip to the apiserver; the rest is local.
  return lines.map(([severity, where, text], i) =>
    klogLine(lab, severity as 'I' | 'E', startMs + (text.startsWith('Caches') ? 100 : 0) + i, where, text)
  )
}

/** The mode kube-proxy's ConfigMap sets: kubeadm writes an empty one for iptables, the default. */
const configuredMode = (lab: Lab): string =>
  lab.scenario.cluster.kubeProxy.mode === 'iptables' ? '""' : lab.scenario.cluster.kubeProxy.mode

/**
 * kube-proxy's pods as the apiserver lists them: one per node of its DaemonSet, on the node's
 * own network (hostNetwork), started with the cluster. None on k3s, which runs kube-proxy
 * inside its own binary.
 */
export function kubeProxyPods(lab: Lab): KubePod[] {
  if (!componentsRunAsPods(lab)) return []
  const seed = lab.scenario.cluster.seed
  return lab.nodes.map((node, i) => {
    const key = `${KUBE_PROXY_DS}/1/${node.name}`
    const name = `${KUBE_PROXY_DS}-${randomSuffix(`${seed}/${key}`)}`
    return hostNetworkPod(lab, node, {
      name,
      namespace: KUBE_PROXY_NAMESPACE,
      key,
      daemonSet: KUBE_PROXY_DS,
      labels: {
        'controller-revision-hash': randomSuffix(`${seed}/${KUBE_PROXY_DS}/1`),
        ...KUBE_PROXY_SELECTOR,
        'pod-template-generation': '1'
      },
      container: {
        name: 'kube-proxy',
        image: kubeProxyImage(lab),
        command: `/usr/local/bin/kube-proxy --config=/var/lib/kube-proxy/config.conf --hostname-override=${node.name}`,
        logs: startupLog(lab, node, proxyModeOf(lab, node), 1000 + i * 37)
      },
      createdAt: 0,
      system: systemSpec({
        serviceAccount: 'kube-proxy',
        tolerations: daemonPodTolerations(KUBE_PROXY_TOLERATIONS),
        nodeSelector: { ...KUBE_PROXY_NODE_SELECTOR }
      })
    })
  })
}

/**
 * The root CA publisher's ConfigMap, which kube-controller-manager writes into every namespace
 * so pods can verify the apiserver: the cluster CA (derived per seed, PEM-shaped) under ca.crt.
 * k3s runs the same controller manager, with every default controller, inside its binary.
 */
export function rootCaConfigMaps(lab: Lab): KubeConfigMap[] {
  // The size of kubeadm's self-signed RSA-2048 CA in DER.
  const der = Array.from({ length: 35 }, (_, i) => hex(`${lab.scenario.cluster.seed}/ca/${i}`))
    .join('')
    .slice(0, 2 * 1099)
    .replace(/[0-9a-f]{2}/g, (b) => String.fromCharCode(parseInt(b, 16)))
  const pem = `-----BEGIN CERTIFICATE-----\n${btoa(der).replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`
  return lab.namespaces.map((ns) => ({
    name: 'kube-root-ca.crt',
    namespace: ns.name,
    labels: {},
    annotations: {
      'kubernetes.io/description':
        'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.'
    },
    data: { 'ca.crt': pem },
    createdAt: ns.createdAt
  }))
}

/** A ConfigMap as `kubectl get cm` lists it. */
export interface KubeConfigMap {
  name: string
  namespace: string
  labels: Record<string, string>
  annotations: Record<string, string>
  data: Record<string, string>
  createdAt: number
}

/**
 * The `kube-proxy` ConfigMap kubeadm writes: the KubeProxyConfiguration every kube-proxy pod
 * reads (its `mode` empty for iptables, the default) and the kubeconfig pointing it at the
 * apiserver on the control-plane node.
 */
export function kubeProxyConfigMaps(lab: Lab): KubeConfigMap[] {
  if (!componentsRunAsPods(lab)) return []
  const apiserver = `https://${formatIpv4(lab.nodes[0]!.ip)}:6443`
  const config = [
    'apiVersion: kubeproxy.config.k8s.io/v1alpha1',
    'bindAddress: 0.0.0.0',
    'bindAddressHardFail: false',
    'clientConnection:',
    '  acceptContentTypes: ""',
    '  burst: 0',
    '  contentType: ""',
    '  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf',
    '  qps: 0',
    `clusterCIDR: ${lab.scenario.cluster.podCIDR}`,
    'configSyncPeriod: 0s',
    'conntrack:',
    '  maxPerCore: null',
    '  min: null',
    '  tcpBeLiberal: false',
    '  tcpCloseWaitTimeout: null',
    '  tcpEstablishedTimeout: null',
    '  udpStreamTimeout: 0s',
    '  udpTimeout: 0s',
    'detectLocal:',
    '  bridgeInterface: ""',
    '  interfaceNamePrefix: ""',
    'detectLocalMode: ""',
    'enableProfiling: false',
    'healthzBindAddress: ""',
    'hostnameOverride: ""',
    'iptables:',
    '  localhostNodePorts: null',
    '  masqueradeAll: false',
    '  masqueradeBit: null',
    '  minSyncPeriod: 0s',
    '  syncPeriod: 0s',
    'ipvs:',
    '  excludeCIDRs: null',
    '  minSyncPeriod: 0s',
    '  scheduler: ""',
    '  strictARP: false',
    '  syncPeriod: 0s',
    '  tcpFinTimeout: 0s',
    '  tcpTimeout: 0s',
    '  udpTimeout: 0s',
    'kind: KubeProxyConfiguration',
    'logging:',
    '  flushFrequency: 0',
    '  options:',
    '    json:',
    '      infoBufferSize: "0"',
    '    text:',
    '      infoBufferSize: "0"',
    '  verbosity: 0',
    'metricsBindAddress: ""',
    `mode: ${configuredMode(lab)}`,
    'nftables:',
    '  masqueradeAll: false',
    '  masqueradeBit: null',
    '  minSyncPeriod: 0s',
    '  syncPeriod: 0s',
    'nodePortAddresses: null',
    'oomScoreAdj: null',
    'portRange: ""',
    'showHiddenMetricsForVersion: ""',
    'winkernel:',
    '  enableDSR: false',
    '  forwardHealthCheckVip: false',
    '  networkName: ""',
    '  rootHnsEndpointName: ""',
    '  sourceVip: ""'
  ]
  const kubeconfig = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    '    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
    `    server: ${apiserver}`,
    '  name: default',
    'contexts:',
    '- context:',
    '    cluster: default',
    '    namespace: default',
    '    user: default',
    '  name: default',
    'current-context: default',
    'users:',
    '- name: default',
    '  user:',
    '    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token'
  ]
  return [
    {
      name: KUBE_PROXY_DS,
      namespace: KUBE_PROXY_NAMESPACE,
      labels: { app: 'kube-proxy' },
      annotations: {
        'kubeadm.kubernetes.io/component-config.hash': `sha256:${hex(config.join('\n') + '\n')}`
      },
      data: { 'config.conf': `${config.join('\n')}\n`, 'kubeconfig.conf': `${kubeconfig.join('\n')}\n` },
      createdAt: 0
    }
  ]
}

export function configMapObject(lab: Lab, cm: KubeConfigMap): ApiObject {
  return {
    apiVersion: 'v1',
    data: { ...cm.data },
    kind: 'ConfigMap',
    metadata: metadata(lab, 'ConfigMap', cm, {
      annotations: { ...cm.annotations },
      ...(Object.keys(cm.labels).length === 0 ? {} : { labels: { ...cm.labels } })
    })
  }
}
