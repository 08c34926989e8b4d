import { describe, expect, it } from 'vitest'
import { sortAddrInfo } from '../../src-main/core/shell/address-order.ts'
import { hostsAddrInfo, parseHostsFile } from '../../src-main/core/shell/hosts-file.ts'
import { labShell, labWithNetnsT, run } from './shell-fixture.ts'

const KUBELET_HOSTS = parseHostsFile('127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n')

describe('localhost resolves to ::1 first, as glibc’s getaddrinfo orders the hosts file', () => {
  it('reads both families from the hosts file, and ::1 as 127.0.0.1 when asked for IPv4', () => {
    expect(hostsAddrInfo(KUBELET_HOSTS, 'localhost', 'unspec')).toEqual({
      canonname: 'localhost',
      answers: [
        { family: 'inet', address: '127.0.0.1' },
        { family: 'inet6', address: '::1' }
      ]
    })
    expect(hostsAddrInfo(KUBELET_HOSTS, 'ip6-localhost', 'inet')).toEqual({
      canonname: 'localhost',
      answers: [{ family: 'inet', address: '127.0.0.1' }]
    })
  })

  it('sorts by precedence, a destination without a route last', () => {
    const answers = [
      { family: 'inet' as const, address: '127.0.0.1' },
      { family: 'inet6' as const, address: '::1' }
    ]
    expect(sortAddrInfo(answers, () => true).map((t) => t.address)).toEqual(['::1', '127.0.0.1'])
    expect(sortAddrInfo(answers, (t) => t.family === 'inet').map((t) => t.address)).toEqual([
      '127.0.0.1',
      '::1'
    ])
  })

  it('pings localhost over ::1 in a pod, and over 127.0.0.1 under -4 with no canonical name', () => {
    const s = labShell()
    const v6 = run(s, 'client', 'ping -c 1 localhost')
    expect(v6.stdout).toMatch(
      /^PING localhost\(localhost \(::1\)\) 56 data bytes\n64 bytes from localhost \(::1\): icmp_seq=1 ttl=64 /
    )
    const v4 = run(s, 'client', 'ping -4 -c 1 localhost')
    expect(v4.stdout).toMatch(
      /^PING {2}\(127\.0\.0\.1\) 56\(84\) bytes of data\.\n64 bytes from localhost \(127\.0\.0\.1\)/
    )
    expect(v4.stdout).toContain('\n---  ping statistics ---\n')
    expect(run(s, 'client', 'ping -4 -c 1 ip6-localhost')).toEqual({
      stdout: '',
      stderr: 'ping: ip6-localhost: Address family for hostname not supported\n',
      exitCode: 2
    })
  })

  it('lists getent ahosts per socket type, the canonical name on the first line only', () => {
    const s = labShell()
    expect(run(s, 'client', 'getent ahosts localhost').stdout).toBe(
      [
        '::1             STREAM localhost',
        '::1             DGRAM  ',
        '::1             RAW    ',
        '127.0.0.1       STREAM ',
        '127.0.0.1       DGRAM  ',
        '127.0.0.1       RAW    ',
        ''
      ].join('\n')
    )
    expect(run(s, 'node-1', 'getent ahostsv4 localhost').stdout.split('\n').filter(Boolean)).toEqual([
      '127.0.0.1       STREAM localhost',
      '127.0.0.1       DGRAM  ',
      '127.0.0.1       RAW    ',
      '127.0.0.1       STREAM ',
      '127.0.0.1       DGRAM  ',
      '127.0.0.1       RAW    '
    ])
  })

  it('answers getent ahosts only in the families AI_ADDRCONFIG finds addresses of, loopback aside', () => {
    const s = labWithNetnsT(['link set lo up'])
    const ahosts = (db: string): { stdout: string; exitCode: number } => {
      const r = run(s, 'node-1', `ip netns exec t getent ${db} localhost`)
      return { stdout: r.stdout.split('\n')[3] ?? '', exitCode: r.exitCode }
    }
    expect(ahosts('ahosts')).toEqual({ stdout: '127.0.0.1       STREAM ', exitCode: 0 })
    expect(run(s, 'node-1', 'ip netns exec t getent ahostsv4 localhost')).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 2
    })
    for (const line of ['link add eth0 type veth peer name peer0', 'link set eth0 up', 'link set peer0 up'])
      run(s, 'node-1', `ip -n t ${line}`)
    expect(ahosts('ahosts')).toEqual({ stdout: '', exitCode: 0 })
  })
})
