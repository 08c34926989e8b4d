import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

describe('ping (iputils 20221126)', () => {
  it('prints replies, statistics and rtt like iputils', () => {
    const r = run(labShell(), 'client', 'ping -c 3 10.244.2.2')
    const lines = r.stdout.split('\n')
    expect(lines[0]).toBe('PING 10.244.2.2 (10.244.2.2) 56(84) bytes of data.')
    for (const seq of [1, 2, 3])
      expect(lines[seq]).toMatch(
        new RegExp(`^64 bytes from 10\\.244\\.2\\.2: icmp_seq=${seq} ttl=62 time=0\\.\\d{3} ms$`)
      )
    expect(lines[4]).toBe('')
    expect(lines[5]).toBe('--- 10.244.2.2 ping statistics ---')
    expect(lines[6]).toMatch(/^3 packets transmitted, 3 received, 0% packet loss, time 20\d\dms$/)
    expect(lines[7]).toMatch(/^rtt min\/avg\/max\/mdev = (\d+\.\d{3}\/){3}\d+\.\d{3} ms$/)
    expect(r.exitCode).toBe(0)
  })

  it('is deterministic: same scenario and seed, same bytes', () => {
    expect(run(labShell(), 'client', 'ping -c 2 10.244.2.2')).toEqual(
      run(labShell(), 'client', 'ping -c 2 10.244.2.2')
    )
  })

  it('shows the TTL each routing decision costs', () => {
    const s = labShell()
    expect(run(s, 'client', 'ping -c 1 10.244.1.1').stdout).toContain('ttl=64')
    expect(run(s, 'client', 'ping -c 1 192.168.56.11').stdout).toContain('ttl=64')
    expect(run(s, 'client', 'ping -c 1 10.244.2.1').stdout).toContain('ttl=63')
    expect(run(s, 'node-1', 'ping -c 1 10.244.2.2').stdout).toContain('ttl=63')
  })

  it('refuses a DF packet larger than the pod MTU before sending it', () => {
    const r = run(labShell(), 'client', 'ping -c 2 -s 1423 -M do 10.244.2.2')
    expect(r.stdout).toBe(
      'PING 10.244.2.2 (10.244.2.2) 1423(1451) bytes of data.\n\n--- 10.244.2.2 ping statistics ---\n2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 100' +
        r.stdout.split('time 100')[1]
    )
    expect(r.stderr).toBe('ping: local error: message too long, mtu=1450\n'.repeat(2))
    expect(r.exitCode).toBe(1)
    expect(run(labShell(), 'client', 'ping -c 1 -s 1422 -M do 10.244.2.2').stdout).toContain(
      '1430 bytes from 10.244.2.2: icmp_seq=1 ttl=62'
    )
  })

  it.each([
    ['ping', 'ping: usage error: Destination address required\n', 1],
    ['ping -c x 10.244.2.2', "ping: invalid argument: 'x'\n", 1],
    [
      'ping -c 0 10.244.2.2',
      "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n",
      1
    ],
    ['ping -t 300 10.244.2.2', "ping: invalid argument: '300': out of range: 0 <= value <= 255\n", 1],
    ['ping -M foo 10.244.2.2', 'ping: invalid -M argument: foo\n', 2],
    ['ping -W -1 10.244.2.2', 'ping: bad linger time: -1\n', 2],
    ['ping -c 1 nosuchhost', 'ping: nosuchhost: Temporary failure in name resolution\n', 2]
  ])('%s fails as iputils does', (line, stderr, exitCode) => {
    expect(run(labShell(), 'client', line)).toEqual({ stdout: '', stderr, exitCode })
  })

  it('prints the full usage for an unknown option, exit 2', () => {
    const r = run(labShell(), 'client', 'ping -Z 10.244.2.2')
    expect(
      r.stderr.startsWith("ping: invalid option -- 'Z'\n\nUsage\n  ping [options] <destination>\n")
    ).toBe(true)
    expect(r.stderr.endsWith('For more details see ping(8).\n')).toBe(true)
    expect(r.exitCode).toBe(2)
  })
})

