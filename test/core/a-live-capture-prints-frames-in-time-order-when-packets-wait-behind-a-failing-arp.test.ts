import { expect, test } from 'vitest'
import { CaptureLog } from '../../src-main/core/engine/capture-log.ts'
import type { OutputChunk } from '../../src-main/core/shell/shell.ts'
import { labShell, run } from './shell-fixture.ts'

const live = { schedule: () => () => undefined }

const stdout = (chunks: readonly OutputChunk[]): string =>
  chunks
    .filter((c) => c.stream === 'stdout')
    .map((c) => c.text)
    .join('')

/** The ICMP lines of a capture without their times: what was seen, in the order it was printed. */
const icmpLines = (text: string): string[] =>
  text
    .split('\n')
    .filter((l) => l.includes('ICMP'))
    .map((l) => l.replace(/^\S+ /, ''))

/**
 * 10.244.2.99 is in node-2's pod range but no pod has it: node-2 resolves it for three seconds,
 * and the echo requests sent meanwhile wait in the same queue, so all three fail at that moment
 * — after seq 2 and 3 left the client, though the walk of seq 1 records its error first.
 */
test('a capture running in a live terminal prints the frames of a ping behind a failing ARP in time order, as the batch capture does', () => {
  const s = labShell()
  const capture = s.liveTerminal('client', live)!
  expect(capture.run('tcpdump -nn -i eth0 icmp').running).toBe(true)
  s.liveTerminal('client', live)!.run('ping -c 3 10.244.2.99')
  const seen = icmpLines(stdout(capture.settle().chunks))
  const request = (seq: number): RegExp =>
    new RegExp(`^IP 10\\.244\\.1\\.2 > 10\\.244\\.2\\.99: ICMP echo request, id \\d+, seq ${seq}, length 64$`)
  const error = 'IP 10.244.2.0 > 10.244.1.2: ICMP host 10.244.2.99 unreachable, length 92'
  expect(seen).toHaveLength(6)
  expect(seen[0]).toMatch(request(1))
  expect(seen[1]).toMatch(request(2))
  expect(seen[2]).toMatch(request(3))
  expect(seen.slice(3)).toEqual([error, error, error])
  expect(seen).toEqual(icmpLines(run(s, 'client', 'tcpdump -nn -i eth0 icmp').stdout))
})

test('the capture log tells its listeners a frame stamped ahead of the clock once the clock reaches it, after the earlier ones', () => {
  const log = new CaptureLog(10)
  const heard: number[] = []
  log.listeners.add((f) => heard.push(f.at))
  const view = { mark: 0, payloadLength: 0 }
  log.record(3000, 0, 'ns', 'eth0', 'in', view, false)
  log.record(0, 0, 'ns', 'eth0', 'out', view, false)
  log.record(1000, 1000, 'ns', 'eth0', 'out', view, false)
  expect(heard).toEqual([0, 1000])
  log.release(2999)
  expect(heard).toEqual([0, 1000])
  log.record(3000, 2000, 'ns', 'eth0', 'in', view, false)
  log.record(2000, 2000, 'ns', 'eth0', 'out', view, false)
  log.release(Number.POSITIVE_INFINITY)
  expect(heard).toEqual([0, 1000, 2000, 3000, 3000])
})
