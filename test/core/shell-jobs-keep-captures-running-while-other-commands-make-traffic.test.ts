import { describe, expect, test } from 'vitest'
import type { OutputChunk } from '../../src-main/core/shell/shell.ts'
import { labShell, liveLab, run } from './shell-fixture.ts'

const BANNER =
  'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n'
const stats = (captured: number, received: number): string =>
  `${captured} packets captured\n${received} packets received by filter\n0 packets dropped by kernel\n`
const flagsOf = (text: string): string[] => [...text.matchAll(/Flags \[([^\]]+)\]/g)].map((m) => m[1] ?? '')
const text = (chunks: readonly OutputChunk[]): string => chunks.map((c) => c.text).join('')

/** A curl to the `web` Service from the client pod: handshake, request, response, teardown. */
const CURL_FLAGS = ['S', 'S.', '.', 'P.', '.', 'P.', '.', 'F.', 'F.', '.']

describe('jobs in one terminal', () => {
  test('a capture started with & prints the packets of the curl after it, and wait ends it', () => {
    const s = labShell()
    const r = s.run('client', 'tcpdump -ni eth0 tcp & curl -s 10.96.0.100; wait')!
    expect(r.chunks[0]).toEqual({ stream: 'stderr', text: `[1] 3100\n${BANNER}` })
    expect(flagsOf(r.stdout)).toEqual(CURL_FLAGS)
    expect(r.stdout).toMatch(/HTTP: GET \/ HTTP\/1\.1\n[\s\S]*HTTP: HTTP\/1\.1 200 OK\n/)
    expect(r.stdout).toMatch(/\nweb-\d\n/)
    expect(r.stderr.endsWith(`${stats(10, 10)}[1]+  Done                    tcpdump -ni eth0 tcp\n`)).toBe(
      true
    )
    expect(r.exitCode).toBe(0)
  })

  test('-c N ends the job after N packets; jobs shows it, and bash forgets a job once told it ended', () => {
    const s = labShell()
    expect(run(s, 'client', 'tcpdump -c 3 -ni eth0 tcp & jobs').stdout).toBe(
      '[1]+  Running                 tcpdump -c 3 -ni eth0 tcp &\n'
    )
    const r = run(s, 'client', 'curl -s 10.96.0.100 >/dev/null; jobs -l; wait %1')
    expect(flagsOf(r.stdout)).toEqual(['S', 'S.', '.'])
    expect(r.stdout.endsWith('[1]+ 3100 Done                    tcpdump -c 3 -ni eth0 tcp\n')).toBe(true)
    expect(r.stderr).toBe(`${stats(3, 3)}bash: wait: %1: no such job\n`)
    expect(r.exitCode).toBe(127)
  })

  test('timeout ends a capture after its time on the lab clock and exits 124', () => {
    const s = labShell()
    const before = s.lab.clock.nowMs
    const r = run(s, 'client', 'timeout 5 tcpdump -ni eth0')
    expect(r).toEqual({ stdout: '\n', stderr: BANNER + stats(0, 0), exitCode: 124 })
    expect(s.lab.clock.nowMs - before).toBe(5000)
    expect(run(s, 'node-1', 'timeout 1 sleep 3; echo $?').stdout).toBe('124\n')
    expect(run(s, 'node-1', 'timeout 5 sleep 3; echo $?').stdout).toBe('0\n')
    const job = run(s, 'client', 'timeout 2 tcpdump -ni eth0 & sleep 3')
    expect(job.stderr).toBe(
      `[1] 3100\n${BANNER}${stats(0, 0)}[1]+  Exit 124                timeout 2 tcpdump -ni eth0\n`
    )
  })

  test('kill, wait and timeout answer with bash and coreutils texts', () => {
    const s = labShell()
    const r = run(s, 'node-1', 'tcpdump -ni cni0 2>/dev/null & kill %1; wait %1; echo $?; kill %2; kill 99')
    expect(r.stdout).toBe('\n0\n')
    expect(r.stderr).toBe(
      '[1] 3100\nbash: kill: %2: no such job\nbash: kill: (99) - No such process\n[1]+  Done                    tcpdump -ni cni0 2> /dev/null\n'
    )
    expect(run(s, 'node-1', 'timeout x tcpdump')).toEqual({
      stdout: '',
      stderr: "timeout: invalid time interval ‘x’\nTry 'timeout --help' for more information.\n",
      exitCode: 125
    })
    expect(run(s, 'node-1', 'timeout 3 nosuch').stderr).toBe(
      'timeout: failed to run command ‘nosuch’: No such file or directory\n'
    )
  })
})

describe('live terminals on one lab', () => {
  test('a foreground capture prints what another terminal sends, and Ctrl+C prints the counts', () => {
    const { terminal } = liveLab()
    const capture = terminal('client')
    const other = terminal('client')
    const started = capture.run('tcpdump -ni eth0 tcp; echo after $?')
    expect(started.running).toBe(true)
    expect(started.stderr).toBe(BANNER)
    expect(other.run('curl -s 10.96.0.100').exitCode).toBe(0)
    const seen = capture.settle()
    expect(seen.ended).toBeUndefined()
    expect(flagsOf(text(seen.chunks))).toEqual(CURL_FLAGS)
    capture.interrupt()
    const stopped = capture.settle()
    expect(stopped.chunks).toEqual([
      { stream: 'stdout', text: '\n' },
      { stream: 'stderr', text: stats(10, 10) },
      { stream: 'stdout', text: 'after 0\n' }
    ])
    expect(stopped.ended).toEqual({ exitCode: 0 })
  })

  test('wait blocks until Ctrl+C, which ends the line with 130 and leaves the job running', () => {
    const { terminal } = liveLab()
    const t = terminal('client')
    expect(t.run('tcpdump -ni eth0 >/dev/null & wait; echo not reached').running).toBe(true)
    t.interrupt()
    expect(t.settle()).toEqual({ chunks: [], ended: { exitCode: 130 } })
    expect(t.run('jobs').stdout).toBe('[1]+  Running                 tcpdump -ni eth0 > /dev/null &\n')
  })

  test('timeout in a live terminal ends the capture when its wall-clock time is up', () => {
    const { terminal, timers } = liveLab()
    const t = terminal('client')
    expect(t.run('timeout 5 tcpdump -ni eth0').running).toBe(true)
    expect(timers).toHaveLength(1)
    timers[0]?.()
    expect(t.settle()).toEqual({
      chunks: [
        { stream: 'stdout', text: '\n' },
        { stream: 'stderr', text: stats(0, 0) }
      ],
      ended: { exitCode: 124 }
    })
  })
})

test('a lab runs at most SHELL_LIMITS.labProcesses captures at once, whatever the loop asks', () => {
  const s = labShell()
  const r = run(s, 'client', 'for i in $(seq 20); do tcpdump -ni eth0 >/dev/null & done; jobs | wc -l')
  expect(r.stdout.trim()).toBe('20')
  expect(r.stderr).toContain(
    "sh: tcpdump: not started: 16 captures already run in this lab (the lab's limit); stop one with Ctrl+C or kill\n"
  )
  expect(s.lab.capture.listeners.size).toBe(16)
  run(s, 'client', 'kill %1')
  expect(s.lab.capture.listeners.size).toBe(15)
})
