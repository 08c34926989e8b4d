import { describe, expect, test } from 'vitest'
import { synGiveUpMs, synRetransmitTimes } from '../../src-main/core/engine/syn-retransmission.ts'
import type { CapturedFrame } from '../../src-main/core/engine/trace.ts'
import type { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * A SYN that a rule drops without an answer, as the kernel of the lab's nodes (Debian 12, 6.1)
 * retries it: again after 1 s, then after 2, 4, 8 … s, six times, and ETIMEDOUT 127 s after the
 * first. Checked against real namespaces (with tcp_syn_linear_timeouts=0 on the 6.18
 * conformance kernel, which otherwise spaces the first retries 1 s apart): SYNs at 0, 1.0, 3.0,
 * 7.2, 15.4, 31.5 and 65.3 s, curl giving up after 130917 ms.
 */

/** `HH:MM:SS.uuuuuu` rounded to `HH:MM:SS.mmm`. */
function toMillisecond(stamp: string): string {
  const [h, m, sec] = stamp.split(':').map(Number) as [number, number, number]
  const ms = Math.round((h * 3600 + m * 60 + sec) * 1000)
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0')
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`
}

/** web-3's node drops what is forwarded to its port, as a NetworkPolicy or a dead route would. */
function droppingLab(): LabShell {
  const s = labShell('two-node-vxlan')
  expect(run(s, 'node-2', 'iptables -I FORWARD -p tcp --dport 8080 -j DROP').exitCode).toBe(0)
  return s
}

/**
 * curl's connect to the dropping port, which the kernel ends with ETIMEDOUT: how long curl says
 * it tried, which is as long as the lab's clock moved.
 */
function curlTimedOutAfterMs(s: LabShell): number {
  const before = s.lab.clock.nowMs
  const out = run(s, 'client', 'curl -sS http://10.244.2.2:8080/')
  expect(out.exitCode).toBe(28)
  const ms = Number(/after (\d+) ms/.exec(out.stderr)?.[1])
  expect(out.stderr).toBe(
    `curl: (28) Failed to connect to 10.244.2.2 port 8080 after ${ms} ms: Couldn't connect to server\n`
  )
  expect(s.lab.clock.nowMs - before).toBe(ms)
  return ms
}

/**
 * The client's SYNs as `tcpdump -ttttt` prints them: time since the first, to the millisecond
 * (the first SYN waited some microseconds for the gateway's ARP answer, the retransmissions
 * don't), and the segment.
 */
