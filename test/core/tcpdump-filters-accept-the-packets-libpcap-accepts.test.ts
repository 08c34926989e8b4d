import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { formatIpv4 } from '../../src-main/core/net/index.ts'
import { encodeFrame, pcapFile } from '../../src-main/core/shell/packet-bytes.ts'
import { compilePcapFilter } from '../../src-main/core/shell/pcap-filter.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * The lab's filter is compared with real tcpdump 4.99 / libpcap 1.10 reading the same pcap:
 * the frames the lab put on its links during pings, curls (with VXLAN on the underlay), ARP and
 * a refused connection, plus frames the lab never makes (a VLAN tag, IPv6, a later fragment,
 * IP options, a truncated segment) so offsets and guards are exercised too.
 */

function labFrames(): number[][] {
  const shell = labShell()
  const ipOf = (name: string): string => formatIpv4(shell.lab.pods.find((p) => p.name === name)!.ip)
  const frames: number[][] = []
  const traffic: [string, string][] = [
    ['client', `ping -c 1 ${ipOf('web-3')}`],
    ['client', `curl -s ${ipOf('web-3')}:8080`],
    ['client', `curl -s ${ipOf('web-1')}:81`],
    ['client', 'curl -s 10.96.0.100'],
    ['laptop', 'curl -s 192.168.56.12:30080'],
    ['client', 'ping -c 1 -t 1 192.168.56.100']
  ]
  for (const [on, line] of traffic) {
    run(shell, on, line)
    const cap = shell.lab.capture
    for (const f of cap.frames) if (f.batch === cap.batch && f.frame.eth) frames.push(encodeFrame(f.frame))
  }
  return frames
}

/** Frames real networks carry that the lab does not build, derived from lab frames. */
function craftedFrames(base: readonly number[][]): number[][] {
  const isIp = (f: readonly number[], proto: number): boolean =>
    f[12] === 0x08 && f[13] === 0x00 && f[23] === proto
  const tcp = base.find((f) => isIp(f, 6) && f.length > 60)!
  const icmp = base.find((f) => isIp(f, 1))!
  const udp = base.find((f) => isIp(f, 17))!
  const vlan = [...icmp.slice(0, 12), 0x81, 0x00, 0x00, 0x64, ...icmp.slice(12)]
  const fragment = [...udp]
  fragment[20] = 0x00
  fragment[21] = 0xb9
  const withOptions = [...tcp.slice(0, 14), 0x46, ...tcp.slice(15, 34), 1, 1, 1, 0, ...tcp.slice(34)]
  const ip6 = [
    ...[0x33, 0x33, 0, 0, 0, 1, 2, 0, 0, 0, 0, 9, 0x86, 0xdd],
    ...[0x60, 0, 0, 0, 0, 8, 17, 64],
    ...[0xfe, 0x80, ...new Array<number>(13).fill(0), 1],
    ...[0xff, 0x02, ...new Array<number>(13).fill(0), 1],
    ...[0x02, 0x22, 0x02, 0x23, 0, 8, 0, 0]
  ]
  const truncated = tcp.slice(0, 40)
  const macA = [2, 0, 0, 0, 0, 0x0b]
  const macB = [2, 0, 0, 0, 0, 0x0c]
  const arp = (op: number, dst: number[], sender: number[], target: number[]): number[] => [
    ...dst,
    ...sender,
    ...[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, op],
    ...sender,
    ...(op === 1 ? [192, 168, 56, 11] : [192, 168, 56, 12]),
    ...(op === 1 ? [0, 0, 0, 0, 0, 0] : target),
    ...(op === 1 ? [192, 168, 56, 12] : [192, 168, 56, 11])
  ]
  const request = arp(1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], macA, macB)
  const reply = arp(2, macA, macB, macA)
  return [vlan, fragment, withOptions, ip6, truncated, request, reply]
}

