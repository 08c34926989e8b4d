import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { labShell, run } from './shell-fixture.ts'

/** node-2's table limited to 8 entries and filled by client's connections to web-3 and an echo flow. */
function full(): ReturnType<typeof labShell> {
  const lab = labShell()
  run(lab, 'node-2', 'sysctl -w net.netfilter.nf_conntrack_max=8')
  expect(
    sendProbe(lab.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2', icmpId: 4242, seq: 1 }).outcome.kind
  ).toBe('reply')
  expect(run(lab, 'client', 'curl -s -m 1 10.244.2.2:8080').stdout).toBe('web-3\n')
  return lab
}

describe('a conntrack table at nf_conntrack_max', () => {
  test('conntrack -C counts the entries up to the limit', () => {
    const lab = full()
    expect(run(lab, 'node-2', 'conntrack -C').stdout).toBe('6\n')
    run(lab, 'client', 'curl -s -m 1 10.244.2.2:8080')
    expect(run(lab, 'node-2', 'conntrack -C').stdout).toBe('8\n')
  })

  test('a new flow is dropped where it enters the full table, and the kernel says so in dmesg', () => {
    const lab = full()
    expect(run(lab, 'client', 'curl -s -m 1 10.244.2.2:8080').exitCode).toBe(28)
    const trace = sendProbe(lab.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2' })
    expect(trace.outcome).toEqual({ kind: 'no-reply' })
    expect(trace.hops.at(-1)).toMatchObject({ netns: 'node-2', device: 'eth0', drop: 'ct-table-full' })
    expect(run(lab, 'node-2', 'dmesg').stdout).toMatch(
      /^(\[ {0,4}\d+\.\d{6}\] nf_conntrack: nf_conntrack: table full, dropping packet\n)+$/
    )
    expect(run(lab, 'node-1', 'dmesg').stdout).toBe('')
  })

  test('conntrack -S counts the drops; insert_failed, a lost insertion race, stays 0', () => {
    const lab = full()
    run(lab, 'client', 'curl -s -m 1 10.244.2.2:8080')
    sendProbe(lab.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2' })
    const stats = run(lab, 'node-2', 'conntrack -S').stdout.split('\n')
    expect(stats[0]).toMatch(
      /^cpu=0 {3}\tfound=0 invalid=0 insert=0 insert_failed=0 drop=[1-9]\d* early_drop=0 /
    )
    expect(stats[1]).toMatch(/^cpu=1 {3}\t.* drop=0 /)
  })

  test('a flow that already has its entry goes on working', () => {
    const lab = full()
    run(lab, 'client', 'curl -s -m 1 10.244.2.2:8080')
    const again = sendProbe(lab.lab, {
      proto: 'icmp',
      from: 'client',
      to: '10.244.2.2',
      icmpId: 4242,
      seq: 2
    })
    expect(again.outcome).toMatchObject({ kind: 'reply', from: '10.244.2.2' })
  })

  test("the node's own new flows fail at sendmsg with EPERM", () => {
    const lab = full()
    run(lab, 'client', 'curl -s -m 1 10.244.2.2:8080')
    expect(run(lab, 'node-2', 'ping -c 1 -W 1 10.244.1.2').stderr).toBe(
      'ping: sendmsg: Operation not permitted\n'
    )
  })

  test('raising nf_conntrack_max lets new flows in again', () => {
    const lab = full()
    run(lab, 'client', 'curl -s -m 1 10.244.2.2:8080')
    run(lab, 'node-2', 'sysctl -w net.netfilter.nf_conntrack_max=262144')
    expect(run(lab, 'client', 'curl -s -m 1 10.244.2.2:8080').stdout).toBe('web-3\n')
  })

  test('kernel lines are rate-limited as net_ratelimit does: 10 per 5 s, then a count of the rest', () => {
    const lab = full()
    run(lab, 'client', 'curl -s -m 1 10.244.2.2:8080')
    for (let i = 0; i < 15; i++) sendProbe(lab.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2' })
    run(lab, 'client', 'sleep 5')
    sendProbe(lab.lab, { proto: 'icmp', from: 'client', to: '10.244.2.2' })
    const lines = run(lab, 'node-2', 'dmesg').stdout.trimEnd().split('\n')
    expect(lines.filter((l) => l.endsWith('table full, dropping packet'))).toHaveLength(11)
    expect(lines.at(-2)).toMatch(/\] net_ratelimit: \d+ callbacks suppressed$/)
  })
})