function synsSeen(s: LabShell): { at: string; ipId: number; seq: string; tsVal: number }[] {
  const out = run(s, 'client', 'tcpdump -nn -v -ttttt -i eth0 tcp').stdout
  const heads = [...out.matchAll(/^ (\d\d:\d\d:\d\d\.\d{6}) IP \(.*?id (\d+),/gm)]
  const segments = [
    ...out.matchAll(/Flags \[S\], cksum \S+ \(incorrect -> \S+\), seq (\d+), .*TS val (\d+) ecr 0/g)
  ]
  expect(segments).toHaveLength(heads.length)
  return heads.map((h, i) => ({
    at: toMillisecond(h[1]!),
    ipId: Number(h[2]),
    seq: segments[i]![1]!,
    tsVal: Number(segments[i]![2])
  }))
}

describe('a silently dropped SYN is retransmitted at 1, 2, 4 … seconds', () => {
  test('the schedule is the kernel backoff, cut at the caller deadline and at tcp_syn_retries', () => {
    expect(synRetransmitTimes(2000, 6)).toEqual([1000])
    // A retransmission due exactly at the deadline comes after curl has closed the socket.
    expect(synRetransmitTimes(3000, 6)).toEqual([1000])
    expect(synRetransmitTimes(synGiveUpMs(6), 6)).toEqual([1000, 3000, 7000, 15000, 31000, 63000])
    expect(synGiveUpMs(6)).toBe(127_000)
    expect(synRetransmitTimes(synGiveUpMs(2), 2)).toEqual([1000, 3000])
    expect(synGiveUpMs(2)).toBe(7000)
  })

  test('curl -m 2 sends two SYNs a second apart, then exits 28 with curl 7.88 text after 2 s', () => {
    const s = droppingLab()
    const before = s.lab.clock.nowMs
    const out = run(s, 'client', 'curl -sS -m 2 http://10.244.2.2:8080/')
    expect(out.exitCode).toBe(28)
    expect(out.stderr).toMatch(/^curl: \(28\) Connection timed out after 200[12] milliseconds\n$/)
    expect(s.lab.clock.nowMs - before).toBeGreaterThanOrEqual(2000)
    const syns = synsSeen(s)
    expect(syns.map((x) => x.at)).toEqual(['00:00:00.000', '00:00:01.000'])
    // The same segment again: its sequence number, a timestamp a second later, the next IP id.
    expect(syns[1]!.seq).toBe(syns[0]!.seq)
    expect(syns[1]!.tsVal - syns[0]!.tsVal).toBe(1000)
    expect(syns[1]!.ipId).toBe(syns[0]!.ipId + 1)
  })

  test('--connect-timeout 3 sends two SYNs and words the timeout as a failed connect', () => {
    const s = droppingLab()
    const out = run(s, 'client', 'curl -sS --connect-timeout 3 http://10.244.2.2:8080/')
    expect(out.stderr).toMatch(
      /^curl: \(28\) Failed to connect to 10\.244\.2\.2 port 8080 after 300[12] ms: Timeout was reached\n$/
    )
    expect(synsSeen(s).map((x) => x.at)).toEqual(['00:00:00.000', '00:00:01.000'])
  })

  test('without a limit the kernel sends seven SYNs and curl reports its ETIMEDOUT after 127 s', () => {
    const s = droppingLab()
    const ms = curlTimedOutAfterMs(s)
    expect(ms).toBeGreaterThanOrEqual(127_000)
    expect(synsSeen(s).map((x) => x.at)).toEqual([
      '00:00:00.000',
      '00:00:01.000',
      '00:00:03.000',
      '00:00:07.000',
      '00:00:15.000',
      '00:00:31.000',
      '00:01:03.000'
    ])
  })

  test('sysctl -w net.ipv4.tcp_syn_retries=1 makes curl give up after one retransmission, 3 s in', () => {
    const s = droppingLab()
    expect(run(s, 'client', 'sysctl -w net.ipv4.tcp_syn_retries=1').stdout).toBe(
      'net.ipv4.tcp_syn_retries = 1\n'
    )
    const ms = curlTimedOutAfterMs(s)
    // Real namespaces: 3051 ms.
    expect(ms).toBeGreaterThanOrEqual(3000)
    expect(ms).toBeLessThan(3100)
    expect(synsSeen(s).map((x) => x.at)).toEqual(['00:00:00.000', '00:00:01.000'])
  })

  test('tcp_syn_retries takes 1 to 127 and belongs to the namespace that connects', () => {
    const s = labShell('two-node-vxlan')
    for (const bad of ['0', '128'])
      expect(run(s, 'client', `sysctl -w net.ipv4.tcp_syn_retries=${bad}`)).toEqual({
        stdout: '',
        stderr: 'sysctl: setting key "net.ipv4.tcp_syn_retries": Invalid argument\n',
        exitCode: 1
      })
    expect(run(s, 'client', 'sysctl -w net.ipv4.tcp_syn_retries=127').exitCode).toBe(0)
    expect(run(s, 'node-1', 'sysctl net.ipv4.tcp_syn_retries').stdout).toBe('net.ipv4.tcp_syn_retries = 6\n')
  })

  test('every SYN is a full walk: the dropping rule counts each, and each crosses the node', () => {
    const s = droppingLab()
    run(s, 'client', 'curl -sS -m 4 http://10.244.2.2:8080/')
    const chain = run(s, 'node-2', 'iptables -L FORWARD -v -n -x').stdout
    expect(chain).toMatch(/^\s+3\s+180 DROP .* tcp dpt:8080$/m)
    const vtep = run(s, 'node-2', 'tcpdump -nn -ttttt -i flannel.1 tcp').stdout
    const stamps = vtep.split('\n').flatMap((l) => (l === '' ? [] : [toMillisecond(l.slice(1, 16))]))
    expect(stamps).toEqual(['00:00:00.000', '00:00:01.000', '00:00:03.000'])
  })

  test('a live tcpdump sees each SYN as the clock reaches it', () => {
    const s = droppingLab()
    const seen: number[] = []
    const listen = (f: CapturedFrame): void => {
      if (f.device === 'eth0' && f.netns === s.lab.pods.find((p) => p.name === 'client')!.netns && f.frame.ip)
        seen.push(f.at)
    }
    s.lab.capture.listeners.add(listen)
    const start = s.lab.clock.nowMs
    run(s, 'client', 'curl -sS -m 2 http://10.244.2.2:8080/')
    s.lab.capture.listeners.delete(listen)
    // The first SYN left once ARP had found the gateway, a wire there and back after the start.
    expect(seen.map((at) => Math.round(at - start))).toEqual([0, 1000])
  })

  test('conntrack keeps the first SYN timeout: a retransmission does not renew SYN_SENT', () => {
    const s = droppingLab()
    run(s, 'client', 'curl -sS -m 2 http://10.244.2.2:8080/')
    // 2.002 s after the first SYN: 117 s left, where a renewal at 1 s would leave 118.
    expect(run(s, 'node-1', 'conntrack -L -p tcp').stdout).toMatch(
      /^tcp {6}6 117 SYN_SENT src=10\.244\.1\.2 dst=10\.244\.2\.2 sport=\d+ dport=8080 \[UNREPLIED\]/m
    )
  })

  test('an answered SYN is sent once', () => {
    const s = labShell('two-node-vxlan')
    expect(run(s, 'client', 'curl -s -m 2 http://10.244.2.2:8080/').stdout).toBe('web-3\n')
    expect(
      run(s, 'client', 'tcpdump -nn -i eth0 tcp[tcpflags] == tcp-syn').stdout.trim().split('\n')
    ).toHaveLength(1)
  })
})
