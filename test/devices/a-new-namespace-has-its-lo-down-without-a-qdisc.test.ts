import { expect, test } from 'vitest'
import { labShell, run } from '../core/shell-fixture.ts'

/** As a real kernel prints a namespace made with `ip netns add`: lo gets its qdisc when first up. */
test('a namespace made with ip netns add shows lo down with qdisc noop until lo first comes up', () => {
  const sh = labShell('two-bare-nodes')
  run(sh, 'node-1', 'ip netns add pod-a')
  expect(run(sh, 'node-1', 'ip netns exec pod-a ip link').stdout).toBe(
    '1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n' +
      '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n'
  )
  run(sh, 'node-1', 'ip netns exec pod-a ip link set lo up')
  run(sh, 'node-1', 'ip netns exec pod-a ip link set lo down')
  expect(run(sh, 'node-1', 'ip netns exec pod-a ip link show lo').stdout).toMatch(
    /^1: lo: <LOOPBACK> mtu 65536 qdisc noqueue state DOWN /
  )
})
