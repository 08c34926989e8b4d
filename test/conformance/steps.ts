import type { Scenario } from '../../src-main/core/scenario/scenario.schema.ts'
import type { LabPlan } from '../../src-main/core/scenario/export-lab.ts'

/**
 * The commands a learner types in the course, derived from a scenario so that every variant
 * runs the same kinds of checks on its own names and addresses. The same list runs in the
 * simulator and on the real namespaces; order matters, because traffic leaves state behind
 * (neighbour entries, learned FDB entries, conntrack) that later commands show.
 */

export interface CommandStep {
  kind: 'cmd'
  /** Lab host (node, pod or external host) the command runs on. */
  on: string
  run: string
  slug: string
  /**
   * Pod names whose answer is equally right: kube-proxy picks a Service backend at random
   * (statistic / numgen random), on the real kernel as in the simulator.
   */
  randomBackends?: string[]
  /**
   * Real side only: wait this long first. The kernel rate-limits ICMP errors per destination
   * (net.ipv4.icmp_ratelimit 1000 ms, burst 6): a real traceroute sends 16 probes at once, so
   * the destination answers ones past it too and one traceroute can drain its bucket; the next,
   * right after, loses hops (`*`), whereas a learner typing the next command a second later
   * does not. The simulator's lines each start with full buckets (the typing time), which the
   * pause gives the real side.
   */
  settleMs?: number
  /**
   * Real side only: the line as the host runs it, where the simulated target's tool is an
   * applet the host runs by another name (`busybox wget` for a busybox pod's `wget`).
   */
  realRun?: string
}

/**
 * A capture: `run` (a tcpdump with `-c N`) runs on `on` while `traffic` runs elsewhere. On the
 * real side tcpdump starts first; the simulator's tcpdump shows what crossed the interface
 * during the most recent traffic, so there the traffic runs first. Both outputs are compared.
 */
export interface CaptureStep {
  kind: 'capture'
  on: string
  run: string
  slug: string
  /** `randomBackends`: as a command step's, for traffic to a Service. */
  traffic: { on: string; run: string; randomBackends?: string[] }
}

export type Step = CommandStep | CaptureStep

/** A capture step: `run` on `on` while `traffic` runs on `trafficOn`. */
export function captureStep(on: string, run: string, slug: string, trafficOn: string, traffic: string): Step {
  return { kind: 'capture', on, run, slug, traffic: { on: trafficOn, run: traffic } }
}

interface PodInfo {
  name: string
  node: string
  ip: string
  port?: number
}

function hostAddress(plan: LabPlan, host: string, dev: string): string {
  const h = plan.hosts.find((x) => x.name === host)
  const a = h?.addresses.find((x) => x.endsWith(` dev ${dev}`))
  if (!a) throw new Error(`${host} has no address on ${dev}`)
  return a.split('/')[0]!
}

/** Counts one per compared output: a capture compares its traffic and its tcpdump. */
export function comparedCount(steps: Step[]): number {
  return steps.reduce((n, s) => n + (s.kind === 'capture' ? 2 : 1), 0)
}

