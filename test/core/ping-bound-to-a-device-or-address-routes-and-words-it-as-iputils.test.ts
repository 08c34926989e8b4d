import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * `ping -I DEV` (SO_BINDTODEVICE) and `ping -I ADDR` (bind) as iputils 20221126 and the kernel
 * answered them in real namespaces: the banner names the source and the device, a bound socket's
 * lookup sees only routes through its device and `oif` rules, and finding none, or only a
 * blackhole, assumes the destination is on the device's link.
 */

const banner = (dst: string, from: string): string =>
  `PING ${dst} (${dst}) from ${from}: 56(84) bytes of data.\n`

test('the banner says which source and device the socket is bound to', () => {
  const s = labShell()
  expect(run(s, 'node-1', 'ping -c 1 -I eth0 192.168.56.12').stdout).toMatch(
    new RegExp(`^${banner('192.168.56.12', '192.168.56.11 eth0').replace(/[.()]/g, '\\$&')}64 bytes from`)
  )
  expect(run(s, 'node-1', 'ping -c 1 -I 192.168.56.11 192.168.56.12').stdout).toMatch(
    new RegExp(`^${banner('192.168.56.12', '192.168.56.11 ').replace(/[.()]/g, '\\$&')}64 bytes from`)
  )
})

test('a device or an address the namespace does not have is refused before the banner', () => {
  const s = labShell()
  expect(run(s, 'node-1', 'ping -c 1 -I nope 192.168.56.12')).toEqual({
    stdout: '',
    stderr: 'ping: SO_BINDTODEVICE nope: No such device\n',
    exitCode: 2
  })
  expect(run(s, 'node-1', 'ping -c 1 -I 10.9.9.9 192.168.56.12')).toEqual({
    stdout: '',
    stderr: 'ping: bind: Cannot assign requested address\n',
    exitCode: 2
  })
})

test('bound to lo, the echo to another host is lost; without route_localnet iputils warns about the source', () => {
  const s = labShell()
  // kube-proxy's node has route_localnet on: lo's 127.0.0.1 is a source the kernel may pick.
  const node = run(s, 'node-1', 'ping -c 1 -I lo 192.168.56.12')
  expect(node.stderr).toBe('')
  expect(node.stdout).toContain(banner('192.168.56.12', '127.0.0.1 lo'))
  expect(node.stdout).toContain('1 packets transmitted, 0 received, 100% packet loss')
  expect(node.exitCode).toBe(1)
  const pod = run(s, 'client', 'ping -c 1 -I lo 10.244.2.2')
  expect(pod.stderr).toBe('ping: Warning: source address might be selected on device other than: lo\n')
  expect(pod.stdout).toContain(banner('10.244.2.2', '10.244.1.2 lo'))
  expect(pod.exitCode).toBe(1)
})

test('an oif rule routes a bound socket, and a blackhole there falls back to the link', () => {
  const s = labShell()
  run(
    s,
    'node-1',
    'ip rule add oif eth0 lookup 100; ip route add blackhole 192.168.56.12 table 100; ' +
      'ip route add 10.9.0.0/16 via 192.168.56.12 dev eth0 table 100'
  )
  expect(run(s, 'node-1', 'ping -c 1 -I eth0 192.168.56.12').exitCode).toBe(0)
  // Unbound, the rule does not apply: the echo takes the default route to the gateway.
  const unbound = run(s, 'node-1', 'tcpdump -c 1 -eni eth0 icmp & ping -c 1 10.9.0.1; wait')
  const bound = run(s, 'node-1', 'tcpdump -c 1 -eni eth0 icmp & ping -c 1 -I eth0 10.9.0.1; wait')
  const node2Mac = /link\/ether (\S+)/.exec(run(s, 'node-2', 'ip link show eth0').stdout)![1]!
  expect(bound.stdout).toMatch(/192\.168\.56\.11 > 10\.9\.0\.1: ICMP echo request/)
  expect(bound.stdout).toContain(`> ${node2Mac},`)
  expect(unbound.stdout).not.toContain(`> ${node2Mac},`)
})