const EXPRESSIONS = [
  '',
  'tcp',
  'udp',
  'icmp',
  'arp',
  'ip',
  'ip6',
  'vlan',
  'vlan 100',
  'vlan and icmp',
  'vlan or arp',
  'host 192.168.56.11',
  'src host 192.168.56.100',
  'dst host 10.96.0.100',
  'host 192.168.56.11 or 192.168.56.12',
  'host 192.168.56.11 and not 192.168.56.12',
  'src or dst host 192.168.56.12',
  'src and dst net 10.244.0.0/16',
  'net 10.244.0.0/16',
  'net 10.244 mask 255.255.0.0',
  'net 10.244.1',
  'src net 10.244.1.0/24',
  'host 10.244',
  'ip host 192.168.56.100',
  'arp host 192.168.56.12',
  'port 80',
  'port 80 or 8080',
  'tcp port 8080',
  'udp port 8472',
  'src port 8080',
  'dst port 30080',
  'portrange 30000-32767',
  'portrange 8000-8100',
  'tcp portrange 79-81',
  'tcp dst port http',
  'port domain',
  'ether broadcast',
  'broadcast',
  'multicast',
  'ip multicast',
  'ether src 02:00:00:00:00:09',
  'ether[0] & 1 = 1',
  'ether proto \\arp',
  'ether proto 0x86dd',
  'proto \\tcp',
  'ip proto 1',
  'ip proto \\udp',
  'len > 100',
  'len <= 60',
  'greater 100',
  'less 74',
  'tcp[13] & 2 != 0',
  'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn',
  'tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack != 0',
  'tcp[tcpflags] & (tcp-fin|tcp-rst) != 0',
  'tcp[13] = 0x18',
  'icmp[icmptype] == icmp-echo',
  'icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply',
  'icmp[0] = 11',
  'ip[8] < 5',
  'ip[8] >= 63',
  'ip[6:2] & 0x1fff = 0',
  'ip[6:2] & 0x1fff != 0',
  'ip[0] & 0xf > 5',
  'udp[8:4] = 0x08000000',
  'udp[8] & 0x08 != 0 and udp[12:2] = 0',
  'tcp[100] = 1',
  'tcp[100] = 1 or icmp',
  'not tcp[100] = 1',
  'tcp[2:2] + 1 = 8081',
  'tcp[2:2] - 8000 < 100',
  'tcp[12] >> 4 > 5',
  'tcp[12] / 4 >= 20',
  'tcp[12] % 16 = 0',
  '1 << 3 | 1 = tcp[2]',
  '2 * 3 + 1 = 7 and tcp',
  'udp and -1 = 4294967295',
  'ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) != 0',
  'tcp or udp and port 8080',
  'icmp or arp and not host 192.168.56.1',
  '!icmp && !arp || vlan',
  'not (tcp or udp)',
  'not tcp and not udp',
  '(tcp[13] & 2) != 0 || icmp',
  'tcp port 80 or 8080 and src net 10.244.1.0/24',
  'not ip and tcp',
  'ether[12:2] = 0x800 and arp',
  'icmp or 1 = 2',
  'ip proto 300'
]

function acceptedByTcpdump(file: string, expression: string): number[] {
  const out = execFileSync('tcpdump', ['-nr', file, '-tt', expression], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore']
  })
  return [...out.matchAll(/^(\d+)\.000000 /gm)].map((m) => Number(m[1]) - 1)
}

describe('a filter accepts exactly the packets real tcpdump accepts from the same pcap', () => {
  let frames: number[][] = []
  let file = ''
  beforeAll(() => {
    const fromLab = labFrames()
    frames = [...fromLab, ...craftedFrames(fromLab)]
    file = join(mkdtempSync(join(tmpdir(), 'pcap-filter-')), 'frames.pcap')
    writeFileSync(file, pcapFile(frames.map((bytes, i) => ({ atMs: (i + 1) * 1000, bytes }))))
  })

  test('the capture holds varied traffic', () => {
    expect(frames.length).toBeGreaterThan(40)
  })

  test.each(EXPRESSIONS)('%s', (expression) => {
    const filter = compilePcapFilter(expression, {
      linkType: 'en10mb',
      resolveHost: () => undefined
    })
    const lab = frames.flatMap((f, i) => (filter(f) ? [i] : []))
    expect(lab).toEqual(acceptedByTcpdump(file, expression))
  })
})

