import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { labShell, run } from '../core/shell-fixture.ts'

/**
 * `kubectl exec` has runc start the shell from outside the pod's PID namespace, so inside it
 * the shell's parent is no process the namespace can name: `ps -ef` and `$PPID` say 0. A real
 * PID namespace (`unshare --pid`, its own /proc) whose first process is bash shows the same.
 */
const root = typeof process.getuid === 'function' && process.getuid() === 0
const unshare = spawnSync('sh', ['-c', 'command -v unshare'], { stdio: 'ignore' }).status === 0

/** The PPID column of the row whose PID is `pid`. */
function parentColumn(listing: string, pid: string): string | undefined {
  const row = listing
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((cols) => cols[1] === pid)
  return row?.[2]
}

describe.skipIf(!root || !unshare)('a shell whose parent is outside its PID namespace', () => {
  it('lists parent 0 in ps -ef and $PPID, in the lab pod as in a real namespace', () => {
    const real = spawnSync(
      'unshare',
      ['--pid', '--fork', '--mount-proc', 'bash', '-c', 'ps -ef; echo "$$ $PPID"'],
      {
        encoding: 'utf8'
      }
    )
    expect(real.status).toBe(0)
    const [realPid = '', realPpid] = real.stdout.trim().split('\n').at(-1)!.split(' ')
    const sim = labShell()
    const [pid = '', ppid] = run(sim, 'web-1', 'echo "$$ $PPID"').stdout.trim().split(' ')
    expect(ppid).toBe(realPpid)
    expect(parentColumn(run(sim, 'web-1', 'ps -ef').stdout, pid)).toBe(parentColumn(real.stdout, realPid))
  })
})
