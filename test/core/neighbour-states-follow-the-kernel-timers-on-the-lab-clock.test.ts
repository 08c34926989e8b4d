import { expect, test } from 'vitest'
import { linkByName } from '../../src-main/core/linux/netns.ts'
import type { ShellSession } from '../../src-main/core/shell/shell.ts'
import { labShell, run } from './shell-fixture.ts'

const printed = (monitor: ShellSession): string =>
  monitor
    .settle()
    .chunks.map((c) => c.text)
    .join('')

/** The entry's line in `ip neigh`, after the line before it ran. */
function neigh(s: ReturnType<typeof labShell>, on: string, ip: string, before = 'true'): string {
  return (
    run(s, on, `${before}; ip neigh`)
      .stdout.split('\n')
      .find((l) => l.startsWith(`${ip} `)) ?? ''
  )
}

function lab(): { s: ReturnType<typeof labShell>; node: ShellSession; client: ShellSession; mac: string } {
  const s = labShell()
  const watch = (on: string): ShellSession => {
    const t = s.liveTerminal(on, { schedule: () => () => undefined })!
    t.run('ip monitor neigh')
    return t
  }
  const clientNs = s.lab.netns.get(s.lab.pods.find((p) => p.name === 'client')!.netns)!
  return { s, node: watch('node-1'), client: watch('client'), mac: linkByName(clientNs, 'eth0')!.mac }
}

test('a router only forwards, so its entry goes DELAY, then PROBE, and the answered probe makes it REACHABLE until 30 s pass', () => {
  const { s, node, mac } = lab()
  run(s, 'client', 'curl -s 10.96.0.100')
  expect(printed(node)).toContain(`10.244.1.2 dev cni0 lladdr ${mac} STALE \n`)
  expect(neigh(s, 'node-1', '10.244.1.2')).toBe(`10.244.1.2 dev cni0 lladdr ${mac} DELAY `)
  expect(neigh(s, 'node-1', '10.244.1.2', 'sleep 4')).toContain(' DELAY ')
  expect(printed(node)).toBe('')
  expect(neigh(s, 'node-1', '10.244.1.2', 'sleep 1')).toContain(' REACHABLE ')
  expect(printed(node)).toBe(
    `10.244.1.2 dev cni0 lladdr ${mac} PROBE \n10.244.1.2 dev cni0 lladdr ${mac} REACHABLE \n`
  )
  expect(neigh(s, 'node-1', '10.244.1.2', 'sleep 29')).toContain(' REACHABLE ')
  expect(neigh(s, 'node-1', '10.244.1.2', 'sleep 1')).toContain(' STALE ')
  expect(printed(node)).toContain(`10.244.1.2 dev cni0 lladdr ${mac} STALE \n`)
})

test("the host's own TCP confirms its gateway during DELAY: REACHABLE again with no probe", () => {
  const { s, client } = lab()
  run(s, 'client', 'curl -s 10.96.0.100')
  const gateway = /^10\.244\.1\.1 dev eth0 lladdr \S+/m.exec(printed(client))![0]
  run(s, 'client', 'sleep 31')
  expect(printed(client)).toBe(`${gateway} STALE \n`)
  run(s, 'client', 'curl -s 10.96.0.100')
  expect(neigh(s, 'client', '10.244.1.1')).toBe(`${gateway} DELAY `)
  printed(client)
  run(s, 'client', 'sleep 5')
  expect(printed(client)).toBe(`${gateway} REACHABLE \n`)
})

test('a neighbour that stopped answering FAILS after three unanswered unicast probes a second apart', () => {
  const { s, node } = lab()
  run(s, 'client', 'curl -s 10.96.0.100')
  run(s, 'node-1', 'sleep 40')
  run(s, 'client', 'ip link set eth0 down')
  printed(node)
  run(s, 'node-1', 'ping -c 1 -W 1 10.244.1.2')
  // The echo nobody answers holds ping for its -W second: DELAY began as it left.
  run(s, 'node-1', 'sleep 4')
  expect(printed(node)).toMatch(/^10\.244\.1\.2 dev cni0 lladdr \S+ PROBE \n$/)
  expect(neigh(s, 'node-1', '10.244.1.2', 'sleep 2')).toContain(' PROBE ')
  expect(neigh(s, 'node-1', '10.244.1.2', 'sleep 1')).toBe('10.244.1.2 dev cni0 FAILED ')
  expect(printed(node)).toBe('10.244.1.2 dev cni0 FAILED \n')
})
