import { describe, expect, it, test } from 'vitest'
import { hasBash, realBash } from './real-bash.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * `kill` as bash 5.2 runs it. Lines that touch no process are compared with real bash live; an
 * interactive bash says `bash: kill:` where `bash -c` says `bash: line 1: kill:`. The job notices
 * were measured with `bash -i` under `script` on Debian 12 (core size limit 0, so no "core dumped").
 */

/** Real bash's answer as an interactive bash words it. */
function interactiveBash(line: string): ReturnType<typeof realBash> {
  const r = realBash(line)
  return { ...r, stderr: r.stderr.replaceAll('bash: line 1: ', 'bash: ') }
}

/** None of these sends a signal to a real process: each fails before it would. */
const WITHOUT_PROCESSES = [
  'kill -l',
  'kill -L',
  'kill -l 9',
  'kill -l 130',
  'kill -l HUP',
  'kill -l sigio',
  'kill -l 0',
  'kill -l EXIT',
  'kill -l rtmin+2',
  'kill -l 50',
  'kill -l 32',
  'kill -l 9 x 15',
  'kill -l POLL',
  'kill -l IOT',
  'kill -l 200',
  'kill',
  'kill -9',
  'kill -s HUP',
  'kill -s',
  'kill -n',
  'kill -FOO 1',
  'kill -n 99 1',
  'kill -s FOO %1',
  'kill -sFOO %1',
  'kill abc',
  'kill %1',
  'kill -- %1',
  'kill -0 4194305'
]

describe.runIf(hasBash)('kill without processes answers as real bash', () => {
  const shell = labShell()
  it.each(WITHOUT_PROCESSES)('%s', (line) => {
    expect(run(shell, 'node-1', line)).toEqual(interactiveBash(line))
  })
})

const CAPTURE = 'tcpdump -ni cni0 2>/dev/null'

