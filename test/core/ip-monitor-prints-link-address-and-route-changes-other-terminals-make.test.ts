import { expect, test } from 'vitest'
import { linkByName } from '../../src-main/core/linux/netns.ts'
import type { ShellSession } from '../../src-main/core/shell/shell.ts'
import { labShell, run } from './shell-fixture.ts'

const printed = (monitor: ShellSession): string =>
  monitor
    .settle()
    .chunks.map((c) => c.text)
    .join('')

/**
 * The same changes made in a real namespace (iproute2 6.1, `ip -4 monitor all`, a veth whose
 * peer is up) printed these lines, with that namespace's ifindex, MTU, MAC and peer.
 */
test('ip monitor all prints link, address and route events as iproute2 does, each behind its banner', () => {
  const s = labShell()
  const monitor = s.liveTerminal('client', { schedule: () => () => undefined })!
  expect(monitor.run('ip monitor all').running).toBe(true)
  const mac = linkByName(s.lab.netns.get(s.lab.pods.find((p) => p.name === 'client')!.netns)!, 'eth0')!.mac
  const link = (flags: string, state: string): string =>
    `[LINK]2: eth0@if5: <${flags}> mtu 1450 qdisc noqueue state ${state} group default \n    link/ether ${mac} brd ff:ff:ff:ff:ff:ff link-netnsid 0\n`
  const address =
    '2: eth0    inet 10.8.0.5/24 brd 10.8.0.255 scope global eth0\n       valid_lft forever preferred_lft forever\n'

  run(s, 'client', 'ip link set eth0 down')
  expect(printed(monitor)).toBe(link('BROADCAST,MULTICAST', 'DOWN'))
  run(s, 'client', 'ip link set eth0 up')
  expect(printed(monitor)).toBe(
    link('NO-CARRIER,BROADCAST,MULTICAST,UP,LOWER_UP', 'DOWN') +
      '[ROUTE]broadcast 10.244.1.255 dev eth0 table local proto kernel scope link src 10.244.1.2 \n' +
      '[ROUTE]10.244.1.0/24 dev eth0 proto kernel scope link src 10.244.1.2 \n' +
      link('BROADCAST,MULTICAST,UP,LOWER_UP', 'UP')
  )
  run(s, 'client', 'ip addr add 10.8.0.5/24 brd + dev eth0; ip route add 10.10.0.0/16 via 10.8.0.1')
  expect(printed(monitor)).toBe(
    `[ADDR]${address}` +
      '[ROUTE]local 10.8.0.5 dev eth0 table local proto kernel scope host src 10.8.0.5 \n' +
      '[ROUTE]broadcast 10.8.0.255 dev eth0 table local proto kernel scope link src 10.8.0.5 \n' +
      '[ROUTE]10.8.0.0/24 dev eth0 proto kernel scope link src 10.8.0.5 \n' +
      '[ROUTE]10.10.0.0/16 via 10.8.0.1 dev eth0 \n'
  )
  run(s, 'client', 'ip route del 10.10.0.0/16; ip addr del 10.8.0.5/24 dev eth0')
  expect(printed(monitor)).toBe(
    '[ROUTE]Deleted 10.10.0.0/16 via 10.8.0.1 dev eth0 \n' +
      `[ADDR]Deleted ${address}` +
      '[ROUTE]Deleted 10.8.0.0/24 dev eth0 proto kernel scope link src 10.8.0.5 \n' +
      '[ROUTE]Deleted broadcast 10.8.0.255 dev eth0 table local proto kernel scope link src 10.8.0.5 \n' +
      '[ROUTE]Deleted local 10.8.0.5 dev eth0 table local proto kernel scope host src 10.8.0.5 \n'
  )
  monitor.interrupt()
  expect(monitor.settle()).toEqual({ chunks: [], ended: { exitCode: 130 } })
})

test('ip monitor with objects hears only their groups and prints no banners', () => {
  const s = labShell()
  const links = s.liveTerminal('node-1', { schedule: () => () => undefined })!
  const routes = s.liveTerminal('node-1', { schedule: () => () => undefined })!
  links.run('ip monitor link')
  routes.run('ip mon r')
  run(s, 'node-1', 'ip route add 10.10.0.0/16 via 192.168.56.1; ip link set flannel.1 down')
  expect(printed(routes)).toBe('10.10.0.0/16 via 192.168.56.1 dev eth0 \n')
  expect(printed(links)).toMatch(
    /^\d+: flannel\.1: <BROADCAST,MULTICAST> mtu 1450 qdisc noqueue state DOWN group default \n {4}link\/ether \S+ brd ff:ff:ff:ff:ff:ff\n$/
  )
  expect(run(s, 'node-1', 'ip monitor nsid')).toEqual({
    stdout: '',
    stderr: 'ip monitor: the lab raises no nsid events; watch link, address, route, neigh or rule\n',
    exitCode: 1
  })
})
