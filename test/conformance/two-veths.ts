/**
 * The start both the routing conformance tests build on: a namespace with its loopback up and
 * two veths, eth0 and eth1, each up with its peer up beside it, so both have carrier.
 */
export function twoVethsIn(ns: string): string[] {
  const ip = (args: string): string => `ip -n ${ns} ${args}`
  return [
    `ip netns add ${ns}`,
    ip('link set lo up'),
    ip('link add eth0 type veth peer name peer0'),
    ip('link add eth1 type veth peer name peer1'),
    ...['eth0', 'peer0', 'eth1', 'peer1'].map((d) => ip(`link set ${d} up`))
  ]
}
