import { execFileSync } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * iputils 20221126 answers SIGQUIT with status(): `\r`, replies/sent, the loss, and with timed
 * echoes min/avg/ewma/max in µs truncated to ms with three decimals, ewma being the running
 * average kept times 8 (`rtt += t - rtt/8`). Then it goes on; `timeout` still exits 124.
 */
const STATUS =
  /^\r(\d+)\/(\d+) packets, (\d+)% loss(?:, min\/avg\/ewma\/max = (\d+\.\d{3})\/(\d+\.\d{3})\/(\d+\.\d{3})\/(\d+\.\d{3}) ms)?\n$/

const us = (ms: string): number => Math.round(Number(ms) * 1000)

describe('ping on SIGQUIT', () => {
  test('prints the status line of the replies so far on stderr, then its echoes go on to the end', () => {
    const s = labShell()
    const r = run(s, 'node-2', 'timeout -s QUIT 2.5 ping -c 4 192.168.56.11; echo $?')
    const times = [...r.stdout.matchAll(/icmp_seq=\d+ ttl=64 time=([\d.]+) ms/g)].map((m) => us(m[1] ?? ''))
    expect(times).toHaveLength(4)
    expect(r.stdout).toContain('4 packets transmitted, 4 received, 0% packet loss')
    expect(r.stdout.endsWith('\n124\n')).toBe(true)
    const m = STATUS.exec(r.stderr)
    expect(m?.slice(1, 4)).toEqual(['3', '3', '0'])
    const seen = times.slice(0, 3)
    const ewma8 = seen.reduce((acc, t) => (acc === 0 ? t * 8 : acc + t - Math.floor(acc / 8)), 0)
    expect(m?.slice(4).map(us)).toEqual([
      Math.min(...seen),
      Math.floor(seen.reduce((a, b) => a + b, 0) / seen.length),
      Math.floor(ewma8 / 8),
      Math.max(...seen)
    ])
  })

  test('without replies the line has the loss only', () => {
    const s = labShell()
    const r = run(s, 'node-2', 'timeout -s QUIT 1.5 ping -c 3 192.168.56.99')
    expect(r.stderr).toBe('\r0/2 packets, 100% loss\n')
    expect(r.stdout).toContain('3 packets transmitted, 0 received, +3 errors, 100% packet loss')
    expect(r.exitCode).toBe(124)
  })
})

const canMakeNamespaces = (() => {
  try {
    execFileSync('ip', ['netns', 'add', 'pnl-quit-probe'], { stdio: 'ignore' })
    execFileSync('ip', ['netns', 'del', 'pnl-quit-probe'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

describe.runIf(canMakeNamespaces)('real iputils ping on SIGQUIT', () => {
  test('writes the same status line shape and goes on', () => {
    const ns = `pnl-quit-${process.pid}`
    execFileSync('ip', ['netns', 'add', ns])
    try {
      execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
      let stderr = ''
      let stdout = ''
      try {
        stdout = execFileSync(
          'ip',
          ['netns', 'exec', ns, 'timeout', '-s', 'QUIT', '1.5', 'ping', '-c', '4', '-i', '1', '127.0.0.1'],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }
        )
      } catch (e) {
        const err = e as { stdout: string; stderr: string; status: number }
        expect(err.status).toBe(124)
        stdout = err.stdout
        stderr = err.stderr
      }
      expect(stdout).toContain('4 packets transmitted, 4 received, 0% packet loss')
      // How many echoes went out before the signal depends on how fast a busy machine starts
      // ping; the line's shape and that every one was answered do not. timeout signals the
      // child and then its whole process group, so ping may get QUIT twice and say it twice.
      const lines = stderr.split(/(?<=\n)/)
      expect(lines.length, stderr).toBeGreaterThanOrEqual(1)
      expect(new Set(lines).size, stderr).toBe(1)
      const [sent, received, loss] = (STATUS.exec(lines[0]!)?.slice(1, 4) ?? []).map(Number)
      expect(sent).toBeGreaterThanOrEqual(1)
      expect(sent).toBeLessThanOrEqual(3)
      expect([received, loss]).toEqual([sent, 0])
    } finally {
      execFileSync('ip', ['netns', 'del', ns])
    }
  })
})
