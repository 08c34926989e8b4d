import { describe, expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * `timeout -s SIG` with every way coreutils 9.1 names a signal, the statuses the shell then
 * sees, and the `Killed` bash and dash print when KILL ends timeout itself. Measured with
 * `timeout -s SIG 0.2 sleep 1` and `timeout -v` in real namespaces, the notices with `bash -i`
 * under script(1).
 */

const INVALID = (s: string): string =>
  `timeout: ‘${s}’: invalid signal\nTry 'timeout --help' for more information.\n`

describe('timeout sends any signal coreutils names, and bash says Killed', () => {
  test.each([
    ['KILL', 137],
    ['9', 137],
    ['09', 137],
    ['sigkill', 137],
    ['QUIT', 131],
    ['3', 131],
    ['SIGUSR1', 138],
    ['usr2', 140],
    ['HUP', 129],
    ['ALRM', 142],
    ['IOT', 134],
    ['STKFLT', 144],
    ['IO', 157],
    ['PWR', 158],
    ['31', 159],
    ['RTMIN', 162],
    ['RTMIN+1', 163],
    ['RTMAX-1', 191],
    ['SIGRTMAX', 192],
    ['RTMIN+30', 192],
    ['64', 192]
  ])('--preserve-status -s %s ends sleep with status %i', (sig, status) => {
    const r = run(labShell(), 'node-1', `timeout --preserve-status -s ${sig} 0.2 sleep 1`)
    expect(r.exitCode).toBe(status)
    expect(r.stderr).toBe(status === 137 ? 'Killed\n' : '')
  })

  test.each(['QUIT', 'USR1', 'SEGV', 'RTMIN+2', 'HUP'])('-s %s without --preserve-status is 124', (sig) => {
    expect(run(labShell(), 'node-1', `timeout -s ${sig} 0.2 sleep 1`)).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 124
    })
  })

  test.each(['32', '33', '65', '-1', '+9', ' 9', '9x', 'RTMIN+31', 'RTMAX+1', 'UNUSED'])(
    '-s %j is refused with status 125',
    (sig) => {
      expect(run(labShell(), 'node-1', `timeout -s '${sig}' 0.2 sleep 1`)).toEqual({
        stdout: '',
        stderr: INVALID(sig),
        exitCode: 125
      })
    }
  )

  test('a signal the command ignores lets it run to its end: 124, or its own 0', () => {
    const s = labShell()
    const before = s.lab.clock.nowMs
    expect(run(s, 'node-1', 'timeout -s WINCH 0.2 sleep 1').exitCode).toBe(124)
    expect(s.lab.clock.nowMs - before).toBe(1000)
    expect(run(s, 'node-1', 'timeout --preserve-status -s WINCH 0.2 sleep 1').exitCode).toBe(0)
    expect(run(s, 'node-1', 'timeout -s 0 0.2 sleep 1').exitCode).toBe(124)
  })

  test('-v names the signal as sig2str does', () => {
    const said = (sig: string): string =>
      run(labShell(), 'node-1', `timeout -v -s ${sig} 0.2 sleep 1`).stderr.split('\n')[0]!
    expect(said('9')).toBe('timeout: sending signal KILL to command ‘sleep’')
    expect(said('usr1')).toBe('timeout: sending signal USR1 to command ‘sleep’')
    expect(said('sigrtmin+2')).toBe('timeout: sending signal RTMIN+2 to command ‘sleep’')
    expect(said('0')).toBe('timeout: sending signal EXIT to command ‘sleep’')
    expect(said('6')).toBe('timeout: sending signal ABRT to command ‘sleep’')
    expect(said('29')).toBe('timeout: sending signal POLL to command ‘sleep’')
    expect(said('49')).toBe('timeout: sending signal RTMIN+15 to command ‘sleep’')
    expect(said('50')).toBe('timeout: sending signal RTMAX-14 to command ‘sleep’')
  })

  test('KILL, sent or after -k, ends timeout itself: the shell prints Killed before the next command', () => {
    const r = run(labShell(), 'node-1', 'timeout -s KILL 0.2 sleep 1; echo status $?')
    expect(r).toEqual({ stdout: 'status 137\n', stderr: 'Killed\n', exitCode: 0 })
    const s = labShell()
    const line = s.run('node-1', 'timeout -k 1 -s WINCH 0.2 sleep 5; echo after $?')!
    expect(line.chunks.map((c) => c.text)).toEqual(['Killed\n', 'after 137\n'])
  })

  test('in a live terminal, a capture KILL ends leaves no last words and the shell says Killed', () => {
    const s = labShell()
    const t = s.liveTerminal('node-1', { schedule: () => () => undefined })!
    expect(t.run('timeout -s KILL 1 tcpdump -ni eth0; echo st=$?').running).toBe(true)
    run(s, 'node-1', 'sleep 2')
    expect(t.settle()).toEqual({
      chunks: [
        { stream: 'stderr', text: 'Killed\n' },
        { stream: 'stdout', text: 'st=137\n' }
      ],
      ended: { exitCode: 0 }
    })
  })

  test('ping ends on ALRM as on INT: with its statistics', () => {
    const r = run(labShell(), 'node-2', 'timeout -s ALRM 1.5 ping 192.168.56.11')
    expect(r.stdout).toMatch(
      /\n\n--- 192\.168\.56\.11 ping statistics ---\n2 packets transmitted, 2 received/
    )
    expect(r.exitCode).toBe(124)
  })
})
