import { compareWithRealLab, withPingTimesMasked } from './conformance.ts'
import type { Output } from './real-lab.ts'

/**
 * `timeout` ending ping where its signal arrives, and traceroute's sixteen probes in flight at
 * once, on the simulator and on real namespaces built from it. The destination pod is three
 * hops from the client: a first traceroute's probes for hops 3 to 6 all reach it and spend its
 * ICMP error bucket (burst 6), so a second one right after hears nothing at hop 3 and goes on
 * until the bucket has a token again; one probe at a time (-N 1) spends only three. The pings'
 * limits fall between two echoes: a busy machine's timer fires late, never early.
 */

const PREFIX = 'pnl-ctt'

const COMPARED: { on: string; run: string }[] = [
  { on: 'client', run: 'traceroute -n 10.244.2.2; traceroute -n 10.244.2.2' },
  { on: 'client', run: 'sleep 7; traceroute -n -N 1 10.244.2.2; traceroute -n -N 1 10.244.2.2' },
  { on: 'client', run: 'timeout 1.5 ping 10.244.2.2' },
  { on: 'client', run: 'timeout -s INT 1.5 ping 10.244.2.2' },
  { on: 'client', run: 'timeout --preserve-status 1.5 ping 10.244.2.2' }
]

// traceroute's probe times differ between runs too.
const stable = (o: Output): string => withPingTimesMasked(o).replace(/ {2}[\d.]+ ms/g, '  <t> ms')

compareWithRealLab(
  'timeout and simultaneous traceroute probes',
  'two-node-vxlan',
  PREFIX,
  COMPARED,
  stable,
  60_000
)
