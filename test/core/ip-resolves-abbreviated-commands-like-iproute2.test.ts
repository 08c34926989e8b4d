import { describe, expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * iproute2 takes the first command, in its own order, that a word is a prefix of. Checked against
 * real `ip` 6.1 in a scratch namespace: `ip l s lo up` sets, `ip l x` is xstats, `ip r s` shows.
 */
describe('ip command words', () => {
  test('a prefix names the first command it begins: r a is route add, l s is link set, a d is address delete', () => {
    const shell = labShell()
    expect(run(shell, 'node-1', 'ip r a 10.99.0.0/16 via 192.168.56.12').exitCode).toBe(0)
    expect(run(shell, 'node-1', 'ip ro sh').stdout).toContain('10.99.0.0/16 via 192.168.56.12 dev eth0')
    expect(run(shell, 'node-1', 'ip r d 10.99.0.0/16').exitCode).toBe(0)
    expect(run(shell, 'node-1', 'ip r s').stdout).not.toContain('10.99.0.0/16')

    expect(run(shell, 'node-1', 'ip l s cni0 down').exitCode).toBe(0)
    expect(run(shell, 'node-1', 'ip l sh cni0').stdout).toMatch(/cni0: <[^>]*> mtu \d+ .*state DOWN/)

    expect(run(shell, 'node-1', 'ip a a 10.123.0.1/24 dev eth0').exitCode).toBe(0)
    expect(run(shell, 'node-1', 'ip a s dev eth0').stdout).toContain('inet 10.123.0.1/24')
    expect(run(shell, 'node-1', 'ip a d 10.123.0.1/24 dev eth0').exitCode).toBe(0)
    expect(run(shell, 'node-1', 'ip a l dev eth0').stdout).not.toContain('10.123.0.1')

    expect(run(shell, 'node-1', 'ip r g 10.244.2.2').stdout).toMatch(
      /^10\.244\.2\.2 via 10\.244\.2\.0 dev flannel\.1/
    )
  })

  test('a word that begins no command is unknown, as iproute2 says it', () => {
    expect(run(labShell(), 'node-1', 'ip r x')).toEqual({
      stdout: '',
      stderr: 'Command "x" is unknown, try "ip route help".\n',
      exitCode: 255
    })
  })

  test('a real command the lab does not simulate says so, naming what it does simulate', () => {
    const flush = run(labShell(), 'node-1', 'ip r f')
    expect(flush.exitCode).toBe(255)
    expect(flush.stderr).toBe(
      'Podnet Lab does not simulate "ip route flush"; it simulates ip route show, get, add, del, replace, flush table.\n'
    )
    expect(run(labShell(), 'node-1', 'ip link change cni0 mtu 1400').stderr).toBe(
      'Podnet Lab does not simulate "ip link change"; it simulates ip link show, set, add, del.\n'
    )
  })
})