const BAD_EXPRESSIONS = [
  'tcp and',
  'foo',
  '10.0.0.1',
  'host foo.invalid',
  'tcp or 10.0.0.1',
  'port 99999',
  'port foo',
  'port 80-90',
  'udp port http',
  'icmp port 80',
  'port 1.2.3.4',
  'portrange 1-99999',
  'portrange 1-foo',
  'tcp[100]',
  'tcp[0:2]',
  'ip[6:3] = 1',
  'tcp[1/0] = 1',
  'tcp[0] % 0 = 1',
  'tcp[0] << 32 = 1',
  'net 10.244.0.1/16',
  'net 10.0.0.0/33',
  'net 10.0.0.0/8 mask 255.0.0.0',
  'net 10.1.0.0 mask 255.0.0.0',
  'host 10.0.0.0/8',
  'src 10.244.1.0/24',
  'host 300.1.1.1',
  'net foo',
  'ip proto tcp',
  'proto foo',
  'tcp proto 6',
  'arp proto 6',
  'src proto 6',
  'ether host 10.0.0.1',
  'ether src foo',
  'tcp host 10.0.0.1',
  'ip6 host 10.0.0.1',
  'ether',
  'gateway 1.1.1.1',
  'port 4294967296',
  'tcp[0] = 09',
  'tcp[0]-1-1=0',
  'less 100 greater',
  '(tcp',
  'tcp)',
  '$',
  'host a b',
  'vlan 5000',
  'udp port 80 and tcp port 80',
  'ip and arp',
  '1 = 2',
  '2*-1 = 1',
  'not 1 = 1',
  'tcp and not tcp',
  'icmp and port 80',
  'arp and host 10.0.0.1 and icmp',
  'len = 1 and len = 2',
  'tcp[13]=1 and tcp[13]=2'
]

describe('a bad expression fails with real tcpdump text and exit code', () => {
  test.each(BAD_EXPRESSIONS)('%s', (expression) => {
    const real = spawnSync('tcpdump', ['-d', expression], { encoding: 'utf8' })
    const shell = labShell()
    const lab = run(shell, 'node-1', `tcpdump -ni eth0 '${expression}'`)
    expect({ stderr: lab.stderr, exitCode: lab.exitCode }).toEqual({
      stderr: real.stderr.replace('Warning: assuming Ethernet\n', ''),
      exitCode: real.status
    })
  })

  test.each(['ether host 1:2:3:4:5:6', 'ether broadcast', 'multicast', 'vlan'])(
    '%s on -i any',
    (expression) => {
      const real = spawnSync('tcpdump', ['-y', 'LINUX_SLL2', '-d', expression], { encoding: 'utf8' })
      const lab = run(labShell(), 'node-1', `tcpdump -ni any '${expression}'`)
      expect({ stderr: lab.stderr, exitCode: lab.exitCode }).toEqual({
        stderr: real.stderr.replace('Warning: assuming Ethernet\n', ''),
        exitCode: real.status
      })
    }
  )
})

describe('the lab tcpdump filters what crossed the interface', () => {
  test('"received by filter" counts only the packets the filter let through, as the kernel counts', () => {
    const shell = labShell()
    const web3 = formatIpv4(shell.lab.pods.find((p) => p.name === 'web-3')!.ip)
    run(shell, 'client', `curl -s ${web3}:8080`)
    const r = run(shell, 'client', "tcpdump -nn -i eth0 'tcp[tcpflags] & tcp-syn != 0'")
    expect(r.stdout.split('\n').filter((l) => l.includes('Flags [S'))).toHaveLength(2)
    expect(r.stderr).toMatch(/\n2 packets captured\n2 packets received by filter\n/)
  })
})
