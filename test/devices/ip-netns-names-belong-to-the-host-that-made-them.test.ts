import { expect, test } from 'vitest'
import { labShell, run } from '../core/shell-fixture.ts'

const quiet = { stdout: '', stderr: '', exitCode: 0 }

test('a namespace made with ip netns add is listed, entered and deleted only on its own host', () => {
  const sh = labShell('two-bare-nodes')
  expect(run(sh, 'node-1', 'ip netns add pnl-x')).toEqual(quiet)
  expect(run(sh, 'node-1', 'ip netns list').stdout).toBe('pnl-x\n')
  expect(run(sh, 'node-2', 'ip netns list').stdout).toBe('')
  expect(run(sh, 'node-2', 'ip netns exec pnl-x ip link')).toEqual({
    stdout: '',
    stderr: 'Cannot open network namespace "pnl-x": No such file or directory\n',
    exitCode: 255
  })
  expect(run(sh, 'node-1', 'ip netns exec pnl-x nosuch').stderr).toBe(
    'exec of "nosuch" failed: No such file or directory\n'
  )

  // The nsid appears once a link joins the two namespaces.
  for (const line of ['ip link add v1 type veth peer name v2', 'ip link set v2 netns pnl-x'])
    expect(run(sh, 'node-1', line)).toEqual(quiet)
  expect(run(sh, 'node-1', 'ip netns').stdout).toBe('pnl-x (id: 0)\n')
  const v2 = run(sh, 'node-1', 'ip -n pnl-x link show v2').stdout
  expect(v2).toMatch(/^3: v2@if4: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN /)
  expect(v2).toMatch(/ link-netnsid 0\n$/)

  // Deleting the namespace destroys the veth in it, and with it the peer left on the node.
  expect(run(sh, 'node-1', 'ip netns del pnl-x')).toEqual(quiet)
  expect(run(sh, 'node-1', 'ip link show v1').stderr).toBe('Device "v1" does not exist.\n')
  expect(run(sh, 'node-1', 'ip netns del pnl-x').stderr).toBe(
    'Cannot remove namespace file "/run/netns/pnl-x": No such file or directory\n'
  )
})
