import { readFileSync } from 'node:fs'
import { defineLabComparison } from './conformance.ts'
import { captureStep, type Step } from './steps.ts'

/**
 * Before its first packet to a neighbour a kernel asks for the neighbour's MAC: a broadcast
 * `who-has` that every port of the bridge hears, a unicast `is-at` back, then the packet. A
 * capture started on a fresh lab shows them in that order, on the pod, on its bridge and on
 * the underlay, and an address nobody holds draws three requests a second apart and then the
 * node's `Destination Host Unreachable`. The vxlan variant's fixture, built in the simulator and
 * from real namespaces, runs the same lines on both before any other traffic.
 */
const yaml = readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8')

const steps: Step[] = [
  captureStep(
    'client',
    "tcpdump -nn -e -i eth0 -c 4 'arp or icmp'",
    'tcpdump-pod-first-ping-same-node',
    'client',
    'ping -c 1 10.244.1.3'
  ),
  captureStep(
    'web-2',
    'tcpdump -nn -i eth0 -c 1 arp',
    'tcpdump-other-pod-hears-the-broadcast',
    'web-1',
    'ping -c 1 10.244.1.1'
  ),
  captureStep(
    'node-2',
    "tcpdump -nn -i eth0 -c 4 'arp or udp port 8472'",
    'tcpdump-underlay-first-vxlan-datagram',
    'client',
    'ping -c 1 10.244.2.2'
  ),
  captureStep(
    'client',
    "tcpdump -nn -ttttt -i eth0 -c 6 'arp host 10.244.1.99'",
    'tcpdump-pod-unanswered-who-has',
    'client',
    'ping -c 1 -W 5 10.244.1.99'
  )
]

defineLabComparison({
  title: 'first packets resolve their neighbour',
  yaml,
  prefix: 'pnl-arp',
  steps,
  underlay: (on) => on.startsWith('node-')
})
