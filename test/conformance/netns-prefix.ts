import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import type { Socket } from 'node:net'
import { join } from 'node:path'

/**
 * A namespace prefix of one's own for a test run that builds real network namespaces.
 *
 * Two runs of the same test (two worktrees, or CI and a developer on one machine) share
 * /run/netns: with a fixed prefix the second run's `up` finds the first's namespaces, and its
 * clean-up deletes them mid-test. So every run gets `<base>-<random>`, and every namespace it
 * makes is that prefix or starts with it and a dash. The prefix never reaches what is compared
 * with the simulator: the lab script hides /run/netns from the commands it runs, namespace names
 * are never interface names, and tests that name pod namespaces in their commands run the same
 * names on both sides.
 *
 * A unique name no longer lets a run clean up after a predecessor that was killed before its
 * afterAll, so each claim holds an flock on a file of its own from claim to release, and every
 * claim first deletes the namespaces of any prefix whose lock nobody holds. The lock is held by
 * a child (`cat` with the lock's descriptor) whose stdin is a pipe from this process: when this
 * process dies by any means, even SIGKILL, the pipe closes, cat ends and the kernel drops the
 * lock. A pid file would need the owner to be visible in this PID namespace and its pid not
 * reused; an flock needs neither, and works wherever /run/lock is shared, as /run/netns is.
 */

const LOCKS = '/run/lock/podnet-lab'
const PREFIX = /^pnl(-[a-z0-9]+)*$/
const BUSY = 75

export interface NetnsPrefix {
  readonly prefix: string
  /** Call after the run's namespaces are gone; ends the lock (idempotent). */
  release(): void
}

/** The file whose flock says a run of this prefix is alive. */
export const lockFile = (prefix: string): string => join(LOCKS, `${prefix}.lock`)

/*
 * Run under the abandoned prefix's lock, so the owner cannot be mid-claim. The lock file goes
 * last: a claim that opened it before it went away sees it gone and picks another name.
 */
const SWEEP = `for p in /run/netns/"$1" /run/netns/"$1"-*; do
  [ -e "$p" ] || continue
  n=\${p##*/}
  for pid in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
  ip netns del "$n"
  rm -rf "/etc/netns/$n"
done
rm -f "$2"`

/** Deletes the namespaces of every run whose process is gone without cleaning up. */
export function sweepAbandonedPrefixes(): void {
  mkdirSync(LOCKS, { recursive: true })
  for (const file of readdirSync(LOCKS)) {
    const prefix = file.replace(/\.lock$/, '')
    if (prefix === file || !PREFIX.test(prefix)) continue
    spawnSync(
      'flock',
      ['-n', '-E', String(BUSY), lockFile(prefix), 'sh', '-c', SWEEP, 'sh', prefix, lockFile(prefix)],
      {
        stdio: 'ignore',
        timeout: 60_000
      }
    )
  }
}

/*
 * $1 is the lock file. A failed -n means another holder (a sweeper, or a run that drew the same
 * name); a file that is no longer the one locked means a sweeper removed it meanwhile. Either
 * way the claim tries another name.
 */
const HOLD = `exec 9>>"$1" || exit 1
flock -n 9 || exit ${BUSY}
[ "$1" -ef /proc/self/fd/9 ] || exit ${BUSY}
echo held
exec cat >/dev/null`

function tryHold(prefix: string): Promise<NetnsPrefix | undefined> {
  const file = lockFile(prefix)
  const holder = spawn('sh', ['-c', HOLD, 'sh', file], { stdio: ['pipe', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    holder.on('error', reject)
    holder.on('exit', () => resolve(undefined))
    holder.stdout.setEncoding('utf8').once('data', (d: string) => {
      if (!d.startsWith('held')) return
      // The lock must not keep the test process alive; it lasts as long as the process does.
      holder.unref()
      for (const pipe of [holder.stdin, holder.stdout]) (pipe as unknown as Socket).unref()
      let held = true
      resolve({
        prefix,
        release() {
          if (!held) return
          held = false
          rmSync(file, { force: true })
          holder.stdin.end()
        }
      })
    })
  })
}

/** Claims `<base>-<random>`, after sweeping the namespaces abandoned by killed runs. */
export async function claimNetnsPrefix(base: string): Promise<NetnsPrefix> {
  if (!PREFIX.test(base)) throw new Error(`namespace prefix ${base}: must be pnl or pnl-<word>…`)
  sweepAbandonedPrefixes()
  for (let attempt = 0; attempt < 5; attempt++) {
    const claim = await tryHold(`${base}-${randomBytes(3).toString('hex')}`)
    if (claim) return claim
  }
  throw new Error(`could not lock a namespace prefix under ${LOCKS}`)
}