describe('kill sends any signal to the terminal’s jobs, and bash names the one that ended each', () => {
  test.each([
    ['-s HUP', '[1]+  Done                    tcpdump -ni cni0 2> /dev/null\n', 0],
    ['-QUIT', '[1]+  Quit                    tcpdump -ni cni0 2> /dev/null\n', 131],
    ['-9', '[1]+  Killed                  tcpdump -ni cni0 2> /dev/null\n', 137],
    ['-SIGUSR1', '[1]+  User defined signal 1   tcpdump -ni cni0 2> /dev/null\n', 138],
    ['-usr2', '[1]+  User defined signal 2   tcpdump -ni cni0 2> /dev/null\n', 140],
    ['-n 14', '[1]+  Alarm clock             tcpdump -ni cni0 2> /dev/null\n', 142],
    ['-PIPE', '[1]+  Broken pipe             tcpdump -ni cni0 2> /dev/null\n', 141],
    ['-s ABRT', '[1]+  Aborted                 tcpdump -ni cni0 2> /dev/null\n', 134],
    ['-SEGV', '[1]+  Segmentation fault      tcpdump -ni cni0 2> /dev/null\n', 139],
    ['-7', '[1]+  Bus error               tcpdump -ni cni0 2> /dev/null\n', 135],
    ['-s RTMIN', '[1]+  Real-time signal 0      tcpdump -ni cni0 2> /dev/null\n', 162],
    ['-64', '[1]+  Real-time signal 30     tcpdump -ni cni0 2> /dev/null\n', 192]
  ])('kill %s %%1', (option, notice, status) => {
    const s = labShell()
    const r = run(s, 'node-1', `${CAPTURE} & kill ${option} %1; wait %1; echo $?`)
    expect(r.stdout.endsWith(`${status}\n`)).toBe(true)
    expect(r.stderr).toBe(`[1] 3100\n${notice}`)
  })

  test('signals a process takes no action on leave it running; STOP stops it, bash tells so, and CONT lets it run on', () => {
    const s = labShell()
    expect(run(s, 'node-1', `${CAPTURE} & kill -WINCH %1; kill -s 0 %1; kill -CHLD 3100; jobs`).stdout).toBe(
      '[1]+  Running                 tcpdump -ni cni0 2> /dev/null &\n'
    )
    expect(run(s, 'node-1', 'kill -STOP %1').stderr).toBe(
      '\n[1]+  Stopped                 tcpdump -ni cni0 2> /dev/null\n'
    )
    expect(run(s, 'node-1', 'jobs').stdout).toBe(
      '[1]+  Stopped                 tcpdump -ni cni0 2> /dev/null\n'
    )
    expect(run(s, 'node-1', 'kill -CONT %1; jobs').stdout).toBe(
      '[1]+  Running                 tcpdump -ni cni0 2> /dev/null &\n'
    )
  })

  test('a stopped job takes KILL at once, TERM by jobspec with the CONT bash adds, and any other signal once CONT comes', () => {
    const s = labShell()
    run(s, 'node-1', `${CAPTURE} & kill -STOP %1`)
    expect(run(s, 'node-1', 'kill -USR1 %1; jobs')).toEqual({
      stdout: '[1]+  Stopped                 tcpdump -ni cni0 2> /dev/null\n',
      stderr: '\n[1]+  Stopped                 tcpdump -ni cni0 2> /dev/null\n',
      exitCode: 0
    })
    expect(run(s, 'node-1', 'kill -CONT %1').stderr).toBe(
      '[1]+  User defined signal 1   tcpdump -ni cni0 2> /dev/null\n'
    )
    run(s, 'node-1', `${CAPTURE} & kill -TSTP %1`)
    expect(run(s, 'node-1', 'kill %1')).toEqual({
      stdout: '\n',
      stderr: '[1]+  Done                    tcpdump -ni cni0 2> /dev/null\n',
      exitCode: 0
    })
    run(s, 'node-1', `${CAPTURE} & kill -STOP %1`)
    expect(run(s, 'node-1', 'kill -9 3102').stderr).toBe(
      '[1]+  Killed                  tcpdump -ni cni0 2> /dev/null\n'
    )
  })

  test('jobs are named by number, %+, %-, the start of their command, text in it, or pid', () => {
    const s = labShell()
    run(
      s,
      'node-1',
      'tcpdump -ni cni0 >/dev/null 2>&1 & tcpdump -ni eth0 >/dev/null 2>&1 & conntrack -E >/dev/null 2>&1 &'
    )
    expect(run(s, 'node-1', 'kill %tcp').stderr).toBe('bash: kill: tcp: ambiguous job spec\n')
    expect(run(s, 'node-1', 'kill %?-ni').stderr).toBe('bash: kill: -ni: ambiguous job spec\n')
    expect(run(s, 'node-1', 'kill %zz %?zz').stderr).toBe(
      'bash: kill: %zz: no such job\nbash: kill: %?zz: no such job\n'
    )
    expect(run(s, 'node-1', 'kill -9 %-').stderr).toBe(
      '[2]-  Killed                  tcpdump -ni eth0 > /dev/null 2>&1\n'
    )
    expect(run(s, 'node-1', 'kill -9 %?cni0').stderr).toBe(
      '[1]-  Killed                  tcpdump -ni cni0 > /dev/null 2>&1\n'
    )
    expect(run(s, 'node-1', 'kill -s KILL 3102').stderr).toBe(
      '[3]+  Killed                  conntrack -E > /dev/null 2>&1\n'
    )
  })

  test('kill PID reaches a foreground capture of another terminal on the same host, which prints what bash prints', () => {
    const s = labShell()
    const t = s.liveTerminal('node-1', { schedule: () => () => undefined })!
    expect(t.run('tcpdump -ni cni0 2>/dev/null; echo status $?').running).toBe(true)
    expect(run(s, 'node-2', 'kill -HUP 3100').stderr).toBe('bash: kill: (3100) - No such process\n')
    expect(run(s, 'node-1', 'kill -QUIT 3100')).toEqual({ stdout: '', stderr: '', exitCode: 0 })
    expect(t.settle()).toEqual({
      chunks: [
        { stream: 'stderr', text: 'Quit\n' },
        { stream: 'stdout', text: 'status 131\n' }
      ],
      ended: { exitCode: 0 }
    })
    expect(run(s, 'node-1', 'kill 3100').stderr).toBe('bash: kill: (3100) - No such process\n')
  })
})
