import { describe, expect, test } from 'vitest'
import type { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * `timeout N CMD` around a command that lets lab time pass: the signal arrives N seconds in, the
 * command shows only what it printed by then, and the lab's clock has moved exactly N seconds.
 * The outputs and statuses were measured with coreutils 9.1, iputils 20221126, curl 7.88.1 and
 * dig 9.18 on real namespaces.
 */

function timed(s: LabShell, on: string, line: string): { out: ReturnType<typeof run>; ms: number } {
  const before = s.lab.clock.nowMs
  const out = run(s, on, line)
  return { out, ms: s.lab.clock.nowMs - before }
}

const BANNER = 'PING 192.168.56.11 (192.168.56.11) 56(84) bytes of data.\n'
const reply = (seq: number): RegExp =>
  new RegExp(`^64 bytes from 192\\.168\\.56\\.11: icmp_seq=${seq} ttl=64 time=[\\d.]+ ms$`)

describe('timeout stops a command where its signal arrives in lab time', () => {
  test('ping dies on TERM with the replies it printed and no statistics, after exactly N seconds', () => {
    const s = labShell()
    const { out, ms } = timed(s, 'node-2', 'timeout 1 ping 192.168.56.11')
    const lines = out.stdout.split('\n')
    expect(lines[0] + '\n').toBe(BANNER)
    expect(lines[1]).toMatch(reply(1))
    expect(lines.slice(2)).toEqual([''])
    expect(out.exitCode).toBe(124)
    expect(ms).toBe(1000)
  })

  test('ping -c 10 under timeout 2.5 prints three replies', () => {
    const s = labShell()
    const { out, ms } = timed(s, 'node-2', 'timeout 2.5 ping -c 10 192.168.56.11')
    expect(out.stdout.split('\n').filter((l) => l.startsWith('64 bytes'))).toHaveLength(3)
    expect(out.stdout).not.toContain('statistics')
    expect(out.exitCode).toBe(124)
    expect(ms).toBe(2500)
  })

  test('-s INT lets ping print its statistics for the echoes sent so far', () => {
    const s = labShell()
    const { out, ms } = timed(s, 'node-2', 'timeout -s INT 1 ping 192.168.56.11')
    expect(out.stdout).toMatch(
      /\n\n--- 192\.168\.56\.11 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min\/avg\/max\/mdev = [\d./]+ ms\n$/
    )
    expect(out.exitCode).toBe(124)
    expect(ms).toBe(1000)
    expect(run(s, 'node-2', 'timeout -s INT --preserve-status 1 ping 192.168.56.11').exitCode).toBe(0)
  })

  test('--preserve-status gives the status of the signal that ended the command', () => {
    const s = labShell()
    expect(run(s, 'node-2', 'timeout --preserve-status 1 ping 192.168.56.11').exitCode).toBe(143)
    expect(run(s, 'node-2', 'timeout --preserve-status 1 sleep 3').exitCode).toBe(143)
    expect(run(s, 'node-2', 'timeout -s INT --preserve-status 1 sleep 3').exitCode).toBe(130)
    expect(run(s, 'node-2', 'timeout -s HUP --preserve-status 1 sleep 3').exitCode).toBe(129)
  })

  test('KILL ends timeout itself too, so the shell sees 137 with or without --preserve-status', () => {
    const s = labShell()
    const killed = run(s, 'node-2', 'timeout -s KILL 1 ping 192.168.56.11')
    expect(killed.stdout.startsWith(BANNER)).toBe(true)
    expect(killed.exitCode).toBe(137)
    expect(run(s, 'node-2', 'timeout -s 9 --preserve-status 1 sleep 3').exitCode).toBe(137)
  })

  test('-k does not matter to a command that the first signal ends', () => {
    const s = labShell()
    const { out, ms } = timed(s, 'node-2', 'timeout -k 1 1 ping 192.168.56.11')
    expect(out.exitCode).toBe(124)
    expect(ms).toBe(1000)
  })

  test('timeout 0 sets no limit', () => {
    const s = labShell()
    const out = run(s, 'node-2', 'timeout 0 ping -c 2 192.168.56.11')
    expect(out.stdout).toContain('2 packets transmitted, 2 received, 0% packet loss')
    expect(out.exitCode).toBe(0)
  })

  test('-v says which signal it sends, after what the command printed', () => {
    const s = labShell()
    const out = run(s, 'node-2', 'timeout -v -s INT 1 sleep 2')
    expect(out.stderr).toBe('timeout: sending signal INT to command ‘sleep’\n')
    expect(out.exitCode).toBe(124)
  })

  test('options and signals are checked as coreutils does', () => {
    const s = labShell()
    expect(run(s, 'node-2', 'timeout -s FOO 1 true')).toEqual({
      stdout: '',
      stderr: "timeout: ‘FOO’: invalid signal\nTry 'timeout --help' for more information.\n",
      exitCode: 125
    })
    expect(run(s, 'node-2', 'timeout -k x 1 true').stderr).toBe(
      "timeout: invalid time interval ‘x’\nTry 'timeout --help' for more information.\n"
    )
    expect(run(s, 'node-2', 'timeout -s SIGINT 1 true').exitCode).toBe(0)
    expect(run(s, 'node-2', 'timeout 1 -s INT sleep 3')).toEqual({
      stdout: '',
      stderr: 'timeout: failed to run command ‘-s’: No such file or directory\n',
      exitCode: 127
    })
  })

  test('curl to an address that drops the SYN prints nothing; -v shows how far it got', () => {
    const s = labShell()
    const { out, ms } = timed(s, 'client', 'timeout 1 curl http://10.9.9.9')
    expect(out).toEqual({ stdout: '', stderr: '', exitCode: 124 })
    expect(ms).toBe(1000)
    expect(run(s, 'client', 'timeout 1 curl -v http://10.9.9.9').stderr).toBe('*   Trying 10.9.9.9:80...\n')
    expect(run(s, 'client', 'timeout --preserve-status 1 curl http://10.9.9.9').exitCode).toBe(143)
  })

  test('dig leaves quietly with status 0 and only the retries it had reported', () => {
    const s = labShell()
    const { out, ms } = timed(s, 'client', 'timeout 1 dig @10.9.9.9 example.com')
    expect(out).toEqual({ stdout: '', stderr: '', exitCode: 124 })
    expect(ms).toBe(1000)
    expect(run(s, 'client', 'timeout --preserve-status 7 dig @10.9.9.9 example.com')).toEqual({
      stdout: ';; communications error to 10.9.9.9#53: timed out\n',
      stderr: '',
      exitCode: 0
    })
  })

  test('the signal reaches the whole process group: a shell timeout started ends with its command', () => {
    const s = labShell()
    const line = "sh -c 'ping 192.168.56.11; echo after'"
    const out = run(s, 'node-2', `timeout 1 ${line}`)
    expect(out.stdout).not.toContain('after')
    expect(out.exitCode).toBe(124)
    expect(run(s, 'node-2', `timeout --preserve-status 1 ${line}`).exitCode).toBe(143)
    expect(run(s, 'node-2', 'timeout 1 ping 192.168.56.11; echo after $?').stdout).toContain('after 124\n')
  })

  test('sleep ends at the limit; a command done before it keeps its own status', () => {
    const s = labShell()
    const { out, ms } = timed(s, 'node-1', 'timeout 1 sleep 3')
    expect(out.exitCode).toBe(124)
    expect(ms).toBe(1000)
    const done = timed(s, 'node-1', 'timeout 5 sleep 3')
    expect(done.out.exitCode).toBe(0)
    expect(done.ms).toBe(3000)
  })
})
