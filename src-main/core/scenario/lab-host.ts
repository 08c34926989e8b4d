import type { LabHost } from './export-lab.ts'

/**
 * The host pieces both lab plans build alike: the ground truth written from the scenario
 * (test/conformance/lab-plan.ts) and the plan read back from the simulator's lab
 * (plan-from-lab.ts). Kept in one place so the two plans cannot drift apart in how a namespace
 * starts or how the underlay is wired.
 */

/** A fresh namespace: nothing in it but its loopback, up. */
export function emptyLabHost(name: string, kind: LabHost['kind']): LabHost {
  return {
    name,
    kind,
    nsids: [],
    sysctls: [],
    links: [],
    masters: [],
    hairpin: [],
    addresses: [],
    up: ['lo'],
    routes: [],
    neighbours: [],
    fdb: [],
    iptables: [],
    apps: []
  }
}

/**
 * The underlay as a dumb switch: forwarding and bridge netfilter off, so whatever is routed to an
 * address it holds (the gateway) dies there, as it is "normally lost upstream" on a real network.
 */
export function underlaySwitch(name: string): LabHost {
  const u = emptyLabHost(name, 'underlay')
  u.sysctls.push(['net.ipv4.ip_forward', '0'], ['net.bridge.bridge-nf-call-iptables', '0'])
  return u
}

/** One segment of the underlay: a bridge on the switch. */
export function addUnderlaySegment(u: LabHost, bridge: string, mtu: number): void {
  u.links.push({ kind: 'bridge', name: bridge, mtu })
  u.up.push(bridge)
}

/**
 * Cables a host's interface into a segment: a veth pair whose switch end (`port<n>`, numbered in
 * cabling order) is enslaved to the segment's bridge. A switch end with a smaller MTU than the
 * host's makes the segment narrower than the hosts think: veth refuses a frame bigger than its
 * peer's MTU and counts it dropped, as a real switch port would discard it.
 */
export function cableToUnderlay(
  u: LabHost,
  bridge: string,
  mtu: number,
  end: { host: string; name: string; mac: string },
  switchMtu = mtu
): void {
  const port = `port${u.links.filter((l) => l.kind === 'veth').length}`
  u.links.push({ kind: 'veth', name: port, mtu: switchMtu, peer: { ...end, mtu } })
  u.masters.push([port, bridge])
  u.up.push(port)
}
