import { expect, test } from 'vitest'
import { labFacts } from '../../src-main/core/lesson/lab-adapter.ts'
import { predicateSchema } from '../../src-main/core/lesson/lesson.schema.ts'
import { evaluateGoal } from '../../src-main/core/lesson/predicates.ts'
import { HAND_BUILT, buildLines } from '../devices/hand-built-pod-network.ts'
import { labShell, run } from '../core/shell-fixture.ts'

const holds = (sh: ReturnType<typeof labShell>, predicate: unknown): boolean =>
  evaluateGoal(predicateSchema.parse(predicate), labFacts(sh.lab), []).pass

test('goals see the namespaces, links, addresses, neighbours and routes a learner wired by hand', () => {
  const sh = labShell('two-bare-nodes')
  const [a, b] = HAND_BUILT
  const pod = `${a.node}:${a.pod}`
  const veth = { kind: 'link', link: `${pod}/eth0`, type: 'veth', address: `${a.podIp}/24` }
  const enslaved = { kind: 'link', link: 'node-1/veth-pod', master: 'cni0' }
  const defaultRoute = { kind: 'route', on: pod, destination: 'default', via: `${a.subnet}.1` }
  const neighbour = {
    kind: 'neighbour',
    device: 'node-1/flannel.1',
    address: `${b.subnet}.0`,
    permanent: true
  }
  for (const goal of [veth, enslaved, defaultRoute, neighbour]) expect(holds(sh, goal)).toBe(false)

  for (const line of buildLines(a, b)) run(sh, a.node, line)

  for (const goal of [veth, enslaved, defaultRoute, neighbour]) expect(holds(sh, goal)).toBe(true)
  expect(holds(sh, { ...neighbour, lladdr: `02:00:00:00:dd:${b.tag}` })).toBe(true)
  expect(holds(sh, { kind: 'link', link: 'node-1/cni0', type: 'bridge', address: `${a.subnet}.1/24` })).toBe(
    true
  )
  expect(
    holds(sh, { kind: 'route', on: 'node-1', destination: `${b.subnet}.0/24`, via: `${b.subnet}.0` })
  ).toBe(true)

  // An ARP-learned neighbour is no permanent one, and the link leaves the bridge with nomaster.
  run(sh, a.node, `ip netns exec ${a.pod} ping -c 1 ${a.subnet}.1`)
  const learned = { kind: 'neighbour', device: `${pod}/eth0`, address: `${a.subnet}.1` }
  expect(holds(sh, learned)).toBe(true)
  expect(holds(sh, { ...learned, permanent: true })).toBe(false)
  run(sh, a.node, 'ip link set veth-pod nomaster')
  expect(holds(sh, enslaved)).toBe(false)
})
