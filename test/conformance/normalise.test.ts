import { describe, expect, test } from 'vitest'
import { contextFor, normaliseOutput } from './normalise.ts'
import { loadScenario } from './conformance.ts'

/** The masks hide only what is random by nature; everything a learner reasons about survives. */

const ctx = contextFor(loadScenario('two-node-vxlan'))
const out = (stdout: string, exitCode = 0): { stdout: string; stderr: string; exitCode: number } => ({
  stdout,
  stderr: '',
  exitCode
})
const same = (run: string, a: string, b: string, underlay = false): boolean =>
  normaliseOutput({ run }, out(a), ctx, underlay) === normaliseOutput({ run }, out(b), ctx, underlay)

describe('conformance normalisation', () => {
  test('tcpdump -c: a late packet may raise "received by filter", never "captured"', () => {
    const counts = (
      captured: number,
      received: number
    ): { stdout: string; stderr: string; exitCode: number } => ({
      stdout: '',
      stderr: `${captured} packets captured\n${received} packets received by filter\n0 packets dropped by kernel\n`,
      exitCode: 0
    })
    const norm = (o: { stdout: string; stderr: string; exitCode: number }): string =>
      normaliseOutput({ run: 'tcpdump -nn -i eth0 -c 2 icmp' }, o, ctx, true)
    expect(norm(counts(2, 3))).toBe(norm(counts(2, 2)))
    expect(norm(counts(2, 1))).not.toBe(norm(counts(2, 2)))
    expect(norm(counts(1, 1))).not.toBe(norm(counts(2, 2)))
  })

  test('tcpdump -ttt: the time since the previous packet counts to a tenth of a second', () => {
    const run = 'tcpdump -nn -ttt -i eth0 -c 2 tcp'
    const syns = (second: string): string =>
      ` 00:00:00.000000 IP 10.244.1.2.40000 > 10.244.2.2.8080: Flags [S], length 0\n ${second} IP 10.244.1.2.40000 > 10.244.2.2.8080: Flags [S], length 0\n`
    expect(same(run, syns('00:00:01.000000'), syns('00:00:01.030151'))).toBe(true)
    expect(same(run, syns('00:00:01.000000'), syns('00:00:03.000000'))).toBe(false)
    expect(same(run, syns('00:00:01.000000'), syns('00:00:00.000000'))).toBe(false)
  })

  test('tcpdump: random sequence numbers and the scaled window are masked; the connection is not', () => {
    const run = 'tcpdump -nn -i eth0 -c 10 tcp'
    const syn = (isn: number, win: number): string =>
      `10:00:00.000001 IP 10.244.1.2.40000 > 10.244.2.2.8080: Flags [S], seq ${isn}, win ${win}, options [mss 1410,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0\n`
    const data = (seq: string, ack: number, win: number): string =>
      `10:00:00.000002 IP 10.244.1.2.40000 > 10.244.2.2.8080: Flags [P.], seq ${seq}, ack ${ack}, win ${win}, options [nop,nop,TS val 1 ecr 2], length 79: HTTP: GET / HTTP/1.1\n`
    const rst = (win: number): string =>
      `10:00:00.000003 IP 10.244.2.2.9999 > 10.244.1.2.40000: Flags [R.], seq 0, ack 2318405684, win ${win}, length 0\n`
    expect(same(run, syn(953108808, 64860), syn(2459945261, 64860))).toBe(true)
    expect(same(run, syn(953108808, 64860), syn(953108808, 64240))).toBe(false)
    expect(same(run, data('1:80', 1, 64), data('1:80', 1, 507))).toBe(true)
    expect(same(run, data('1:80', 1, 64), data('1:76', 1, 64))).toBe(false)
    expect(same(run, data('1:80', 1, 64), data('1:80', 2, 64))).toBe(false)
    expect(same(run, rst(0), rst(1))).toBe(false)
  })

  test('tcpdump -v: a complete checksum is masked; the sum a socket leaves to the device is compared', () => {
    const run = 'tcpdump -v -nn -i eth0 -c 1 tcp'
    const syn = (cksum: string): string =>
      `    10.244.1.2.40000 > 10.244.2.2.8080: Flags [S], cksum ${cksum}, seq 1, win 64860, length 0\n`
    expect(same(run, syn('0x191a (incorrect -> 0x09e8)'), syn('0x191a (incorrect -> 0xb50d)'))).toBe(true)
    expect(same(run, syn('0x191a (incorrect -> 0x09e8)'), syn('0x1912 (incorrect -> 0x09e8)'))).toBe(false)
    expect(same(run, syn('0x191a (incorrect -> 0x09e8)'), syn('0x09e8 (correct)'))).toBe(false)
    expect(same(run, syn('0x09e8 (correct)'), syn('0xb50d (correct)'))).toBe(true)
    expect(normaliseOutput({ run }, out(syn('0x191a (incorrect -> 0x09e8)')), ctx, false)).toContain(
      'cksum 0x191a (incorrect -> <cksum>)'
    )
  })

  test('tcpdump: either end may send the first FIN, acked by a FIN, first by a bare ACK or by a crossing FIN; a teardown of another shape is not masked', () => {
    const run = 'tcpdump -nn -i eth0 -c 10 tcp'
    const client = '10.244.1.2.40000'
    const server = '10.244.2.2.8080'
    const seg = (from: string, to: string, flags: string, rest: string): string =>
      `10:00:00.000009 IP ${from} > ${to}: Flags [${flags}], ${rest}, win 64, options [nop,nop,TS val 1 ecr 2], length 0\n`
    const clientFirst =
      seg(client, server, 'F.', 'seq 80, ack 90') +
      seg(server, client, 'F.', 'seq 90, ack 81') +
      seg(client, server, '.', 'ack 91')
    const serverFirst =
      seg(server, client, 'F.', 'seq 90, ack 80') +
      seg(client, server, 'F.', 'seq 80, ack 91') +
      seg(server, client, '.', 'ack 81')
    const noLastAck =
      seg(server, client, 'F.', 'seq 90, ack 80') + seg(client, server, 'F.', 'seq 80, ack 91')
    const sameEndTwice =
      seg(server, client, 'F.', 'seq 90, ack 80') +
      seg(server, client, 'F.', 'seq 90, ack 80') +
      seg(client, server, '.', 'ack 91')
    const ackThenFin =
      seg(client, server, 'F.', 'seq 80, ack 90') +
      seg(server, client, '.', 'ack 81') +
      seg(server, client, 'F.', 'seq 90, ack 81')
    // Both ends close at once: the server's FIN still acks 80, and its ACK of the client's FIN
    // follows; the client's last ACK is the eleventh packet, past `-c 10`.
    const crossingFins =
      seg(client, server, 'F.', 'seq 80, ack 90') +
      seg(server, client, 'F.', 'seq 90, ack 80') +
      seg(server, client, '.', 'ack 81')
    const finThenFin =
      seg(client, server, 'F.', 'seq 80, ack 90') +
      seg(server, client, 'F.', 'seq 90, ack 81') +
      seg(server, client, 'F.', 'seq 90, ack 81')
    expect(same(run, clientFirst, serverFirst)).toBe(true)
    expect(same(run, serverFirst, ackThenFin)).toBe(true)
    expect(same(run, clientFirst, crossingFins)).toBe(true)
    expect(same(run, serverFirst, finThenFin)).toBe(false)
    expect(same(run, serverFirst, noLastAck)).toBe(false)
    expect(same(run, serverFirst, sameEndTwice)).toBe(false)
  })

  test('ping: times are masked, TTLs, sizes and loss are not', () => {
    const line = (ttl: number, t: string): string =>
      `64 bytes from 10.244.2.2: icmp_seq=1 ttl=${ttl} time=${t} ms\n`
    expect(same('ping -c 1 10.244.2.2', line(62, '0.311'), line(62, '1.920'))).toBe(true)
    expect(same('ping -c 1 10.244.2.2', line(62, '0.311'), line(63, '0.311'))).toBe(false)
    expect(
      same(
        'ping -c 1 x',
        '1 packets transmitted, 1 received, 0% packet loss, time 0ms\n',
        '1 packets transmitted, 0 received, 100% packet loss, time 0ms\n'
      )
    ).toBe(false)
  })

  test('tcpdump: timestamps, ICMP ids and ephemeral ports are masked; known ports, MACs and lengths are not', () => {
    const run = 'tcpdump -nn -e -i eth0 -c 2 udp port 8472'
    const pkt = (ts: string, sport: number, dport: number, mac: string, len: number): string =>
      `${ts} ${mac} > 4a:fa:3f:e0:30:24, ethertype IPv4 (0x0800), length ${len}: 192.168.56.11.${sport} > 192.168.56.12.${dport}: OTV, flags [I] (0x08), overlay 0, instance 1\n`
    expect(
      same(
        run,
        pkt('18:54:50.998699', 53831, 8472, '02:0f:fa:b2:85:67', 1514),
        pkt('09:00:01.000001', 40112, 8472, '02:0f:fa:b2:85:67', 1514)
      )
    ).toBe(true)
    expect(
      same(
        run,
        pkt('18:54:50.998699', 53831, 8472, '02:0f:fa:b2:85:67', 1514),
        pkt('18:54:50.998699', 53831, 4789, '02:0f:fa:b2:85:67', 1514)
      )
    ).toBe(false)
    expect(
      same(
        run,
        pkt('18:54:50.998699', 53831, 8472, '02:0f:fa:b2:85:67', 1514),
        pkt('18:54:50.998699', 53831, 8472, '02:0f:fa:b2:85:68', 1514)
      )
    ).toBe(false)
    expect(
      same(
        run,
        pkt('18:54:50.998699', 53831, 8472, '02:0f:fa:b2:85:67', 1514),
        pkt('18:54:50.998699', 53831, 8472, '02:0f:fa:b2:85:67', 1464)
      )
    ).toBe(false)
  })

  test("ip: the lab's own eth0 wiring is masked on nodes only, never on pods", () => {
    const node =
      '2: eth0@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n    link/ether 3e:8d:ba:42:27:c3 brd ff:ff:ff:ff:ff:ff link-netnsid 3\n'
    const nic =
      '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n    link/ether 3e:8d:ba:42:27:c3 brd ff:ff:ff:ff:ff:ff\n'
    expect(same('ip link', node, nic, true)).toBe(true)
    expect(same('ip link', node, nic, false)).toBe(false)
  })

  test("ip -br: the lab's own eth0 wiring is masked on nodes only, and the columns stay put", () => {
    const node = 'eth0@if4         UP             192.168.56.11/24 fe80::3c8d:baff:fe42:27c3/64 \n'
    const nic = 'eth0             UP             192.168.56.11/24 fe80::3c8d:baff:fe42:27c3/64 \n'
    const shifted = 'eth0 UP             192.168.56.11/24 fe80::3c8d:baff:fe42:27c3/64 \n'
    expect(same('ip -br addr', node, nic, true)).toBe(true)
    expect(same('ip -br addr', node, shifted, true)).toBe(false)
    expect(same('ip -br addr', node, nic, false)).toBe(false)
  })

  test('neighbours: transient NUD states are masked, PERMANENT and FAILED are not', () => {
    expect(
      same(
        'ip neigh',
        '10.244.1.1 dev eth0 lladdr c2:84:32:5e:4b:88 REACHABLE \n',
        '10.244.1.1 dev eth0 lladdr c2:84:32:5e:4b:88 STALE \n'
      )
    ).toBe(true)
    expect(
      same(
        'ip neigh',
        '10.244.1.1 dev eth0 lladdr c2:84:32:5e:4b:88 REACHABLE \n',
        '10.244.1.1 dev eth0  FAILED \n'
      )
    ).toBe(false)
    expect(
      same(
        'ip neigh',
        '10.244.2.0 lladdr 26:4a:8c:c3:13:e9 PERMANENT \n',
        '10.244.2.0 lladdr 26:4a:8c:c3:13:e9 REACHABLE \n'
      )
    ).toBe(false)
  })

  test('a Service answer from any of its backends matches, any other answer does not', () => {
    const norm = (stdout: string): string =>
      normaliseOutput(
        { run: 'curl -s http://10.96.0.100/', randomBackends: ['web-1', 'web-2', 'web-3'] },
        out(stdout),
        ctx,
        false
      )
    expect(norm('web-1\n')).toBe(norm('web-3\n'))
    expect(norm('client\n')).not.toBe(norm('web-3\n'))
  })

  test('exit codes are always compared', () => {
    expect(normaliseOutput({ run: 'curl -s x' }, out('', 7), ctx, false)).not.toBe(
      normaliseOutput({ run: 'curl -s x' }, out('', 28), ctx, false)
    )
  })
})
