import { describe, expect, test } from 'vitest'
import { formatIpv4 } from '../../src-main/core/net/ipv4.ts'
import type { OutputChunk } from '../../src-main/core/shell/shell.ts'
import { liveLab, run } from './shell-fixture.ts'

const text = (chunks: readonly OutputChunk[], stream: 'stdout' | 'stderr' = 'stdout'): string =>
  chunks
    .filter((c) => c.stream === stream)
    .map((c) => c.text)
    .join('')
const summary = (n: number): string =>
  `conntrack v1.4.7 (conntrack-tools): ${n} flow events have been shown.\n`

/** The client pod's TCP flow on its node, ports masked: the backend is picked at random. */
const tcpLines = (out: string): string[] =>
  out
    .split('\n')
    .filter((l) => / tcp {6}6 /.test(l))
    .map((l) =>
      l.replace(/(sport|dport)=(\d+)/g, (m, k: string, port: string) =>
        port === '80' || port === '8080' ? m : `${k}=S`
      )
    )

describe('conntrack -E on the client pod node', () => {
  test('a listener sees NEW with the DNATed reply tuple, each state UPDATE and the DESTROY of a curl to a ClusterIP', () => {
    const { s, terminal } = liveLab()
    const events = terminal('node-1')
    const client = terminal('client')
    expect(events.run('conntrack -E').running).toBe(true)
    const backend = client.run('curl -s 10.96.0.100').stdout.trim()
    const ip = formatIpv4(s.lab.pods.find((p) => p.name === backend)!.ip)
    const tuples = `src=10.244.1.2 dst=10.96.0.100 sport=S dport=80 src=${ip} dst=10.244.1.2 sport=8080 dport=S`
    expect(tcpLines(text(events.settle().chunks))).toEqual([
      `    [NEW] tcp      6 120 SYN_SENT src=10.244.1.2 dst=10.96.0.100 sport=S dport=80 [UNREPLIED] src=${ip} dst=10.244.1.2 sport=8080 dport=S`,
      ` [UPDATE] tcp      6 60 SYN_RECV ${tuples}`,
      ` [UPDATE] tcp      6 432000 ESTABLISHED ${tuples} [ASSURED]`,
      ` [UPDATE] tcp      6 120 FIN_WAIT ${tuples} [ASSURED]`,
      ` [UPDATE] tcp      6 30 LAST_ACK ${tuples} [ASSURED]`,
      ` [UPDATE] tcp      6 120 TIME_WAIT ${tuples} [ASSURED]`
    ])
    // TIME_WAIT lasts 120 s: the timer that ends it reports a DESTROY without a timeout.
    client.run('sleep 121')
    const later = text(events.settle().chunks)
    expect(tcpLines(later)).toEqual([`[DESTROY] tcp      6 TIME_WAIT ${tuples} [ASSURED]`])
    events.interrupt()
    const stopped = events.settle()
    expect(stopped.ended).toEqual({ exitCode: 0 })
    expect(text(stopped.chunks, 'stderr')).toMatch(
      /^conntrack v1\.4\.7 \(conntrack-tools\): \d+ flow events have been shown\.\n$/
    )
  })

  test('-p and -e choose the events; conntrack -D reports its own deletions', () => {
    const { terminal } = liveLab()
    const events = terminal('node-1')
    events.run('conntrack -E -p tcp -e NEW,DESTROY')
    terminal('client').run('curl -s 10.96.0.100')
    expect(terminal('node-1').run('conntrack -D -p tcp --dport 80').stderr).toBe(
      'conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.\n'
    )
    const lines = text(events.settle().chunks).trimEnd().split('\n')
    expect(lines.map((l) => l.slice(0, 9))).toEqual(['    [NEW]', '[DESTROY]'])
    expect(lines[1]).toMatch(
      /^\[DESTROY\] tcp {6}6 119 TIME_WAIT .* \[ASSURED\] \[USERSPACE\] portid=\d+ progname=conntrack$/
    )
    events.interrupt()
    expect(events.settle().chunks).toEqual([{ stream: 'stderr', text: summary(2) }])
  })

  test('as a job, under timeout and against the lab limit it runs as tcpdump does', () => {
    const { s, timers, terminal } = liveLab()
    const t = terminal('node-1')
    expect(t.run('timeout 3 conntrack -E').running).toBe(true)
    timers[0]?.()
    expect(t.settle()).toEqual({ chunks: [{ stream: 'stderr', text: summary(0) }], ended: { exitCode: 124 } })
    const jobs = run(s, 'node-1', 'for i in $(seq 17); do conntrack -E >/dev/null & done')
    expect(jobs.stderr).toContain('sh: conntrack: not started: 16 captures already run in this lab')
    expect(s.lab.netns.get('node-1')!.netlink.conntrack.size).toBe(16)
    expect(run(s, 'node-1', 'kill %1; wait %1; echo $?').stdout).toBe('0\n')
    expect(s.lab.netns.get('node-1')!.netlink.conntrack.size).toBe(15)
    expect(run(s, 'node-1', 'conntrack -E -e FOO')).toEqual({
      stdout: '',
      stderr:
        "conntrack v1.4.7 (conntrack-tools): Bad parameter `FOO'\nTry `conntrack -h' or 'conntrack --help' for more information.\n",
      exitCode: 2
    })
  })
})
