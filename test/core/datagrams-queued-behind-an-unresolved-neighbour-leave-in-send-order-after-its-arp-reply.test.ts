import { describe, expect, it } from 'vitest'
import { labShellFromYaml, run } from './shell-fixture.ts'
import { dnsClusterYaml } from './dns-cluster-fixture.ts'

const busyboxClient = dnsClusterYaml({ id: 'arp-queue', webOn: ['node-2'], webService: true }).replace(
  '{ name: shell, app: sleep }',
  '{ name: shell, image: busybox, app: sleep }'
)

/** A busybox pod beside CoreDNS on node-1, whose bridge then has the DNS pod to resolve as well. */
const busyboxBesideCoreDns = dnsClusterYaml({
  id: 'arp-queue-2',
  webOn: ['node-2'],
  webService: true
}).replace(
  'services:',
  '  - { name: box, node: node-1, containers: [{ name: shell, image: busybox, app: sleep }] }\nservices:'
)

const SENT = [
  'A? web.default.svc.cluster.local.',
  'A? web.svc.cluster.local.',
  'A? web.cluster.local.',
  'AAAA? web.default.svc.cluster.local.',
  'AAAA? web.svc.cluster.local.',
  'AAAA? web.cluster.local.'
]

/** node-1's cni0 as `tcpdump -tt -e` prints it: each frame's µs and what follows the Ethernet header. */
function bridgeCapture(s: ReturnType<typeof labShellFromYaml>): { us: number; what: string }[] {
  return run(s, 'node-1', 'tcpdump -nn -tt -e -i cni0')
    .stdout.split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [, seconds, what] = /^\d+\.(\d{6}) .*?, length \d+: (.*)$/.exec(line) ?? []
      if (seconds === undefined || what === undefined) throw new Error(`not a tcpdump line: ${line}`)
      return { us: Number(seconds), what }
    })
}

/** The queries a capture holds, as `TYPE? name`, and the ARP replies it shows before the first. */
function queriesAndReplies(frames: { us: number; what: string }[]): {
  queries: { us: number; what: string }[]
  replies: { us: number; what: string }[]
} {
  const queries = frames
    .filter((f) => / > [\d.]+\.53: \d+\+ /.test(f.what))
    .map((f) => ({ us: f.us, what: f.what.replace(/^.*: \d+\+ /, '').replace(/ \(\d+\)$/, '') }))
  const first = frames.findIndex((f) => / > [\d.]+\.53: /.test(f.what))
  return { queries, replies: frames.slice(0, first).filter((f) => f.what.startsWith('Reply ')) }
}

describe('Datagrams sent while the neighbour entry of their next hop is still unresolved', () => {
  // BusyBox's nslookup sends its six queries a few µs apart, all before its pod has heard the
  // gateway's ARP reply.
  it('leave the pod in the order they were sent, once the ARP reply has arrived', () => {
    const s = labShellFromYaml(busyboxClient)
    run(s, 'client', 'nslookup web')
    const { queries, replies } = queriesAndReplies(bridgeCapture(s))
    expect(replies.map((r) => r.what)).toEqual([expect.stringMatching(/^Reply 10\.244\.0\.1 is-at /)])
    expect(queries.map((q) => q.what)).toEqual(SENT)
    for (const q of queries) expect(q.us).toBeGreaterThan(replies[0]!.us)
  })

  it('wait again, still in order, where the node resolves the DNS pod on its bridge', () => {
    const s = labShellFromYaml(busyboxBesideCoreDns)
    run(s, 'box', 'nslookup web')
    const { queries, replies } = queriesAndReplies(bridgeCapture(s))
    expect(replies.map((r) => r.what)).toEqual([
      expect.stringMatching(/^Reply 10\.244\.0\.1 is-at /),
      expect.stringMatching(/^Reply 10\.244\.0\.\d+ is-at /)
    ])
    expect(queries.map((q) => q.what)).toEqual(SENT)
    for (const q of queries) expect(q.us).toBeGreaterThanOrEqual(replies[1]!.us)
  })
})
