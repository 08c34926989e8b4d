import { describe, expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/** A tcpdump line without its timestamp, ephemeral port and timestamp values (they vary per run). */
const segment = (line: string): string =>
  line
    .replace(/^\S+ IP /, '')
    .replace(/\.\d{5}\b/g, '.<port>')
    .replace(/TS val \d+ ecr \d+/, 'TS')
    .replace(/(seq|ack) \d{6,}/g, '$1 <isn>')

const capture = (s: ReturnType<typeof labShell>, on: string, dev: string): string[] =>
  run(s, on, `tcpdump -nn -i ${dev} tcp`).stdout.trim().split('\n')

describe('curl is one whole TCP connection, segment by segment as Linux sends it', () => {
  // What real tcpdump printed on web-3's eth0 for the same curl between real namespaces
  // (test/conformance compares it live), with the window scale of a small VM (7).
  test('the server pod sees the handshake, the request, the answer and the server closing first', () => {
    const s = labShell('two-node-vxlan')
    expect(run(s, 'client', 'curl -s http://10.244.2.2:8080/')).toEqual({
      stdout: 'web-3\n',
      stderr: '',
      exitCode: 0
    })
    expect(capture(s, 'web-3', 'eth0').map(segment)).toEqual([
      '10.244.1.2.<port> > 10.244.2.2.8080: Flags [S], seq <isn>, win 64860, options [mss 1410,sackOK,TS,nop,wscale 7], length 0',
      '10.244.2.2.8080 > 10.244.1.2.<port>: Flags [S.], seq <isn>, ack <isn>, win 64308, options [mss 1410,sackOK,TS,nop,wscale 7], length 0',
      '10.244.1.2.<port> > 10.244.2.2.8080: Flags [.], ack 1, win 507, options [nop,nop,TS], length 0',
      '10.244.1.2.<port> > 10.244.2.2.8080: Flags [P.], seq 1:80, ack 1, win 507, options [nop,nop,TS], length 79: HTTP: GET / HTTP/1.1',
      '10.244.2.2.8080 > 10.244.1.2.<port>: Flags [.], ack 80, win 503, options [nop,nop,TS], length 0',
      '10.244.2.2.8080 > 10.244.1.2.<port>: Flags [P.], seq 1:90, ack 80, win 503, options [nop,nop,TS], length 89: HTTP: HTTP/1.1 200 OK',
      '10.244.1.2.<port> > 10.244.2.2.8080: Flags [.], ack 90, win 507, options [nop,nop,TS], length 0',
      '10.244.2.2.8080 > 10.244.1.2.<port>: Flags [F.], seq 90, ack 80, win 503, options [nop,nop,TS], length 0',
      '10.244.1.2.<port> > 10.244.2.2.8080: Flags [F.], seq 80, ack 91, win 507, options [nop,nop,TS], length 0',
      '10.244.2.2.8080 > 10.244.1.2.<port>: Flags [.], ack 81, win 503, options [nop,nop,TS], length 0'
    ])
  })

  test('each side echoes the timestamp it last received, and NAT leaves timestamps alone', () => {
    const s = labShell('two-node-vxlan')
    const backend = run(s, 'client', 'curl -s http://10.96.0.100/').stdout.trim()
    const ts = (line: string): [number, number] => {
      const m = /TS val (\d+) ecr (\d+)/.exec(line)!
      return [Number(m[1]), Number(m[2])]
    }
    const client = capture(s, 'client', 'eth0')
    expect(client).toHaveLength(10)
    const [synVal, synEcr] = ts(client[0]!)
    const [synAckVal, synAckEcr] = ts(client[1]!)
    expect(synEcr).toBe(0)
    expect(synAckEcr).toBe(synVal)
    expect(ts(client[2]!)[1]).toBe(synAckVal)
    // The backend's side of the same segments, after DNAT and un-DNAT: the same values.
    const atBackend = capture(s, backend, 'eth0')
    expect(atBackend[0]).toContain(' > 10.244.')
    expect(atBackend.map((l) => ts(l))).toEqual(client.map((l) => ts(l)))
  })

  test('the MSS comes from the MTU of the route the socket chose, and forwarding never changes it', () => {
    const s = labShell('two-node-vxlan')
    // node-1's route to the ClusterIP leaves by eth0 (MTU 1500), chosen before the DNAT that
    // sends the SYN into flannel.1 (MTU 1450) to web-3.
    run(s, 'node-1', 'curl -s http://10.244.2.2:8080/')
    expect(capture(s, 'node-1', 'flannel.1')[0]).toMatch(/Flags \[S\], .*options \[mss 1410,/)
    let answered = ''
    for (let i = 0; i < 20 && answered !== 'web-3'; i++)
      answered = run(s, 'node-1', 'curl -s http://10.96.0.100/').stdout.trim()
    expect(answered).toBe('web-3')
    const atNode = capture(s, 'node-1', 'flannel.1')
    expect(atNode[0]).toMatch(/Flags \[S\], seq \d+, win 64240, options \[mss 1460,/)
    expect(capture(s, 'web-3', 'eth0')[0]).toMatch(/Flags \[S\], seq \d+, win 64240, options \[mss 1460,/)
    // The SYN-ACK carries the server's own MSS, from its route back (its eth0, MTU 1450).
    expect(atNode[1]).toMatch(/Flags \[S\.\], .*options \[mss 1410,/)

    expect(run(s, 'client', 'ip link set eth0 mtu 1400').exitCode).toBe(0)
    run(s, 'client', 'curl -s http://10.244.2.2:8080/')
    expect(capture(s, 'web-3', 'eth0')[0]).toMatch(/Flags \[S\], seq \d+, win 65280, options \[mss 1360,/)
  })

  test('conntrack leaves a closed connection in TIME_WAIT for 120 s, as the kernel does', () => {
    const s = labShell('two-node-vxlan')
    run(s, 'client', 'curl -s http://10.96.0.100/')
    const entry = (): string => run(s, 'node-1', 'conntrack -L -p tcp').stdout.split('\n')[0]!
    expect(entry()).toMatch(
      /^tcp {6}6 119 TIME_WAIT src=10\.244\.1\.2 dst=10\.96\.0\.100 sport=\d+ dport=80 src=10\.244\.\d\.\d dst=10\.244\.1\.2 sport=8080 dport=\d+ \[ASSURED\] mark=0 use=1$/
    )
    run(s, 'node-1', 'sleep 60')
    expect(entry()).toMatch(/^tcp {6}6 59 TIME_WAIT /)
    run(s, 'node-1', 'sleep 60')
    expect(run(s, 'node-1', 'conntrack -L -p tcp').stderr).toContain('0 flow entries have been shown')
  })
})