describe('curl (7.88.1)', () => {
  it('prints the backend pod name behind a ClusterIP', () => {
    expect(run(labShell(), 'client', 'curl 10.96.0.100').stdout).toMatch(/^web-[123]\n$/)
  })

  it('spreads connections over the endpoints at random, deterministically per seed', () => {
    const line = 'for i in $(seq 30); do curl -s 10.96.0.100; done | sort | uniq -c'
    const a = run(labShell(), 'client', line).stdout
    expect(a).toEqual(run(labShell(), 'client', line).stdout)
    expect(a.trim().split('\n')).toHaveLength(3)
  })

  it('speaks -v like curl 7.88', () => {
    const r = run(labShell(), 'client', 'curl -v 10.244.1.3:8080/x')
    expect(r.stdout).toBe('web-1\n')
    expect(r.stderr).toBe(
      '*   Trying 10.244.1.3:8080...\n* Connected to 10.244.1.3 (10.244.1.3) port 8080 (#0)\n> GET /x HTTP/1.1\r\n> Host: 10.244.1.3:8080\r\n> User-Agent: curl/7.88.1\r\n> Accept: */*\r\n> \r\n' +
        '< HTTP/1.1 200 OK\r\n< Content-Type: text/plain\r\n< Content-Length: 6\r\n< Connection: close\r\n< \r\n* Closing connection 0\n'
    )
  })

  it('is refused by a pod port nobody listens on, exit 7', () => {
    expect(run(labShell(), 'client', 'curl 10.244.1.3:9999')).toEqual({
      stdout: '',
      stderr: "curl: (7) Failed to connect to 10.244.1.3 port 9999 after 0 ms: Couldn't connect to server\n",
      exitCode: 7
    })
    expect(run(labShell(), 'client', 'curl -s 10.96.0.200')).toEqual({ stdout: '', stderr: '', exitCode: 7 })
    expect(run(labShell(), 'client', 'curl -sS 10.96.0.200').stderr).toContain('curl: (7)')
  })

  it('times out on a ClusterIP port no rule matches', () => {
    expect(run(labShell(), 'client', 'curl -m 5 10.96.0.100:81')).toEqual({
      stdout: '',
      stderr: expect.stringMatching(
        /^curl: \(28\) Connection timed out after 500[12] milliseconds\n$/
      ) as unknown as string,
      exitCode: 28
    })
    expect(run(labShell(), 'client', 'curl --connect-timeout 2 10.96.0.100:81').stderr).toMatch(
      /^curl: \(28\) Failed to connect to 10\.96\.0\.100 port 81 after 200[12] ms: Timeout was reached\n$/
    )
    // Without limits the kernel gives up 127 s after the first SYN, its last timer a few seconds
    // late (130917 ms measured with curl 7.88.1).
    expect(run(labShell(), 'client', 'curl 10.96.0.100:81')).toEqual({
      stdout: '',
      stderr: expect.stringMatching(
        /^curl: \(28\) Failed to connect to 10\.96\.0\.100 port 81 after 1(?:2[7-9]|3[01])\d{3} ms: Couldn't connect to server\n$/
      ) as unknown as string,
      exitCode: 28
    })
  })

  it.each([
    ['curl', "curl: try 'curl --help' or 'curl --manual' for more information\n", 2],
    [
      'curl -9 x',
      "curl: option -9: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
      2
    ],
    [
      'curl --foo x',
      "curl: option --foo: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
      2
    ],
    [
      'curl -m',
      "curl: option -m: requires parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
      2
    ],
    [
      'curl -m x 1.2.3.4',
      "curl: option -m: expected a proper numerical parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
      2
    ],
    ['curl nosuch.host', 'curl: (6) Could not resolve host: nosuch.host\n', 6]
  ])('%s fails as curl does', (line, stderr, exitCode) => {
    expect(run(labShell(), 'client', line)).toEqual({ stdout: '', stderr, exitCode })
  })
})

describe('traceroute', () => {
  it('reaches a pod on the other node over TCP in three hops', () => {
    const r = run(labShell(), 'client', 'traceroute -n -T -p 8080 -q 1 10.244.2.2')
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('traceroute to 10.244.2.2 (10.244.2.2), 30 hops max, 60 byte packets')
    expect(lines.at(-1)).toMatch(/^ 3 {2}10\.244\.2\.2 {2}\d+\.\d{3} ms$/)
    expect(r.exitCode).toBe(0)
  })

  it.each([
    ['traceroute -Z 10.244.2.2', "Bad option `-Z' (argc 1)\n", 2],
    [
      'traceroute -n nosuch',
      'nosuch: Temporary failure in name resolution\nCannot handle "host" cmdline arg `nosuch\' on position 1 (argc 2)\n',
      2
    ]
  ])('%s fails as traceroute does', (line, stderr, exitCode) => {
    expect(run(labShell(), 'client', line)).toEqual({ stdout: '', stderr, exitCode })
  })
})

