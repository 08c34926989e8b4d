import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { afterAll, describe, expect, test } from 'vitest'
import { fixtureScenario } from '../core/sim-lab.ts'
import { labPlanFromScenario } from './lab-plan.ts'
import { claimNetnsPrefix, lockFile } from './netns-prefix.ts'
import { RealLab, realLabUnavailable } from './real-lab.ts'

/**
 * Two runs of the same conformance file at once (two worktrees, or CI and a developer on one
 * machine): each builds its lab under a prefix of its own, and neither's clean-up touches the
 * other's namespaces. A run killed before its clean-up leaves namespaces the next run removes.
 */

const BASE = 'pnl-ccx'
const unavailable = realLabUnavailable()
const title = 'two runs of one lab build and tear down side by side'

const namespacesOf = (prefix: string): string[] =>
  readdirSync('/run/netns').filter((n) => n === prefix || n.startsWith(`${prefix}-`))

if (unavailable) {
  if (process.env.CI)
    throw new Error(`${title}: CI is set but real namespaces cannot be built: ${unavailable}`)
  console.warn(`${title} skipped: ${unavailable}`)
}

describe.skipIf(unavailable !== undefined)(title, () => {
  const plan = labPlanFromScenario(fixtureScenario('two-node-vxlan'))
  const first = new RealLab(plan, BASE)
  const second = new RealLab(plan, BASE)

  afterAll(async () => {
    await Promise.all([first.down(), second.down()])
  }, 60_000)

  test('both come up at once, each under its own prefix, and each reaches across its own lab', async () => {
    await Promise.all([first.up(), second.up()])
    expect(first.prefix).not.toBe(second.prefix)
    for (const lab of [first, second]) {
      expect(namespacesOf(lab.prefix).sort()).toEqual(plan.hosts.map((h) => `${lab.prefix}-${h.name}`).sort())
      expect((await lab.exec('node-1', 'ping -c 1 -W 2 192.168.56.12')).exitCode).toBe(0)
    }
  }, 180_000)

  test("one's tear-down leaves the other's lab whole and working", async () => {
    await first.down()
    expect(namespacesOf(first.prefix)).toEqual([])
    expect(namespacesOf(second.prefix)).toHaveLength(plan.hosts.length)
    expect((await second.exec('node-1', 'ping -c 1 -W 2 192.168.56.12')).exitCode).toBe(0)
    await second.down()
    expect(namespacesOf(second.prefix)).toEqual([])
  }, 120_000)

  test('the namespaces of a run killed before its clean-up go at the next claim', async () => {
    const module = new URL('./netns-prefix.ts', import.meta.url).pathname
    const killed = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { execFileSync } from 'node:child_process'
         import { claimNetnsPrefix } from ${JSON.stringify(module)}
         const { prefix } = await claimNetnsPrefix(${JSON.stringify(BASE)})
         execFileSync('ip', ['netns', 'add', prefix + '-left'])
         console.log(prefix)
         setInterval(() => undefined, 1000)`
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    )
    const prefix = await new Promise<string>((resolve) =>
      killed.stdout.setEncoding('utf8').once('data', (d: string) => resolve(d.trim()))
    )
    expect(existsSync(`/run/netns/${prefix}-left`)).toBe(true)
    const ended = new Promise((resolve) => killed.on('exit', resolve))
    killed.kill('SIGKILL')
    await ended
    // Its lock ends when the lock's holder has seen the pipe close, a moment after.
    spawnSync('flock', ['-w', '10', lockFile(prefix), 'true'])
    const next = await claimNetnsPrefix(BASE)
    next.release()
    expect(existsSync(`/run/netns/${prefix}-left`)).toBe(false)
  }, 60_000)
})
