import { expect, test } from 'vitest'
import { linkByName } from '../../src-main/core/linux/netns.ts'
import { labShell, run } from './shell-fixture.ts'

test('ip monitor neigh sees the node learn a new neighbour, its decay and its deletion; Ctrl+C ends it with no summary', () => {
  const s = labShell()
  const schedule = (): (() => void) => () => undefined
  const monitor = s.liveTerminal('node-1', { schedule })!
  expect(monitor.run('ip monitor neigh').running).toBe(true)
  const clientMac = linkByName(
    s.lab.netns.get(s.lab.pods.find((p) => p.name === 'client')!.netns)!,
    'eth0'
  )!.mac
  const learnt = `10.244.1.2 dev cni0 lladdr ${clientMac}`
  run(s, 'client', 'curl -s 10.96.0.100')
  const seen = monitor
    .settle()
    .chunks.map((c) => c.text)
    .join('')
    .split('\n')
  // The client's ARP request teaches the node its address (STALE); forwarding the reply to it
  // starts a DELAY, which the kernel does not announce, and confirms nothing.
  expect(seen.filter((l) => l.startsWith('10.244.1.2 '))).toEqual([`${learnt} STALE `])
  run(s, 'node-1', 'sleep 5')
  expect(
    monitor
      .settle()
      .chunks.map((c) => c.text)
      .join('')
  ).toBe(`${learnt} PROBE \n${learnt} REACHABLE \n`)
  run(s, 'node-1', 'sleep 31')
  expect(
    monitor
      .settle()
      .chunks.map((c) => c.text)
      .join('')
  ).toContain(`${learnt} STALE \n`)
  run(s, 'node-1', 'ip neigh del 10.244.1.2 dev cni0')
  expect(monitor.settle().chunks).toEqual([
    { stream: 'stdout', text: '10.244.1.2 dev cni0 FAILED \nDeleted 10.244.1.2 dev cni0 FAILED \n' }
  ])
  monitor.interrupt()
  expect(monitor.settle()).toEqual({ chunks: [], ended: { exitCode: 130 } })
  expect(s.lab.netns.get('node-1')!.netlink.neigh.size).toBe(0)
  expect(run(s, 'node-1', 'ip monitor foo')).toEqual({
    stdout: '',
    stderr: 'Argument "foo" is unknown, try "ip monitor help".\n',
    exitCode: 255
  })
})