const hasTcpdump = (() => {
  try {
    execFileSync('tcpdump', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

describe('tcpdump', () => {
  it('shows the VXLAN-wrapped echo on the underlay, decoded as OTV on port 8472', () => {
    const s = labShell()
    run(s, 'client', 'ping -c 1 10.244.2.2')
    const r = run(s, 'node-2', 'tcpdump -i eth0 -nn')
    // node-1 has never sent to node-2: it asks for its MAC before the first datagram.
    expect(r.stdout).toMatch(
      /^\d\d:\d\d:\d\d\.\d{6} ARP, Request who-has 192\.168\.56\.12 tell 192\.168\.56\.11, length 28\n\d\d:\d\d:\d\d\.\d{6} ARP, Reply 192\.168\.56\.12 is-at [0-9a-f:]{17}, length 28\n\d\d:\d\d:\d\d\.\d{6} IP 192\.168\.56\.11\.\d+ > 192\.168\.56\.12\.8472: OTV, flags \[I\] \(0x08\), overlay 0, instance 1\nIP 10\.244\.1\.2 > 10\.244\.2\.2: ICMP echo request, id \d+, seq 1, length 64\n/
    )
    expect(r.stderr).toBe(
      'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n4 packets captured\n4 packets received by filter\n0 packets dropped by kernel\n'
    )
    expect(run(s, 'node-2', 'tcpdump -i eth0 -nn -T vxlan -c 1 udp').stdout).toMatch(
      /: VXLAN, flags \[I\] \(0x08\), vni 1\n/
    )
  })

  it('shows only the most recent traffic, filtered by the expression', () => {
    const s = labShell()
    run(s, 'client', 'ping -c 1 10.244.1.3')
    run(s, 'client', 'curl -s 10.96.0.100')
    const r = run(s, 'client', 'tcpdump -nn tcp and port 80')
    expect(r.stdout).toContain('Flags [S]')
    expect(r.stdout).not.toContain('ICMP')
  })

  it('prefixes interface and direction with -i any (Linux cooked v2)', () => {
    const s = labShell()
    run(s, 'node-1', 'ping -c 1 10.244.1.3')
    const r = run(s, 'node-1', 'tcpdump -i any -nn -c 1 icmp')
    expect(r.stdout).toMatch(
      /^\d\d:\d\d:\d\d\.\d{6} cni0 {2}Out IP 10\.244\.1\.1 > 10\.244\.1\.3: ICMP echo request, id \d+, seq 1, length 64\n$/
    )
    expect(r.stderr.split('\n').slice(0, 3)).toEqual([
      'tcpdump: data link type LINUX_SLL2',
      'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode',
      'listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes'
    ])
  })

  it.each([
    ['tcpdump -i eth9', 'tcpdump: eth9: No such device exists\n(No such device exists)\n'],
    ['tcpdump -c 0', 'tcpdump: invalid packet count 0\n'],
    ["tcpdump 'port ('", "tcpdump: can't parse filter expression: syntax error\n"]
  ])('%s fails as tcpdump does', (line, stderr) => {
    expect(run(labShell(), 'client', line)).toEqual({ stdout: '', stderr, exitCode: 1 })
  })

  describe.runIf(hasTcpdump)('-w writes a pcap that real tcpdump reads back as the lab printed it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'podnet-pcap-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    it.each([
      [
        'client',
        'eth0',
        'curl -s 10.96.0.100; curl -s 10.96.0.200; ping -c 2 10.244.2.2; curl -s 10.244.1.3:9999'
      ],
      ['node-1', 'eth0', 'ping -c 2 10.244.2.2'],
      ['node-1', 'flannel.1', 'curl -s 10.96.0.100 ; curl -s 10.96.0.100; curl -s 10.96.0.100'],
      ['node-2', 'cni0', 'ping -c 1 10.244.2.2; curl -s 10.244.2.2:8080'],
      ['node-2', 'eth0', 'traceroute -n -q 1 -m 4 10.244.2.2']
    ])('%s %s after: %s', (on, dev, traffic) => {
      for (const flags of ['-nn', '-nn -e', '-nn -v', '-nn -e -v', '-nn -T vxlan']) {
        const files = new Map<string, Uint8Array>()
        const s = labShell(undefined, { writeFile: (path, data) => files.set(path, data) })
        run(s, on === 'client' ? 'client' : 'client', traffic)
        const printed = run(s, on, `tcpdump -i ${dev} ${flags}`).stdout
        run(s, on, `tcpdump -i ${dev} -w capture.pcap`)
        const file = join(dir, 'capture.pcap')
        writeFileSync(file, files.get('capture.pcap') ?? new Uint8Array())
        const real = execFileSync('tcpdump', ['-r', file, ...flags.split(' ')], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
          env: { ...process.env, TZ: 'UTC' }
        })
        expect(printed.trimEnd(), flags).toBe(real.trimEnd())
        expect(printed.length, 'some frames crossed').toBeGreaterThan(0)
      }
    })
  })
})
