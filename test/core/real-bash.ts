import { execFileSync } from 'node:child_process'

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
  try {
    const stdout = execFileSync(program, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' }
    })
    return { stdout, stderr: '', exitCode: 0 }
  } catch (e) {
    const err = e as { stdout: string; stderr: string; status: number }
    return { stdout: err.stdout, stderr: err.stderr, exitCode: err.status }
  }
}

export const hasBash = (() => {
  try {
    execFileSync('bash', ['-c', 'seq 1 | grep -c 1'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

export const hasBusybox = (() => {
  try {
    execFileSync('busybox', ['sh', '-c', 'true'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