export function stepsFor(s: Scenario, plan: LabPlan): Step[] {
  const pods: PodInfo[] = s.pods
    .filter((p) => !p.hostNetwork)
    .map((p) => ({
      name: p.name,
      node: p.node,
      ip: hostAddress(plan, p.name, 'eth0'),
      port: p.containers.find((c) => c.app === 'http')?.port
    }))
  const client = pods[0]!
  const remote = pods.find((p) => p.node !== client.node)
  if (!remote) throw new Error(`${s.id}: conformance needs pods on two nodes`)
  // A same-node pair: the client's neighbour if it has one, else any two pods sharing a node.
  const pair = ((): [PodInfo, PodInfo] => {
    const peer = pods.find((p) => p !== client && p.node === client.node)
    if (peer) return [client, peer]
    for (const a of pods) {
      const b = pods.find((p) => p !== a && p.node === a.node)
      if (b) return [a, b]
    }
    throw new Error(`${s.id}: conformance needs two pods on one node`)
  })()
  const nodeA = client.node
  const nodeB = remote.node
  const nodeBIp = s.nodes.find((n) => n.name === nodeB)!.ip
  const nodeAIp = s.nodes.find((n) => n.name === nodeA)!.ip
  const gwA = hostAddress(plan, nodeA, 'cni0')
  const vxlan = s.cluster.cni.backend === 'vxlan'
  const vtep = `flannel.${s.cluster.cni.vni}`
  const podMtu = vxlan ? s.cluster.mtu - 50 : s.cluster.mtu
  const withEndpoints = s.services.filter((svc) =>
    s.pods.some((p) => Object.entries(svc.selector).every(([k, v]) => p.labels[k] === v))
  )
  const svc = withEndpoints.find((x) => x.ports[0]!.protocol === 'TCP')!
  const svcIp = svc.clusterIP!
  const svcPort = svc.ports[0]!.port
  const empty = s.services.find((x) => !withEndpoints.includes(x))
  const nodePort = s.services.find((x) => x.type === 'NodePort')
  const external = s.externalHosts[0]
  const httpRemote = pods.find((p) => p.node !== client.node && p.port)

  const st: Step[] = []
  const cmd = (on: string, run: string, slug: string): void => {
    st.push({ kind: 'cmd', on, run, slug })
  }
  const cap = (on: string, run: string, slug: string, trafficOn: string, traffic: string): void => {
    st.push({ kind: 'capture', on, run, slug, traffic: { on: trafficOn, run: traffic } })
  }

  // State right after the build: what the CNI plugins, flanneld and kube-proxy made.
  cmd(client.name, 'ip addr', 'pod-ip-addr')
  cmd(client.name, 'ip link', 'pod-ip-link')
  cmd(client.name, 'ip -d link show eth0', 'pod-ip-d-link-eth0')
  cmd(client.name, 'ip route', 'pod-ip-route')
  cmd(client.name, 'ip -4 addr show dev eth0', 'pod-ip-4-addr-eth0')
  cmd(client.name, `ip route get ${remote.ip}`, 'pod-route-get-remote-pod')
  cmd(client.name, `ip route get ${svcIp}`, 'pod-route-get-clusterip')
  cmd(nodeA, 'ip addr', 'node-ip-addr')
  cmd(nodeA, 'ip link', 'node-ip-link')
  cmd(nodeA, 'ip route', 'node-ip-route')
  cmd(nodeA, 'ip -d link show cni0', 'node-ip-d-link-cni0')
  if (vxlan) {
    cmd(nodeA, `ip -d link show ${vtep}`, 'node-ip-d-link-vtep')
    cmd(nodeA, `ip neigh show dev ${vtep}`, 'node-ip-neigh-vtep')
    cmd(nodeA, `bridge fdb show dev ${vtep}`, 'node-bridge-fdb-vtep')
    cmd(nodeB, `ip neigh show dev ${vtep}`, 'nodeb-ip-neigh-vtep')
  }
  // What an engineer lists next: the brief views, the kernel's own routes, the bridge's ports,
  // a pod's veth as a bridge port, and the way back from the other node.
  const clientVeth = plan.hosts
    .find((h) => h.name === nodeA)!
    .links.find((l) => l.kind === 'veth' && l.peer.host === client.name)!.name
  cmd(nodeA, 'ip -br addr', 'node-ip-br-addr')
  cmd(client.name, 'ip -br link', 'pod-ip-br-link')
  cmd(nodeA, 'ip route show table local', 'node-ip-route-table-local')
  cmd(nodeA, 'ip route show proto kernel', 'node-ip-route-proto-kernel')
  cmd(nodeA, 'ip link show master cni0', 'node-ip-link-master-cni0')
  cmd(nodeA, `ip -d link show ${clientVeth}`, 'node-ip-d-link-pod-veth')
  cmd(nodeA, `ip route get ${remote.ip} from ${client.ip} iif cni0`, 'node-route-get-forwarded')
  cmd(nodeB, `ip route get ${client.ip}`, 'nodeb-route-get-client-pod')
  if (vxlan) {
    cmd(nodeB, `ip -d link show ${vtep}`, 'nodeb-ip-d-link-vtep')
    cmd(nodeB, `bridge fdb show dev ${vtep}`, 'nodeb-bridge-fdb-vtep')
  } else {
    cmd(nodeA, 'ip route show dev eth0', 'node-ip-route-dev-eth0')
  }
  cmd(nodeA, 'bridge link', 'node-bridge-link')
  cmd(nodeA, 'bridge -d link show', 'node-bridge-d-link')
  cmd(nodeA, `ip route get ${remote.ip}`, 'node-route-get-remote-pod')
  cmd(nodeA, `ip route get ${svcIp}`, 'node-route-get-clusterip')
  cmd(nodeA, 'sysctl net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables', 'node-sysctl')
  cmd(nodeA, 'iptables-save -t nat', 'node-iptables-save-nat')
  cmd(nodeA, 'iptables-save -t filter', 'node-iptables-save-filter')
  cmd(nodeA, 'iptables-save -t mangle', 'node-iptables-save-mangle')
  if (s.cluster.kubeProxy.mode === 'iptables')
    cmd(nodeA, 'iptables -t nat -L KUBE-SERVICES -n --line-numbers', 'node-iptables-list-kube-services')
  cmd(nodeA, 'iptables -t nat -L POSTROUTING -n', 'node-iptables-list-postrouting')
  if (s.cluster.kubeProxy.mode === 'nftables') {
    cmd(nodeA, 'nft list ruleset', 'node-nft-list-ruleset')
    cmd(nodeB, 'nft list ruleset', 'nodeb-nft-list-ruleset')
  }
  // The kernel's and the tools' own defaults an engineer glances at: the policy rules, the
  // links of one kind, the iptables build, and the sysctls every namespace has (br_netfilter's
  // key is there, 1, in a pod too).
  cmd(nodeA, 'ip rule', 'node-ip-rule')
  cmd(client.name, 'ip rule list table main', 'pod-ip-rule-table-main')
  cmd(client.name, 'ip link show type veth', 'pod-ip-link-type-veth')
  cmd(nodeA, 'ip -br link show type bridge', 'node-ip-link-type-bridge')
  if (vxlan) cmd(nodeA, 'ip link show type vxlan', 'node-ip-link-type-vxlan')
  cmd(nodeA, 'iptables -V', 'node-iptables-version')
  cmd(
    client.name,
    'sysctl net.bridge.bridge-nf-call-iptables net.ipv4.tcp_syn_retries net.ipv4.icmp_ratelimit net.ipv4.icmp_ratemask',
    'pod-sysctl-module-and-stack-defaults'
  )
  cmd(nodeB, 'ip route', 'nodeb-ip-route')
  cmd(remote.name, 'ip addr', 'remote-pod-ip-addr')
  cmd(remote.name, 'ip route', 'remote-pod-ip-route')

  // Traffic: pod to pod, to nodes, to Services.
  cmd(pair[0].name, `ping -c 1 ${pair[1].ip}`, 'ping-same-node-pod')
  cmd(client.name, `ping -c 1 ${remote.ip}`, 'ping-cross-node-pod')
  cmd(client.name, `ping -c 1 ${gwA}`, 'ping-own-gateway')
  cmd(client.name, `ping -c 1 ${nodeBIp}`, 'ping-other-node')
  cmd(client.name, `ping -c 2 -W 1 ${svcIp}`, 'ping-clusterip')
  cmd(client.name, `ping -c 1 -M do -s ${podMtu - 28} ${remote.ip}`, 'ping-df-fits-mtu')
  cmd(client.name, `ping -c 1 -M do -s ${podMtu - 27} ${remote.ip}`, 'ping-df-exceeds-mtu')
  cmd(client.name, 'ip neigh', 'pod-ip-neigh-after-ping')
  cmd(nodeA, `ping -c 1 ${remote.ip}`, 'node-ping-remote-pod')
  cmd(nodeA, `ping -c 1 ${nodeBIp}`, 'node-ping-other-node')
  cmd(remote.name, `ping -c 1 ${client.ip}`, 'ping-cross-node-pod-back')
  cmd(client.name, `curl -sS -m 2 http://${svcIp}:${svcPort + 1}/`, 'curl-service-wrong-port')
  if (empty)
    cmd(
      client.name,
      `curl -sS http://${empty.clusterIP}:${empty.ports[0]!.port}/`,
      'curl-service-no-endpoints'
    )
  // nftables mode rejects any protocol to a ClusterIP in the output hook: the error comes from
  // the node's own address and sendmsg fails with EPERM.
  if (empty && s.cluster.kubeProxy.mode === 'nftables')
    cmd(nodeA, `ping -c 2 -W 1 ${empty.clusterIP}`, 'node-ping-clusterip-rejected-in-output')
  if (httpRemote) cmd(client.name, `curl -s http://${httpRemote.ip}:${httpRemote.port}/`, 'curl-remote-pod')
  const trace = (to: string, slug: string): void => {
    st.push({ kind: 'cmd', on: client.name, run: `traceroute -n -q 1 -w 1 ${to}`, slug, settleMs: 1100 })
  }
  trace(remote.ip, 'traceroute-cross-node-pod')
  trace(pair[0] === client ? pair[1].ip : gwA, 'traceroute-same-node')
  trace(nodeBIp, 'traceroute-other-node')
  st.push({
    kind: 'cmd',
    on: nodeA,
    run: `traceroute -n -q 1 -w 1 ${remote.ip}`,
    slug: 'node-traceroute-remote-pod',
    settleMs: 1100
  })

  // What crossed the wires.
  if (vxlan) {
    cap(
      nodeB,
      'tcpdump -nn -e -i eth0 -c 2 udp port 8472',
      'tcpdump-underlay-vxlan-otv',
      client.name,
      `ping -c 1 -M do -s ${podMtu - 28} ${remote.ip}`
    )
    cap(
      nodeB,
      'tcpdump -nn -e -T vxlan -i eth0 -c 2 udp port 8472',
      'tcpdump-underlay-T-vxlan',
      client.name,
      `ping -c 1 ${remote.ip}`
    )
    cap(nodeA, `tcpdump -nn -e -i ${vtep} -c 2 icmp`, 'tcpdump-vtep', client.name, `ping -c 1 ${remote.ip}`)
  } else {
    cap(
      nodeB,
      'tcpdump -nn -e -i eth0 -c 2 icmp',
      'tcpdump-underlay-host-gw',
      client.name,
      `ping -c 1 ${remote.ip}`
    )
    // Filters learners copy from tutorials: header fields and flag bits by byte offset.
    cap(
      nodeB,
      "tcpdump -nn -i eth0 -c 2 'ip[8] < 64 and icmp[icmptype] == icmp-echo'",
      'tcpdump-underlay-filter-forwarded-echo',
      client.name,
      `ping -c 2 ${remote.ip}`
    )
    if (httpRemote)
      cap(
        httpRemote.name,
        "tcpdump -nn -i eth0 -c 2 'tcp[tcpflags] & tcp-syn != 0'",
        'tcpdump-remote-pod-filter-syn-flag',
        client.name,
        `curl -s http://${httpRemote.ip}:${httpRemote.port}/`
      )
  }
  cap(
    pair[0].node,
    'tcpdump -nn -e -i cni0 -c 2 icmp',
    'tcpdump-cni0-same-node',
    pair[0].name,
    `ping -c 1 ${pair[1].ip}`
  )
  cap(
    remote.name,
    'tcpdump -nn -i eth0 -c 2 icmp',
    'tcpdump-remote-pod-eth0',
    client.name,
    `ping -c 1 ${remote.ip}`
  )
  cap(
    nodeA,
    'tcpdump -nn -i eth0 -c 1 tcp',
    'tcpdump-node-eth0-clusterip-wrong-port',
    client.name,
    `curl -sS -m 1 http://${svcIp}:${svcPort + 1}/`
  )
  // A whole HTTP connection, on the server's side: handshake, request, answer, close.
  if (httpRemote)
    cap(
      httpRemote.name,
      'tcpdump -nn -i eth0 -c 10 tcp',
      'tcpdump-remote-pod-curl-connection',
      client.name,
      `curl -s http://${httpRemote.ip}:${httpRemote.port}/`
    )

  // After the traffic: what the kernel learned. Before any Service traffic, whose random
  // backend pick would decide which neighbours and conntrack entries exist.
  cmd(nodeA, 'conntrack -L -p tcp', 'node-conntrack-tcp')
  cmd(nodeA, 'ip neigh show dev cni0', 'node-ip-neigh-cni0')
  cmd(nodeA, 'bridge fdb show br cni0', 'node-bridge-fdb-cni0')
  cmd(nodeA, 'ip neigh show dev eth0', 'node-ip-neigh-eth0')
  if (external) {
    cmd(external.name, 'ip route', 'external-ip-route')
    cmd(external.name, `ping -c 1 ${nodeAIp}`, 'external-ping-node')
    cmd(external.name, `ping -c 1 -W 1 ${remote.ip}`, 'external-ping-pod-ip')
  }

  // Service traffic last: which backend answers is random by nature.
  const backends = s.pods
    .filter((p) => Object.entries(svc.selector).every(([k, v]) => p.labels[k] === v))
    .map((p) => p.name)
  const random = (on: string, run: string, slug: string): void => {
    st.push({ kind: 'cmd', on, run, slug, randomBackends: backends })
  }
  random(client.name, `curl -s http://${svcIp}:${svcPort}/`, 'curl-service')
  random(nodeA, `curl -s http://${svcIp}:${svcPort}/`, 'node-curl-service')
  // The client's side of a connection to the ClusterIP looks the same whichever backend answers.
  st.push({
    kind: 'capture',
    on: client.name,
    run: 'tcpdump -nn -i eth0 -c 10 tcp',
    slug: 'tcpdump-pod-curl-clusterip-connection',
    traffic: { on: client.name, run: `curl -s http://${svcIp}:${svcPort}/`, randomBackends: backends }
  })
  if (external && nodePort) {
    const np = nodePort.ports[0]!.nodePort!
    const npBackends = s.pods
      .filter((p) => Object.entries(nodePort.selector).every(([k, v]) => p.labels[k] === v))
      .map((p) => p.name)
    for (const [ip, slug] of [
      [nodeAIp, 'external-curl-nodeport'],
      [nodeBIp, 'external-curl-nodeport-other-node']
    ] as const)
      st.push({
        kind: 'cmd',
        on: external.name,
        run: `curl -s http://${ip}:${np}/`,
        slug,
        randomBackends: npBackends
      })
  }

  // The tools an engineer checks first, on state no Service pick changes: every per-interface
  // IPv4 sysctl (the kernel's defaults plus what flannel and kube-proxy set), the bridge's whole
  // forwarding database, and kube-proxy's nftables objects one by one.
  cmd(nodeA, "sysctl -a -r '^net\\.ipv4\\.(ip_forward|conf\\.)'", 'node-sysctl-ipv4-conf')
  cmd(client.name, "sysctl -a -r '^net\\.ipv4\\.conf\\.'", 'pod-sysctl-ipv4-conf')
  cmd(
    nodeA,
    `sysctl net.ipv4.conf.all.route_localnet net.ipv4.conf.cni0.forwarding net.ipv4.conf.${vxlan ? `${vtep.replace('.', '/')}` : 'eth0'}.rp_filter net.ipv4.conf.nope.rp_filter`,
    'node-sysctl-keys-and-unknown'
  )
  cmd(nodeA, 'cat /proc/sys/net/ipv4/conf/eth0/send_redirects', 'node-cat-proc-sys-send-redirects')
  cmd(nodeA, 'bridge fdb show', 'node-bridge-fdb-all')
  cmd(nodeA, 'bridge fdb show dev cni0', 'node-bridge-fdb-dev-cni0')
  cmd(nodeA, `bridge fdb show brport ${clientVeth}`, 'node-bridge-fdb-brport')
  if (s.cluster.kubeProxy.mode === 'nftables') {
    cmd(nodeA, 'nft list tables', 'node-nft-list-tables')
    cmd(nodeA, 'nft list table ip kube-proxy', 'node-nft-list-table')
    cmd(nodeA, 'nft list chain ip kube-proxy services', 'node-nft-list-chain')
    cmd(nodeA, 'nft list set ip kube-proxy cluster-ips', 'node-nft-list-set')
    cmd(nodeA, 'nft list map ip kube-proxy service-ips', 'node-nft-list-map')
    cmd(nodeA, 'nft list chain ip kube-proxy no-such-chain', 'node-nft-list-unknown-chain')
    cmd(nodeA, 'nft list table ip no-such-table', 'node-nft-list-unknown-table')
    cmd(nodeA, 'nft list set ip kube-proxy no-such-set', 'node-nft-list-unknown-set')
  }

  // A SYN the server's node drops without a word: the client's kernel sends it again 1 s later
  // (the same segment, -ttt shows the spacing) and curl gives up at its -m. Last, and undone,
  // since the rule would swallow any later traffic to that pod.
  if (httpRemote) {
    const drop = `FORWARD -d ${httpRemote.ip} -p tcp --dport ${httpRemote.port} -j DROP`
    cmd(httpRemote.node, `iptables -I ${drop}`, 'server-node-drops-syn')
    cap(
      client.name,
      'tcpdump -nn -ttt -i eth0 -c 2 tcp',
      'tcpdump-pod-syn-retransmitted',
      client.name,
      `curl -sS -m 2 http://${httpRemote.ip}:${httpRemote.port}/`
    )
    // Without -m curl waits for the kernel: after tcp_syn_retries retransmissions, 3 s at 1.
    cmd(client.name, 'sysctl -w net.ipv4.tcp_syn_retries=0', 'pod-sysctl-syn-retries-out-of-range')
    cmd(client.name, 'sysctl -w net.ipv4.tcp_syn_retries=1', 'pod-sysctl-syn-retries-one')
    cmd(
      client.name,
      `curl -sS http://${httpRemote.ip}:${httpRemote.port}/`,
      'curl-gives-up-after-syn-retries'
    )
    cmd(client.name, 'sysctl -w net.ipv4.tcp_syn_retries=6', 'pod-sysctl-syn-retries-default')
    cmd(httpRemote.node, `iptables -D ${drop}`, 'server-node-stops-dropping-syn')

    // A socket leaves the TCP checksum to the device and no veth, bridge or VXLAN fills it in,
    // so -v reads `incorrect` on both ends and on the nodes; a kernel reset is checksummed.
    const url = `http://${httpRemote.ip}:${httpRemote.port}/`
    cap(
      client.name,
      'tcpdump -v -nn -i eth0 -c 4 tcp',
      'tcpdump-v-client-checksum',
      client.name,
      `curl -s ${url}`
    )
    cap(
      httpRemote.name,
      'tcpdump -v -nn -i eth0 -c 4 tcp',
      'tcpdump-v-server-checksum',
      client.name,
      `curl -s ${url}`
    )
    cap(
      nodeA,
      `tcpdump -v -nn -i ${vxlan ? vtep : 'eth0'} -c 2 tcp`,
      'tcpdump-v-node-checksum',
      nodeA,
      `curl -s ${url}`
    )
    cap(
      client.name,
      'tcpdump -v -nn -i eth0 -c 2 tcp',
      'tcpdump-v-reset-checksum',
      client.name,
      `curl -sS http://${httpRemote.ip}:${httpRemote.port! + 1}/`
    )
  }

  // The ICMP error limiter: the client's gateway answers a ttl-1 echo with "Time to live
  // exceeded", six at once and then one a second, so seven of eight echoes 0.2 s apart get one.
  // Eight, not more: a busy machine stretches real ping's intervals, and the eighth would need
  // 0.6 s of that before its error were let through too.
  // Last: the limiter's bucket for the client stays drained for a few seconds.
  cmd(client.name, `ping -t 1 -c 8 -i 0.2 ${remote.ip}`, 'ping-ttl-1-icmp-rate-limited')
  return st
}
