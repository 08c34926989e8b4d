import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/** The pid and parent `ps -ef` lists for the terminal's shell (the row before ps's own). */
function shellRow(listing: string): { pid: string; ppid: string } {
  const rows = listing.trim().split('\n')
  const [, pid = '', ppid = ''] = (rows[rows.length - 2] ?? '').trim().split(/\s+/)
  return { pid, ppid }
}

test.each(['web-1', 'node-1'])(
  '$$ and $PPID on %s are the pid and parent ps -ef lists for the shell',
  (target) => {
    const sim = labShell()
    const { pid, ppid } = shellRow(run(sim, target, 'ps -ef').stdout)
    expect(run(sim, target, 'echo $$ $PPID').stdout).toBe(`${pid} ${ppid}\n`)
    expect(run(sim, target, 'ps').stdout).toContain(`${pid.padStart(7)} pts/0    00:00:00 bash\n`)
  }
)

test('$$ of a busybox container shell is the sh row BusyBox ps lists', () => {
  const sim = labShell('two-node-deployment')
  const sh = run(sim, 'client', 'ps')
    .stdout.split('\n')
    .find((row) => row.endsWith(' sh'))
  expect(sh?.trim().split(/\s+/)[0]).toBe(run(sim, 'client', 'echo $$').stdout.trim())
})

test('RANDOM draws from the lab seed: two labs of one scenario draw the same numbers, each in 0..32767', () => {
  const draw = (): number[] =>
    run(labShell(), 'web-1', 'echo $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM')
      .stdout.trim()
      .split(' ')
      .map(Number)
  const first = draw()
  expect(draw()).toEqual(first)
  expect(new Set(first).size).toBeGreaterThan(1)
  for (const n of first) expect(n >= 0 && n <= 32767 && Number.isInteger(n)).toBe(true)
})

test("a pod terminal's shell has parent 0: kubectl exec's runc is outside the pod's PID namespace", () => {
  // As `unshare --pid --fork --mount-proc` shows its first process, whose parent is outside.
  const sim = labShell()
  expect(shellRow(run(sim, 'web-1', 'ps -ef').stdout).ppid).toBe('0')
  expect(run(sim, 'web-1', 'echo $PPID').stdout).toBe('0\n')
  expect(shellRow(run(sim, 'node-1', 'ps -ef').stdout).ppid).not.toBe('0')
})

test('BASH_VERSION and SHLVL are those of Debian 12 bash in a login; BusyBox sh sets no BASH_VERSION', () => {
  expect(run(labShell(), 'web-1', 'echo $BASH_VERSION $SHLVL').stdout).toBe('5.2.15(1)-release 1\n')
  expect(run(labShell('two-node-deployment'), 'client', 'echo "[$BASH_VERSION]"').stdout).toBe('[]\n')
})

test('a shell started by sh -c has the terminal shell as its $PPID and a pid of its own', () => {
  const sim = labShell()
  const terminal = run(sim, 'node-1', 'echo $$').stdout.trim()
  const [pid, ppid] = run(sim, 'node-1', `sh -c 'echo $$ $PPID'`).stdout.trim().split(' ')
  expect(ppid).toBe(terminal)
  expect(pid).not.toBe(terminal)
})
