/**
 * The commands kubeadm v1.31 writes into its static pod manifests: the binary, then its flags
 * sorted by name (kubeadm builds them from a map), with the control-plane node's address and
 * name and the cluster's Service and pod ranges.
 */
export interface ControlPlaneSite {
  ip: string
  node: string
  serviceCIDR: string
  podCIDR: string
}

const PKI = '/etc/kubernetes/pki'

export function etcdCommand({ ip, node }: ControlPlaneSite): string[] {
  return [
    'etcd',
    `--advertise-client-urls=https://${ip}:2379`,
    `--cert-file=${PKI}/etcd/server.crt`,
    '--client-cert-auth=true',
    '--data-dir=/var/lib/etcd',
    '--experimental-initial-corrupt-check=true',
    '--experimental-watch-progress-notify-interval=5s',
    `--initial-advertise-peer-urls=https://${ip}:2380`,
    `--initial-cluster=${node}=https://${ip}:2380`,
    `--key-file=${PKI}/etcd/server.key`,
    `--listen-client-urls=https://127.0.0.1:2379,https://${ip}:2379`,
    '--listen-metrics-urls=http://127.0.0.1:2381',
    `--listen-peer-urls=https://${ip}:2380`,
    `--name=${node}`,
    `--peer-cert-file=${PKI}/etcd/peer.crt`,
    '--peer-client-cert-auth=true',
    `--peer-key-file=${PKI}/etcd/peer.key`,
    `--peer-trusted-ca-file=${PKI}/etcd/ca.crt`,
    '--snapshot-count=10000',
    `--trusted-ca-file=${PKI}/etcd/ca.crt`
  ]
}

export function apiserverCommand({ ip, serviceCIDR }: ControlPlaneSite): string[] {
  return [
    'kube-apiserver',
    `--advertise-address=${ip}`,
    '--allow-privileged=true',
    '--authorization-mode=Node,RBAC',
    `--client-ca-file=${PKI}/ca.crt`,
    '--enable-admission-plugins=NodeRestriction',
    '--enable-bootstrap-token-auth=true',
    `--etcd-cafile=${PKI}/etcd/ca.crt`,
    `--etcd-certfile=${PKI}/apiserver-etcd-client.crt`,
    `--etcd-keyfile=${PKI}/apiserver-etcd-client.key`,
    '--etcd-servers=https://127.0.0.1:2379',
    `--kubelet-client-certificate=${PKI}/apiserver-kubelet-client.crt`,
    `--kubelet-client-key=${PKI}/apiserver-kubelet-client.key`,
    '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
    `--proxy-client-cert-file=${PKI}/front-proxy-client.crt`,
    `--proxy-client-key-file=${PKI}/front-proxy-client.key`,
    '--requestheader-allowed-names=front-proxy-client',
    `--requestheader-client-ca-file=${PKI}/front-proxy-ca.crt`,
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-username-headers=X-Remote-User',
    '--secure-port=6443',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${PKI}/sa.pub`,
    `--service-account-signing-key-file=${PKI}/sa.key`,
    `--service-cluster-ip-range=${serviceCIDR}`,
    `--tls-cert-file=${PKI}/apiserver.crt`,
    `--tls-private-key-file=${PKI}/apiserver.key`
  ]
}

export function controllerManagerCommand({ serviceCIDR, podCIDR }: ControlPlaneSite): string[] {
  const kubeconfig = '/etc/kubernetes/controller-manager.conf'
  return [
    'kube-controller-manager',
    '--allocate-node-cidrs=true',
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--client-ca-file=${PKI}/ca.crt`,
    `--cluster-cidr=${podCIDR}`,
    '--cluster-name=kubernetes',
    `--cluster-signing-cert-file=${PKI}/ca.crt`,
    `--cluster-signing-key-file=${PKI}/ca.key`,
    '--controllers=*,bootstrapsigner,tokencleaner',
    `--kubeconfig=${kubeconfig}`,
    '--leader-elect=true',
    `--requestheader-client-ca-file=${PKI}/front-proxy-ca.crt`,
    `--root-ca-file=${PKI}/ca.crt`,
    `--service-account-private-key-file=${PKI}/sa.key`,
    `--service-cluster-ip-range=${serviceCIDR}`,
    '--use-service-account-credentials=true'
  ]
}

export function schedulerCommand(): string[] {
  const kubeconfig = '/etc/kubernetes/scheduler.conf'
  return [
    'kube-scheduler',
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--kubeconfig=${kubeconfig}`,
    '--leader-elect=true'
  ]
}
