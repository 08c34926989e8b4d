import { readFileSync } from 'node:fs'
import { defineLabComparison } from './conformance.ts'
import type { Step } from './steps.ts'

/**
 * Traffic that leaves the cluster: the vxlan variant gains a web server on the internet, behind
 * the gateway, and a Service with ClientIP affinity. The same lines run on the simulator and on
 * real namespaces built from it: the pod's ping and curl go out through flannel's MASQUERADE
 * (the pod's address on its eth0, the node's on the node's eth0 and at the server), conntrack
 * keeps both tuples, and kube-proxy's `recent` rules send one client to one backend. A pod on
 * node-2 with a hostPort is reached through the portmap plugin's chains at node-2's address
 * only; node-1 refuses the same port.
 */
export const egressYaml = readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8')
  .replace(
    'externalHosts:\n',
    'externalHosts:\n  - { name: example-com, ip: 203.0.113.10, internet: true, app: http, port: 80 }\n'
  )
  .replace(
    'services:\n',
    [
      '  - name: hp',
      '    node: node-2',
      '    labels: { app: hp }',
      '    containers: [{ name: app, image: podnet/http, app: http, port: 8080, hostPort: 8081 }]',
      'services:',
      ''
    ].join('\n')
  )
  .replace(
    /\nservices:\n/,
    [
      '',
      'services:',
      '  - name: sticky',
      '    clusterIP: 10.96.0.130',
      '    selector: { app: web }',
      '    sessionAffinity: ClientIP',
      '    ports: [{ name: http, port: 80, targetPort: 8080 }]',
      ''
    ].join('\n')
  )

/** Which backend answers first is random on both sides; that every later curl gets the same one is not. */
const STICKY_CURLS = 'curl -s http://10.96.0.130/ ; curl -s http://10.96.0.130/ ; curl -s http://10.96.0.130/'
const backendsSeen = (text: string): string => `${new Set(text.trim().split('\n')).size} backend(s)`

const cmd = (on: string, run: string): Step => ({ kind: 'cmd', on, run, slug: run.replace(/\W+/g, '-') })
const capture = (on: string, run: string, trafficOn: string, traffic: string): Step => ({
  kind: 'capture',
  on,
  run,
  slug: `${on}-${run}`.replace(/\W+/g, '-'),
  traffic: { on: trafficOn, run: traffic }
})

// The iptables-save steps come after traffic on purpose: built-in chains that a rule brought
// into being keep `[0:0]` policy counters however many packets they passed.
const steps: Step[] = [
  cmd('client', 'ping -c 2 203.0.113.10'),
  cmd('client', 'curl -s http://203.0.113.10/'),
  cmd('node-1', 'conntrack -L -d 203.0.113.10'),
  capture('client', 'tcpdump -nn -i eth0 -c 2 icmp', 'client', 'ping -c 1 203.0.113.10'),
  capture('node-1', 'tcpdump -nn -i eth0 -c 2 icmp', 'client', 'ping -c 1 203.0.113.10'),
  capture('example-com', 'tcpdump -nn -i eth0 -c 2 icmp', 'client', 'ping -c 1 203.0.113.10'),
  capture('example-com', 'tcpdump -nn -i eth0 -c 3 tcp', 'client', 'curl -s http://203.0.113.10/'),
  cmd('client', STICKY_CURLS),
  cmd('laptop', 'curl -s http://192.168.56.12:8081/'),
  cmd('client', 'curl -s http://192.168.56.12:8081/'),
  cmd('laptop', 'curl -s -m 2 http://192.168.56.11:8081/ ; echo rc=$?'),
  cmd('node-1', 'iptables-save -t nat'),
  cmd('node-2', 'iptables-save -t nat')
]

defineLabComparison({
  title: 'egress and affinity',
  yaml: egressYaml,
  prefix: 'pnl-egr',
  steps,
  underlay: (on) => on.startsWith('node-') || on === 'example-com' || on === 'laptop',
  context: (ctx) => {
    ctx.knownPorts.add(80)
    ctx.knownPorts.add(8081)
  },
  then: (line, text) => (line.run === STICKY_CURLS ? backendsSeen(text) : text)
})
