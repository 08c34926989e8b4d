import { readFileSync } from 'node:fs'
import { defineLabComparison } from './conformance.ts'
import { captureStep, type Step } from './steps.ts'

/**
 * What a Service's data path shows depends on the backend kube-proxy picks at random, so the
 * variants' steps cannot pin it. Here the vxlan variant gains two Services with one backend
 * each — web-1 on the client's node, web-3 on the other — and the same command lines run on the
 * simulator and on real namespaces built from it: traceroute through the DNAT (conntrack
 * rewrites every ICMP error back to the ClusterIP), a same-node reply bridged with ttl 64, and,
 * with bridge-nf-call-iptables off on node-1, the client's reset of a SYN-ACK that escaped its
 * un-DNAT. Before those, the laptop's ping to node-1 shows INPUT's counters, among them those
 * of kubelet's `-j KUBE-FIREWALL`, a rule that OUTPUT holds too and counts apart.
 */
const yaml = readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8')
  .replace(
    '  - name: web-1\n    node: node-1\n    labels: { app: web }',
    '  - name: web-1\n    node: node-1\n    labels: { app: web, only: one }'
  )
  .replace(
    '  - name: web-3\n    node: node-2\n    labels: { app: web }',
    '  - name: web-3\n    node: node-2\n    labels: { app: web, only: three }'
  )
  .replace(
    'services:\n',
    [
      'services:',
      '  - name: web-local',
      '    clusterIP: 10.96.0.110',
      '    selector: { only: one }',
      '    ports: [{ name: http, port: 80, targetPort: 8080 }]',
      '  - name: web-remote',
      '    clusterIP: 10.96.0.120',
      '    selector: { only: three }',
      '    ports: [{ name: http, port: 80, targetPort: 8080 }]',
      ''
    ].join('\n')
  )

const cmd = (on: string, run: string, slug: string, settleMs?: number): Step => ({
  kind: 'cmd',
  on,
  run,
  slug,
  ...(settleMs ? { settleMs } : {})
})

const steps: Step[] = [
  // Before any cross-node traffic, whose VXLAN packets node-1's INPUT counts too. Not OUTPUT:
  // on the real side it also counts a 40-byte packet node-1 sends while the lab comes up.
  cmd('laptop', 'ping -c 2 192.168.56.11', 'laptop-pings-node'),
  cmd('node-1', 'iptables -L INPUT -v -n -x', 'node-input-counters-after-ping'),
  cmd('client', 'traceroute -n -q 1 -w 1 -T -p 80 10.96.0.120', 'traceroute-tcp-remote-backend', 1100),
  cmd('client', 'traceroute -n -q 1 -w 1 -T -p 80 10.96.0.110', 'traceroute-tcp-same-node-backend', 1100),
  cmd('node-1', 'traceroute -n -q 1 -w 1 -T -p 80 10.96.0.120', 'node-traceroute-tcp-remote-backend', 1100),
  cmd('client', 'traceroute -n -q 1 -w 1 -I -m 3 10.96.0.120', 'traceroute-icmp-clusterip', 1100),
  cmd('client', 'traceroute -n -q 1 -w 1 -U -m 3 10.96.0.120', 'traceroute-udp-clusterip', 1100),
  captureStep(
    'client',
    'tcpdump -nn -v -i eth0 -c 2 tcp',
    'tcpdump-same-node-service-ttl',
    'client',
    'curl -s http://10.96.0.110/'
  ),
  cmd('node-1', 'sysctl -w net.bridge.bridge-nf-call-iptables=0', 'break-bridge-nf'),
  captureStep(
    'client',
    'tcpdump -nn -i eth0 -c 3 tcp',
    'tcpdump-stray-syn-ack-reset',
    'client',
    'curl -sS -m 1 http://10.96.0.110/'
  )
]

defineLabComparison({
  title: 'single-backend Services',
  yaml,
  prefix: 'pnl-svc',
  steps,
  underlay: (on) => on.startsWith('node-') || on === 'laptop'
})
