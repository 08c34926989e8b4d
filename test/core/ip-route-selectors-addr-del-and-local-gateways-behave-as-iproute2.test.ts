import { expect, test } from 'vitest'
import type { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * What iproute2 6.1 printed in a real namespace built by these same lines: two veths whose
 * peers are up, an address on each, and routes of every kind a selector can pick out.
 */
const NS = 'pnl-sel'
const BUILD = [
  'link set lo up',
  'link add eth0 type veth peer name peer0',
  'link add eth1 type veth peer name peer1',
  ...['eth0', 'peer0', 'eth1', 'peer1'].map((d) => `link set ${d} up`),
  'addr add 10.0.0.2/24 brd + dev eth0',
  'addr add 172.16.0.2/24 dev eth1',
  'route add 10.20.0.0/16 via 10.0.0.1',
  'route add 10.244.0.0/16 via 10.0.0.5',
  'route add 10.244.1.0/24 via 10.0.0.6',
  'route add 10.244.0.0/24 dev eth1',
  'route add default via 10.0.0.1',
  'route add 10.9.1.0/24 dev eth0 src 10.0.0.2',
  'route add 10.9.2.0/24 dev eth0 scope host',
  'route add blackhole 10.9.3.0/24',
  'route add 10.9.4.0/24 via 10.0.0.1 proto static'
]

const refused = (stderr: string, exitCode: number): { stdout: string; stderr: string; exitCode: number } => ({
  stdout: '',
  stderr,
  exitCode
})

const printed = (stdout: string): { stdout: string; stderr: string; exitCode: number } => ({
  stdout,
  stderr: '',
  exitCode: 0
})

function built(): { shell: LabShell; ip: (args: string) => ReturnType<typeof run> } {
  const shell = labShell()
  const ip = (args: string): ReturnType<typeof run> => run(shell, 'node-1', `ip -n ${NS} ${args}`)
  expect(run(shell, 'node-1', `ip netns add ${NS}`).exitCode).toBe(0)
  for (const line of BUILD) expect(ip(line)).toEqual(printed(''))
  return { shell, ip }
}

test('ip route show PREFIX lists that exact route; root takes the routes inside, match the routes that cover', () => {
  const { ip } = built()
  expect(ip('route list 10.244.0.0/16')).toEqual(printed('10.244.0.0/16 via 10.0.0.5 dev eth0 \n'))
  expect(ip('route show 10.244/16')).toEqual(printed('10.244.0.0/16 via 10.0.0.5 dev eth0 \n'))
  expect(ip('route show 10.244.1.5')).toEqual(printed(''))
  expect(ip('route show root 10.244.0.0/16')).toEqual(
    printed(
      '10.244.0.0/24 dev eth1 scope link \n10.244.0.0/16 via 10.0.0.5 dev eth0 \n10.244.1.0/24 via 10.0.0.6 dev eth0 \n'
    )
  )
  expect(ip('route show match 10.244.1.5')).toEqual(
    printed(
      'default via 10.0.0.1 dev eth0 \n10.244.0.0/16 via 10.0.0.5 dev eth0 \n10.244.1.0/24 via 10.0.0.6 dev eth0 \n'
    )
  )
  expect(ip('route show exact default')).toEqual(printed('default via 10.0.0.1 dev eth0 \n'))
  expect(ip('route show to 10.244.0.0/16 root 10.0.0.0/8')).toEqual(
    printed('10.244.0.0/16 via 10.0.0.5 dev eth0 \n')
  )
  expect(ip('route show eth0')).toEqual(
    refused('Error: any valid prefix is expected rather than "eth0".\n', 1)
  )
  expect(ip('route show root')).toEqual(refused('Command line is not complete. Try option "help"\n', 255))
})

test('ip route show by dev, via, scope, type and src leaves out the field the selector pinned', () => {
  const { ip } = built()
  expect(ip('route show dev eth1')).toEqual(
    printed('10.244.0.0/24 scope link \n172.16.0.0/24 proto kernel scope link src 172.16.0.2 \n')
  )
  expect(ip('route show via 10.0.0.1')).toEqual(
    printed('default dev eth0 \n10.9.4.0/24 dev eth0 proto static \n10.20.0.0/16 dev eth0 \n')
  )
  expect(ip('route show via 10.0.0.0/24 root 10.244.0.0/16')).toEqual(
    printed('10.244.0.0/16 via 10.0.0.5 dev eth0 \n10.244.1.0/24 via 10.0.0.6 dev eth0 \n')
  )
  expect(ip('route show scope link')).toEqual(
    printed(
      '10.0.0.0/24 dev eth0 proto kernel src 10.0.0.2 \n10.9.1.0/24 dev eth0 src 10.0.0.2 \n10.244.0.0/24 dev eth1 \n172.16.0.0/24 dev eth1 proto kernel src 172.16.0.2 \n'
    )
  )
  expect(ip('route show scope host')).toEqual(printed('10.9.2.0/24 dev eth0 \n'))
  expect(ip('route show type blackhole')).toEqual(printed('blackhole 10.9.3.0/24 \n'))
  expect(ip('route show src 10.0.0.2')).toEqual(
    printed('10.0.0.0/24 dev eth0 proto kernel scope link \n10.9.1.0/24 dev eth0 scope link \n')
  )
  expect(ip('route show table local src 10.0.0.2')).toEqual(
    printed(
      'local 10.0.0.2 dev eth0 proto kernel scope host \nbroadcast 10.0.0.255 dev eth0 proto kernel scope link \n'
    )
  )
  expect(ip('route show scope bogus')).toEqual(
    refused('Error: argument "bogus" is wrong: invalid "scope"\n\n', 255)
  )
  expect(ip('route show dev bogus')).toEqual(refused('Cannot find device "bogus"\n', 1))
})

test('ip addr del with a prefix length deletes only the address of that length', () => {
  const { ip } = built()
  const notFound = refused('Error: ipv4: Address not found.\n', 2)
  expect(ip('addr add 10.0.0.3/24 dev eth0').exitCode).toBe(0)
  expect(ip('addr del 10.0.0.3/16 dev eth0')).toEqual(notFound)
  expect(ip('addr del 10.0.0.3/32 dev eth0')).toEqual(notFound)
  expect(ip('addr add 10.0.0.3/25 dev eth0').exitCode).toBe(0)
  expect(ip('addr del 10.0.0.3/26 dev eth0')).toEqual(notFound)
  expect(ip('addr del 10.0.0.3/25 dev eth0')).toEqual(printed(''))
  expect(ip('-br -4 addr show dev eth0').stdout).toBe(
    'eth0@peer0       UP             10.0.0.2/24 10.0.0.3/24 \n'
  )
})

test('ip route get through a gateway that is a local address names no gateway, and out of lo delivers here', () => {
  const { ip } = built()
  expect(ip('route add 10.9.17.0/24 via 127.0.0.1').exitCode).toBe(0)
  expect(ip('route add 10.9.18.0/24 via 10.0.0.2').exitCode).toBe(0)
  expect(ip('route show 10.9.17.0/24').stdout).toBe('10.9.17.0/24 via 127.0.0.1 dev lo \n')
  expect(ip('route get 10.9.17.5')).toEqual(
    printed('10.9.17.5 dev lo src 10.0.0.2 uid 0 \n    cache <local> \n')
  )
  expect(ip('route get 10.9.17.5 from 10.0.0.2')).toEqual(
    printed('10.9.17.5 from 10.0.0.2 dev lo uid 0 \n    cache <local> \n')
  )
  expect(ip('route get 10.9.18.1')).toEqual(printed('10.9.18.1 dev eth0 src 10.0.0.2 uid 0 \n    cache \n'))
})

test('ip monitor route marks the routes of a device without carrier linkdown, as ip route does', () => {
  const { shell, ip } = built()
  const monitor = shell.liveTerminal('node-1', { schedule: () => () => undefined })!
  expect(monitor.run(`ip -n ${NS} monitor route`).running).toBe(true)
  const events = (): string =>
    monitor
      .settle()
      .chunks.map((c) => c.text)
      .join('')
  ip('link set peer0 down')
  ip('route add 10.9.27.0/24 dev eth0')
  ip('route add 10.9.26.0/24 via 10.0.0.9')
  ip('route del 10.9.26.0/24')
  expect(events()).toBe(
    '10.9.27.0/24 dev eth0 scope link linkdown \n10.9.26.0/24 via 10.0.0.9 dev eth0 linkdown \nDeleted 10.9.26.0/24 via 10.0.0.9 dev eth0 linkdown \n'
  )
  ip('link set peer0 up')
  ip('route add 10.9.28.0/24 dev eth0')
  expect(events()).toBe('10.9.28.0/24 dev eth0 scope link \n')
  monitor.interrupt()
})
