import { expect, test } from 'vitest'
import { labShell, run } from '../core/shell-fixture.ts'

/**
 * iproute2's `bridge link` prints `@` and the name its own namespace has for the peer's ifindex,
 * as a real kernel showed for a veth whose peer moved into a namespace made with `ip netns add`.
 */
test('bridge link names a veth peer in another namespace by what its ifindex is on the node', () => {
  const sh = labShell('two-bare-nodes')
  for (const line of [
    'ip netns add pod-a',
    'ip link add veth-a type veth peer name ceth-a',
    'ip link set ceth-a netns pod-a',
    'ip netns exec pod-a ip link set ceth-a name eth0',
    'ip link add cni0 type bridge',
    'ip link set veth-a master cni0'
  ])
    expect(run(sh, 'node-1', line).exitCode).toBe(0)
  // The peer is ifindex 3 in pod-a; node-1 has no link 3 any more, so iproute2 falls back to if3.
  expect(run(sh, 'node-1', 'bridge link').stdout).toBe(
    '4: veth-a@if3: <BROADCAST,MULTICAST> mtu 1500 master cni0 state disabled priority 32 cost 2 \n'
  )
  // On a flannel node a pod's eth0 is ifindex 2, which is the node's own eth0.
  expect(run(labShell('two-node-vxlan'), 'node-1', 'bridge link').stdout).toMatch(
    /^\d+: veth[0-9a-f]{8}@eth0: /
  )
})
