import { describe, expect, test } from 'vitest'
import { labFacts } from '../../src-main/core/lesson/lab-adapter.ts'
import { labShell, run } from './shell-fixture.ts'

const learned = (text: string): string[] =>
  text.split('\n').filter((l) => l.includes(' master cni0 ') && !l.endsWith('permanent'))

describe('sleep moves the logical clock', () => {
  test('learned cni0 entries survive 299 s of silence and are gone after ageing_time (300 s)', () => {
    const s = labShell()
    // node-1's three pods, learned at link-up. The ping refreshes two of them, and so does the
    // unicast ARP probe client's kernel sends 5 s later (delay_first_probe_time) to confirm the
    // STALE neighbour the ping used, with its answer: both entries were last seen at 205 s.
    expect(learned(run(s, 'node-1', 'bridge fdb show br cni0').stdout)).toHaveLength(3)
    run(s, 'node-1', 'sleep 200')
    expect(run(s, 'client', 'ping -c 1 10.244.1.3').exitCode).toBe(0)
    expect(run(s, 'node-1', 'sleep 101')).toEqual({ stdout: '', stderr: '', exitCode: 0 })
    expect(learned(run(s, 'node-1', 'bridge fdb show br cni0').stdout)).toHaveLength(2)
    run(s, 'node-1', 'sleep 203')
    expect(learned(run(s, 'node-1', 'bridge fdb show br cni0').stdout)).toHaveLength(2)
    run(s, 'node-1', 'sleep 2')
    expect(learned(run(s, 'node-1', 'bridge fdb show br cni0').stdout)).toEqual([])
    // The permanent entry of each port's own MAC never ages.
    expect(run(s, 'node-1', 'bridge fdb show br cni0').stdout).toMatch(/ master cni0 permanent\n/)
  })

  test("a lesson goal's fdb-entry sees an aged-out entry as gone, as bridge fdb show does", () => {
    const s = labShell()
    run(s, 'client', 'ping -c 1 10.244.1.3')
    const clientMac = /link\/ether (\S+)/.exec(run(s, 'client', 'ip link show eth0').stdout)![1]!
    const macs = (): string[] =>
      labFacts(s.lab)
        .fdbEntries('node-1/cni0')!
        .map((e) => e.mac)
    expect(macs()).toContain(clientMac)
    // 300 s after the ARP probe that follows the ping by 5 s.
    run(s, 'node-1', 'sleep 306')
    expect(macs()).not.toContain(clientMac)
    const cni0Mac = /link\/ether (\S+)/.exec(run(s, 'node-1', 'ip link show cni0').stdout)![1]!
    expect(macs()).toContain(cni0Mac)
  })

  test('operands add up and take the s/m/h/d suffixes', () => {
    const s = labShell()
    const t0 = s.lab.clock.nowMs
    run(s, 'node-1', 'sleep 1.5 2m 1h .5')
    expect(s.lab.clock.nowMs - t0).toBe(1500 + 120_000 + 3_600_000 + 500)
  })

  // GNU coreutils 9.1 in a UTF-8 locale, as captured from the real binary.
  test.each([
    ['sleep', "sleep: missing operand\nTry 'sleep --help' for more information.\n"],
    ['sleep 5x', "sleep: invalid time interval ‘5x’\nTry 'sleep --help' for more information.\n"],
    ['sleep abc', "sleep: invalid time interval ‘abc’\nTry 'sleep --help' for more information.\n"],
    ['sleep -x', "sleep: invalid option -- 'x'\nTry 'sleep --help' for more information.\n"]
  ])('%s fails as coreutils does', (line, stderr) => {
    const s = labShell()
    const t0 = s.lab.clock.nowMs
    expect(run(s, 'node-1', line)).toEqual({ stdout: '', stderr, exitCode: 1 })
    expect(s.lab.clock.nowMs).toBe(t0)
  })
})
