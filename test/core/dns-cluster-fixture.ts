/**
 * The two-node cluster the cluster-DNS tests and bench resolve names in: kubeadm's CoreDNS runs
 * behind kube-dns on its own, so a scenario only adds a `client` pod on node-1 and, where asked,
 * `web-N` pods (app: web, port 8080) on the given nodes and a `web` Service in front of them.
 */
export function dnsClusterYaml(options: {
  id: string
  kubeProxyMode?: 'iptables' | 'ipvs' | 'nftables'
  webOn?: readonly string[]
  webService?: boolean
}): string {
  const { id, kubeProxyMode, webOn = [], webService = false } = options
  const web = webOn.map(
    (node, i) =>
      `  - { name: web-${i + 1}, node: ${node}, labels: { app: web }, containers: [{ name: app, app: http, port: 8080 }] }\n`
  )
  return (
    `formatVersion: 1\nid: ${id}\ncluster:\n  gateway: 192.168.56.1\n` +
    (kubeProxyMode === undefined ? '' : `  kubeProxy: { mode: ${kubeProxyMode} }\n`) +
    'nodes:\n  - { name: node-1, ip: 192.168.56.11 }\n  - { name: node-2, ip: 192.168.56.12 }\n' +
    'pods:\n  - { name: client, node: node-1, containers: [{ name: shell, app: sleep }] }\n' +
    web.join('') +
    (webService
      ? 'services:\n  - { name: web, selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }\n'
      : '')
  )
}
