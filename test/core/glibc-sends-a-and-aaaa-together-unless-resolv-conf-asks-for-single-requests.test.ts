import { describe, expect, it } from 'vitest'
import { labShellFromYaml, run } from './shell-fixture.ts'
import { dnsClusterYaml } from './dns-cluster-fixture.ts'

const cluster = (): string => dnsClusterYaml({ id: 'dns-pairs', webOn: ['node-2'], webService: true })

/**
 * A capture's DNS lines as `Q TYPE? name port` for a query and `R TYPE? name port` for the
 * answer to it (matched by id), with the time in microseconds since the first line.
 */
function exchanges(capture: string): { us: number; line: string }[] {
  const asked = new Map<string, string>()
  const out: { us: number; line: string }[] = []
  let first: number | undefined
  for (const l of capture.split('\n')) {
    const query = /^(\S+) IP \S+\.(\d+) > \S+\.53: (\d+)\+ (\S+\? \S+)/.exec(l)
    const answer = /^(\S+) IP \S+\.53 > \S+\.(\d+): (\d+)/.exec(l)
    const m = query ?? answer
    if (!m) continue
    const [h, min, sec] = m[1]!.split(':').map(Number)
    const us = Math.round(((h! * 60 + min!) * 60 + sec!) * 1e6)
    first ??= us
    if (query) asked.set(m[3]!, m[4]!)
    out.push({ us: us - first, line: `${query ? 'Q' : 'R'} ${asked.get(m[3]!) ?? '?'} ${m[2]}` })
  }
  return out
}

function captureOf(options: string, line: string): { us: number; line: string }[] {
  const s = labShellFromYaml(cluster())
  if (options !== '') run(s, 'client', `echo 'options ${options}' >> /etc/resolv.conf`)
  run(s, 'client', line)
  return exchanges(run(s, 'client', 'tcpdump -nn -i eth0 udp').stdout)
}

const NAME = 'web.default.svc.cluster.local.'

describe('glibc’s resolver sends a name’s A and AAAA queries as resolv.conf says', () => {
  it('sends both from one socket before it reads either answer', () => {
    const lines = captureOf('', 'curl -s http://web/').map((e) => e.line)
    const port = lines[0]!.split(' ').pop()!
    expect([...lines.slice(0, 2), ...lines.slice(2).sort()]).toEqual([
      `Q A? ${NAME} ${port}`,
      `Q AAAA? ${NAME} ${port}`,
      `R A? ${NAME} ${port}`,
      `R AAAA? ${NAME} ${port}`
    ])
  })

  it('with single-request sends the AAAA from the same socket once the A is answered', () => {
    const lines = captureOf('single-request', 'curl -s http://web/').map((e) => e.line)
    const port = lines[0]!.split(' ').pop()!
    expect(lines).toEqual([
      `Q A? ${NAME} ${port}`,
      `R A? ${NAME} ${port}`,
      `Q AAAA? ${NAME} ${port}`,
      `R AAAA? ${NAME} ${port}`
    ])
  })

  it('with single-request-reopen sends the AAAA from a new socket once the A is answered', () => {
    const lines = captureOf('single-request-reopen', 'curl -s http://web/').map((e) => e.line)
    const [a, aaaa] = [lines[0]!.split(' ').pop()!, lines[2]!.split(' ').pop()!]
    expect(aaaa).not.toBe(a)
    expect(lines).toEqual([
      `Q A? ${NAME} ${a}`,
      `R A? ${NAME} ${a}`,
      `Q AAAA? ${NAME} ${aaaa}`,
      `R AAAA? ${NAME} ${aaaa}`
    ])
  })

  it('waits one timeout per attempt for an unanswered pair, then asks only the name as written', () => {
    const s = labShellFromYaml(cluster())
    // The first lookup leaves the pod's gateway in the ARP cache: the queries below wait for none.
    run(s, 'client', 'curl -s http://web/')
    run(
      s,
      'client',
      "sed -i 's/10.96.0.10/10.96.0.53/' /etc/resolv.conf; echo options timeout:1 >> /etc/resolv.conf"
    )
    run(s, 'client', 'curl -s http://web/')
    const sent = exchanges(run(s, 'client', 'tcpdump -nn -i eth0 udp').stdout)
    const [p1, p2] = [sent[0]!.line.split(' ').pop()!, sent[4]!.line.split(' ').pop()!]
    // The same socket for both attempts at a name; glibc opens a new one for the next name.
    expect(sent).toEqual([
      { us: 0, line: `Q A? ${NAME} ${p1}` },
      { us: 40, line: `Q AAAA? ${NAME} ${p1}` },
      { us: 1_000_000, line: `Q A? ${NAME} ${p1}` },
      { us: 1_000_040, line: `Q AAAA? ${NAME} ${p1}` },
      { us: 2_000_000, line: `Q A? web. ${p2}` },
      { us: 2_000_040, line: `Q AAAA? web. ${p2}` },
      { us: 3_000_000, line: `Q A? web. ${p2}` },
      { us: 3_000_040, line: `Q AAAA? web. ${p2}` }
    ])
  })
})
