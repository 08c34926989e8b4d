import { compareWithRealLab } from './conformance.ts'
import type { Output } from './real-lab.ts'

/**
 * Two VirtualBox VMs, each with eth0 10.0.2.15/24 on its own NAT network, and flannel's state
 * as a flanneld without --iface leaves it: every FDB entry sends to 10.0.2.15, the sender's own
 * address. The real lab is built from the simulator's lab, so this compares what each kernel
 * does with that state: encap_bypass_if_local hands the frame to the node's own VTEP, the packet
 * is forwarded back out of flannel.1 until its TTL runs out, and the sender hears of it from
 * the address its route back picks.
 */

const PREFIX = 'pnl-cvn'

const COMPARED: { on: string; run: string }[] = [
  { on: 'client', run: 'ping -c 1 -W 1 10.244.2.2' },
  { on: 'client', run: 'curl -sS -m 2 http://10.244.2.2:8080/' },
  { on: 'node-1', run: 'ip -s link show flannel.1' },
  { on: 'node-1', run: 'ping -c 1 -W 1 192.168.56.12' }
]

/**
 * What differs between any two runs: times (a looping packet's error can take a millisecond to
 * come back) and MACs; of the link counters only the packets,
 * since IPv6 router solicitations on a fresh VTEP count among the drops.
 */
function stable(o: Output): string {
  const packets = [...o.stdout.matchAll(/^ +(RX|TX): .*\n +\d+ +(\d+)/gm)].map((m) => `${m[1]} ${m[2]}`)
  const text = packets.length > 0 ? packets.join('\n') : o.stdout
  return `${text}--- ${o.stderr}--- exit ${o.exitCode}`
    .replace(/time[=< ]?[\d.]+ ?ms/g, 'time <t>')
    .replace(/after \d+ ms/g, 'after <t> ms')
    .replace(/rtt .*\n/g, '')
}

compareWithRealLab(
  "VXLAN sent to one of the node's own addresses",
  'vagrant-nat-interface',
  PREFIX,
  COMPARED,
  stable
)
