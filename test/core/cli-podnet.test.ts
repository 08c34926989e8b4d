import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const SCENARIO = 'test/fixtures/scenarios/two-node-vxlan.yaml'
const tmp = mkdtempSync(join(tmpdir(), 'podnet-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/**
 * Runs the real bin the way `npx podnet` does: node scripts/podnet.mjs, no build step. Async so
 * the (slow to start) processes of one describe block overlap.
 */
function podnet(
  args: string[],
  input?: string
): Promise<{ stdout: string; stderr: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/podnet.mjs', ...args], {
      stdio: ['pipe', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (status) => resolve({ stdout, stderr, status }))
    child.stdin.end(input ?? '')
  })
}

describe.concurrent('podnet exec on the two-node vxlan scenario (issue 3, Done when)', () => {
  it('pings a pod on the same node with ttl=64 (bridged, never routed)', async () => {
    const r = await podnet(['exec', SCENARIO, '--on', 'client', '--', 'ping', '-c', '1', '10.244.1.3'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^64 bytes from 10\.244\.1\.3: icmp_seq=1 ttl=64 time=\d+\.\d{3} ms$/m)
    expect(r.stdout).toContain('1 packets transmitted, 1 received, 0% packet loss')
  })

  it('pings a pod on the other node with ttl=62 (each node routes once)', async () => {
    const r = await podnet(['exec', SCENARIO, '--on', 'client', '--', 'ping', '-c', '2', '10.244.2.2'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^64 bytes from 10\.244\.2\.2: icmp_seq=2 ttl=62 time=/m)
  })

  it('loses every ping to a ClusterIP in iptables mode, exit 1', async () => {
    const r = await podnet(['exec', SCENARIO, '--on', 'client', '--', 'ping -c 3 10.96.0.100'])
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(/^3 packets transmitted, 0 received, 100% packet loss, time \d+ms$/m)
    expect(r.stdout).not.toContain('bytes from')
  })

  it('gets an answer from a backend through the ClusterIP with curl', async () => {
    const r = await podnet(['exec', SCENARIO, '--on', 'client', '--', 'curl', '-s', 'http://10.96.0.100/'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^web-[123]\n$/)
    expect(r.stderr).toBe('')
  })

  it('is refused at once by a Service without endpoints: curl (7), exit 7', async () => {
    const r = await podnet(['exec', SCENARIO, '--on', 'client', '--', 'curl', '10.96.0.200'])
    expect(r.stderr).toBe(
      "curl: (7) Failed to connect to 10.96.0.200 port 80 after 0 ms: Couldn't connect to server\n"
    )
    expect(r.status).toBe(7)
  })
})

describe.concurrent('podnet exec', () => {
  it('runs a shell line given as one word, pipes included', async () => {
    const r = await podnet(['exec', SCENARIO, '--on', 'node-1', '--', 'kubectl get pods | grep -c Running'])
    expect(r.stdout).toBe('4\n')
    expect(r.status).toBe(0)
  })

  it("exits with the command's exit code and passes its stderr through", async () => {
    const r = await podnet(['exec', SCENARIO, '--on', 'web-1/app', '--', 'nosuchcmd'])
    expect(r.stderr).toBe('bash: nosuchcmd: command not found\n')
    expect(r.status).toBe(127)
  })

  it('names an unknown target and lists the valid ones, exit 2', async () => {
    const r = await podnet(['exec', SCENARIO, '--on', 'nope', '--', 'hostname'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('--on nope: no such node, pod, pod/container or external host')
    expect(r.stderr).toContain('web-1/app')
  })

  it.each([
    [['exec'], 'missing SCENARIO'],
    [['exec', SCENARIO, '--', 'ls'], 'missing --on NAME'],
    [['exec', SCENARIO, '--on', 'client', '--bogus', '--', 'ls'], "Unknown option '--bogus'"],
    [['frobnicate'], "unknown command 'frobnicate'"]
  ])('usage error %j names what was wrong, exit 2', async (args, message) => {
    const r = await podnet(args)
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(message)
  })

  it('reports a missing scenario file', async () => {
    const r = await podnet(['exec', join(tmp, 'absent.yaml'), '--on', 'client', '--', 'hostname'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('absent.yaml: cannot read: no such file')
  })
})

describe.concurrent('podnet run', () => {
  it('runs every line in one lab and prints each under its header', async () => {
    const script = join(tmp, 'script.txt')
    writeFileSync(
      script,
      '# comment\nclient: hostname\n\nnode-1: kubectl get svc web | tail -1\nclient: curl -s 10.96.0.200\n'
    )
    const r = await podnet(['run', SCENARIO, script])
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(
      '### client: hostname (exit 0)\nclient\n' +
        '### node-1: kubectl get svc web | tail -1 (exit 0)\nweb    ClusterIP   10.96.0.100   <none>        80/TCP    0s\n' +
        '### client: curl -s 10.96.0.200 (exit 7)\n'
    )
  })

  it('reads the script from stdin with -', async () => {
    const r = await podnet(['run', SCENARIO, '-'], 'web-1: hostname\n')
    expect(r.stdout).toBe('### web-1: hostname (exit 0)\nweb-1\n')
  })

  it('checks the whole script before running any line', async () => {
    const r = await podnet(['run', SCENARIO, '-'], 'client: hostname\nghost: hostname\nno colon here\n')
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('(stdin):2: no node, pod, pod/container or external host named "ghost"')
    expect(r.stderr).toContain('(stdin):3: expected "NAME: command"')
  })
})

describe.concurrent('podnet trace', () => {
  it('tells what each device did to a ClusterIP connection: DNAT, routing, the reply un-DNATed', async () => {
    const r = await podnet(['trace', SCENARIO, '--from', 'client', '--to', '10.96.0.100', '--proto', 'tcp'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(
      /^tcp client → 10\.96\.0\.100:80: reply from 10\.96\.0\.100 ttl=\d+ served by web-[123]; \d+ hops/
    )
    expect(r.stdout).toMatch(
      /^ 1 client · sent TCP SYN 10\.244\.1\.2:\d+ → 10\.96\.0\.100:80, TTL 64 {2}\[hops 0-4\]$/m
    )
    expect(r.stdout).toMatch(
      /^ 2 node-1 · PREROUTING: DNAT 10\.96\.0\.100:80 → 10\.244\.\d\.\d+:8080 \(KUBE-SEP-[A-Z0-9]{16}\) {2}\[hops 5-6\]$/m
    )
    expect(r.stdout).toMatch(
      /^◀ 2 SYN-ACK {2}10\.244\.\d\.\d+:8080 → 10\.244\.1\.2:\d+ {2}\[S\.\] seq 0 ack 1 len 0$/m
    )
    expect(r.stdout).toMatch(/ node-1 · conntrack: reply un-DNAT 10\.244\.\d\.\d+:8080 → 10\.96\.0\.100:80 /)
    expect(r.stdout).toMatch(/\n\d+ kernel hops; --hops prints them all\n$/)
  })

  it('follows the whole connection as curl makes it, one section per segment, and stops at the SYN-ACK when asked', async () => {
    const args = ['trace', SCENARIO, '--from', 'client', '--to', '10.96.0.100', '--proto', 'tcp']
    const [whole, handshake, json] = await Promise.all([
      podnet(args),
      podnet([...args, '--connection', 'handshake']),
      podnet([...args, '--json'])
    ])
    expect(whole.status).toBe(0)
    const sections = whole.stdout.split('\n').filter((l) => /^[▶◀] \d+ /.test(l))
    expect(sections.map((l) => l.replace(/ {2}\S+ → \S+ {2}/, ' | '))).toEqual([
      '▶ 1 SYN | [S] seq 0 len 0',
      '◀ 2 SYN-ACK | [S.] seq 0 ack 1 len 0',
      '▶ 3 ACK | [.] seq 1 ack 1 len 0',
      '▶ 4 GET / HTTP/1.1 | [P.] seq 1 ack 1 len 75',
      '◀ 5 ACK | [.] seq 1 ack 76 len 0',
      expect.stringMatching(/^◀ 6 HTTP\/1\.1 200 OK \| \[P\.\] seq 1 ack 76 len (\d+)$/),
      expect.stringMatching(/^▶ 7 ACK \| \[\.\] seq 76 ack \d+ len 0$/),
      expect.stringMatching(/^◀ 8 FIN-ACK \| \[F\.\] seq \d+ ack 76 len 0$/),
      expect.stringMatching(/^▶ 9 FIN-ACK \| \[F\.\] seq 76 ack \d+ len 0$/),
      expect.stringMatching(/^◀ 10 ACK \| \[\.\] seq \d+ ack 77 len 0$/)
    ])
    expect(handshake.status).toBe(0)
    expect(handshake.stdout.split('\n').filter((l) => /^[▶◀] \d+ /.test(l))).toHaveLength(2)
    const trace = JSON.parse(json.stdout) as {
      hops: unknown[]
      segments: { flags: string; hops: [number, number]; firstLine?: string }[]
    }
    expect(trace.segments.map((s) => s.flags)).toEqual([
      'S',
      'S.',
      '.',
      'P.',
      '.',
      'P.',
      '.',
      'F.',
      'F.',
      '.'
    ])
    expect(trace.segments[3]?.firstLine).toBe('GET / HTTP/1.1')
    expect(trace.segments.at(-1)?.hops[1]).toBe(trace.hops.length - 1)
  })

  it('names a --connection that is not http or handshake, and one asked of ICMP, exit 2', async () => {
    const [bad, icmp] = await Promise.all([
      podnet([
        'trace',
        SCENARIO,
        '--from',
        'client',
        '--to',
        '10.96.0.100',
        '--proto',
        'tcp',
        '--connection',
        'tls'
      ]),
      podnet(['trace', SCENARIO, '--from', 'client', '--to', '10.244.2.2', '--connection', 'http'])
    ])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('--connection tls: expected http or handshake')
    expect(icmp.status).toBe(2)
    expect(icmp.stderr).toContain('--connection applies to --proto tcp only, not icmp')
  })

  it('tells a cross-node ping in a dozen lines: routed, VXLAN encap and decap, TTL 64 → 62', async () => {
    const r = await podnet(['trace', SCENARIO, '--from', 'client', '--to', '10.244.2.2'])
    expect(r.status).toBe(0)
    const rows = r.stdout.split('\n').filter((l) => /^ ?\d+ \S+ · /.test(l))
    expect(rows).toHaveLength(12)
    expect(rows.slice(1, 5).map((l) => l.replace(/ {2}\[hops? [\d-]+\]$/, ''))).toEqual([
      ' 2 node-1 · routed cni0 → flannel.1, TTL 64 → 63',
      ' 3 node-1 · flannel.1: VXLAN encap → 192.168.56.12:8472 VNI 1',
      ' 4 node-2 · flannel.1: VXLAN decap from 192.168.56.11, VNI 1',
      ' 5 node-2 · routed flannel.1 → cni0, TTL 63 → 62'
    ])
  })

  it('prints every kernel hop with --hops, DNAT included', async () => {
    const r = await podnet([
      'trace',
      SCENARIO,
      '--from',
      'client',
      '--to',
      '10.96.0.100',
      '--proto',
      'tcp',
      '--hops'
    ])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(
      /^tcp client → 10\.96\.0\.100:80: reply from 10\.96\.0\.100 ttl=\d+ served by web-[123]; \d+ hops/
    )
    expect(r.stdout).toMatch(/nat PREROUTING NEW: .*-j DNAT .*DNAT to 10\.244\.\d\.\d+/)
  })

  it('refuses --hops with --json, exit 2', async () => {
    const r = await podnet(['trace', SCENARIO, '--from', 'client', '--to', '10.244.2.2', '--hops', '--json'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('--hops and --json print different things')
  })

  it('prints the Trace as JSON with --json', async () => {
    const r = await podnet(['trace', SCENARIO, '--from', 'client', '--to', '10.244.2.2', '--json'])
    const trace = JSON.parse(r.stdout) as {
      outcome: { kind: string; ttl: number }
      hops: { stage: string }[]
    }
    expect(trace.outcome).toMatchObject({ kind: 'reply', ttl: 62 })
    expect(trace.hops.map((h) => h.stage)).toContain('vxlan-encap')
  })

  it('names a bad --proto, exit 2', async () => {
    const r = await podnet(['trace', SCENARIO, '--from', 'client', '--to', '10.244.2.2', '--proto', 'sctp'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('--proto sctp: expected icmp, tcp or udp')
  })
})

describe.concurrent('podnet check-scenario', () => {
  it('accepts every fixture scenario', async () => {
    const r = await podnet(['check-scenario', SCENARIO, 'test/fixtures/scenarios/three-node-k3s.yaml'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain(`${SCENARIO}: ok (2 nodes, 4 pods, 3 services, 0 setup lines)`)
  })

  it('prints file: path: reason for a broken scenario, exit 1', async () => {
    const bad = join(tmp, 'bad.yaml')
    writeFileSync(
      bad,
      'formatVersion: 1\nid: bad\nnodes:\n  - { name: n1, ip: 192.168.56.11 }\npods:\n  - { name: p, node: ghost, containers: [{ name: c }] }\n'
    )
    const r = await podnet(['check-scenario', bad])
    expect(r.status).toBe(1)
    expect(r.stderr).toBe(`${bad}: pods[0].node: no node named "ghost"\n`)
  })

  it('reports setup lines that fail', async () => {
    const broken = join(tmp, 'broken-setup.yaml')
    writeFileSync(
      broken,
      'formatVersion: 1\nid: broken\nnodes:\n  - { name: n1, ip: 192.168.56.11 }\nsetup:\n  - { on: n1, run: "definitely-not-a-command" }\n'
    )
    const r = await podnet(['check-scenario', broken])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(
      'setup[0].run: `definitely-not-a-command` exited 127: bash: definitely-not-a-command: command not found'
    )
  })
})
