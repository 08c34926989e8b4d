import { execFileSync, spawnSync } from 'node:child_process'

/**
 * What real bash 5.2 + coreutils print for a line (non-interactive, so no job control noise),
 * in Debian's default C.UTF-8 locale (coreutils then quote with ‘ ’).
 */
export function realBash(line: string): Answer {
  return answer('bash', ['--norc', '--noprofile', '-c', line])
}

/** What BusyBox sh prints for a line. */
export function realBusybox(line: string): Answer {
  return answer('busybox', ['sh', '-c', line])
}

interface Answer {
  stdout: string
  stderr: string
  exitCode: number
}

function answer(program: string, args: readonly string[]): Answer {
  // spawnSync keeps stderr of a line that ends well, which execFileSync drops.
  const r = spawnSync(program, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' }
  })
  if (r.error) throw r.error
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status ?? 128 }
}

export const hasBash = (() => {
  try {
    execFileSync('bash', ['-c', 'seq 1 | grep -c 1'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

/** Without BusyBox the comparisons are skipped on a developer's machine; CI installs it, so there they must run. */
export const hasBusybox = (() => {
  try {
    execFileSync('busybox', ['sh', '-c', 'true'], { stdio: 'ignore' })
    return true
  } catch {
    if (process.env.CI)
      throw new Error('busybox is not installed: .ci/run installs it for the BusyBox sh comparisons')
    return false
  }
})()
