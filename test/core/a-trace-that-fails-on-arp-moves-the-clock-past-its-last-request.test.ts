import { expect, test } from 'vitest'
import { sendTrace } from '../../src-main/core/engine/probe.ts'
import type { CapturedFrame } from '../../src-main/core/engine/trace.ts'
import { formatIpv4 } from '../../src-main/core/net/ipv4.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * 10.244.2.99 is in node-2's pod range but no pod has it: node-2 broadcasts three ARP requests a
 * second apart and gives up a second after the last. A trace is the whole of what its sender
 * does, so the one after it starts once those frames are on the wire and the entry has failed.
 */
test('a stepper trace that fails on ARP leaves the clock past its requests, and the next trace is stamped after them', () => {
  const s = labShell()
  const lab = s.lab
  const frames: CapturedFrame[] = []
  lab.capture.listeners.add((f) => frames.push(f))
  const failed = sendTrace(lab, { proto: 'icmp', from: 'client', to: '10.244.2.99' })
  expect(failed.hops.some((h) => h.drop === 'neigh-failed')).toBe(true)
  const requests = frames.filter(
    (f) => f.frame.arp?.op === 'request' && f.frame.arp.targetIp === '10.244.2.99'
  )
  const sentAt = requests.filter((f) => f.netns === 'node-2' && f.device === 'cni0').map((f) => f.at)
  expect(sentAt.slice(1).map((t, i) => Math.round(t - sentAt[i]!))).toEqual([1000, 1000])
  const lastRequestAt = Math.max(...requests.map((f) => f.at))
  expect(lab.clock.nowMs).toBeGreaterThanOrEqual(lastRequestAt)

  frames.length = 0
  const web3 = formatIpv4(lab.pods.find((p) => p.name === 'web-3')!.ip)
  const next = sendTrace(lab, { proto: 'icmp', from: 'client', to: web3 })
  expect(next.outcome.kind).toBe('reply')
  expect(next.at).toBeGreaterThan(lastRequestAt)
  expect(Math.min(...frames.map((f) => f.at))).toBeGreaterThan(lastRequestAt)
  expect(run(s, 'node-2', 'ip neigh show 10.244.2.99').stdout).toBe('10.244.2.99 dev cni0 FAILED \n')
})
