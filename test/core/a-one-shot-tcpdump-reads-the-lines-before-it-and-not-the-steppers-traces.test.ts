import { expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { formatIpv4 } from '../../src-main/core/net/ipv4.ts'
import { labShell, run } from './shell-fixture.ts'

const live = { schedule: () => () => undefined }

test('a one-shot tcpdump reads what the lines before it sent, not a trace the stepper made since; a running capture gets both', () => {
  const s = labShell()
  run(s, 'client', 'curl -s 10.96.0.100')
  const afterCurl = run(s, 'node-1', 'tcpdump -nn -i cni0')
  expect(afterCurl.stdout).toMatch(/Flags \[S\]/)
  const capture = s.liveTerminal('node-1', live)!
  capture.run('tcpdump -c 1 -nn -i cni0 icmp &')
  const far = s.lab.pods.find((p) => p.node !== 'node-1' && !p.hostNetwork)!
  const trace = sendProbe(s.lab, { proto: 'icmp', from: 'client', to: formatIpv4(far.ip) })
  expect(trace.outcome.kind).toBe('reply')
  expect(capture.settle().jobsEnded?.[0]?.output).toMatch(/ICMP echo request/)
  // The trace keeps its own frames; the one-shot capture still reads the curl's line alone.
  expect(run(s, 'node-1', 'tcpdump -nn -i cni0')).toEqual(afterCurl)
  // A ping typed in a shell is a line's traffic again.
  run(s, 'client', `ping -c 1 ${formatIpv4(far.ip)}`)
  expect(run(s, 'node-1', 'tcpdump -nn -i cni0 icmp').stdout).toMatch(/ICMP echo request/)
})
