import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { openProgressStore } from '../../src-main/store/index.ts'
import { tempDir } from './helpers.ts'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const writer = fileURLToPath(new URL('./child/write-until-killed.ts', import.meta.url))
const TRIALS = 50

interface Trial {
  delayMs: number
  fromStart: boolean
  acknowledged: { events: string[]; attempts: string[] }
}

/**
 * Runs the writer until a random moment, then SIGKILLs it. Every fifth trial counts the delay from
 * the spawn, so some kills land while the store is still opening or migrating; the others count it
 * from the first acknowledged write, so most land mid-write.
 */
function runTrial(file: string, index: number): Promise<Trial> {
  const fromStart = index % 5 === 0
  const delayMs = Math.floor(Math.random() * (fromStart ? 900 : 250))
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, file], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    let err = ''
    let timer: NodeJS.Timeout | undefined
    const kill = (): void => void child.kill('SIGKILL')
    if (fromStart) timer = setTimeout(kill, delayMs)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      if (!fromStart && timer === undefined && /^event /m.test(out)) timer = setTimeout(kill, delayMs)
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer exited by itself (code ${code}): ${err}`))
        return
      }
      // Only whole lines are acknowledgements: a line cut by the kill was never fully printed.
      const lines = out.split('\n').slice(0, -1)
      resolve({
        delayMs,
        fromStart,
        acknowledged: {
          events: lines.filter((l) => l.startsWith('event ')).map((l) => l.slice(6)),
          attempts: lines.filter((l) => l.startsWith('attempt ')).map((l) => l.slice(8))
        }
      })
    })
  })
}

/** Kills writers on one file again and again, checking after each kill; returns what it saw. */
async function runLane(
  lane: number,
  trials: number
): Promise<{ events: number; attempts: number; earlyKills: number }> {
  const file = join(tempDir(), `progress-${lane}.sqlite`)
  const events = new Set<string>()
  const attempts = new Set<string>()
  let earlyKills = 0
  for (let i = 0; i < trials; i++) {
    const trial = await runTrial(file, i)
    trial.acknowledged.events.forEach((id) => events.add(id))
    trial.acknowledged.attempts.forEach((id) => attempts.add(id))
    if (trial.acknowledged.events.length === 0) earlyKills++

    const { store, recovered } = openProgressStore(file, { now: Date.now })
    try {
      const context = `lane ${lane} trial ${i} (killed ${trial.delayMs} ms after ${trial.fromStart ? 'spawn' : 'first write'})`
      expect(recovered, context).toBeNull()
      expect(store.integrityCheck(), context).toEqual(['ok'])
      const learner = store.profiles.list()[0]
      if (!learner) {
        expect(events.size, context).toBe(0)
        continue
      }
      const storedEvents = new Set(store.events.list(learner.id).map((e) => e.id))
      const storedAttempts = store.attempts.list(learner.id)
      const storedAttemptIds = new Set(storedAttempts.map((a) => a.id))
      const queued = new Set(store.review.list(learner.id).map((r) => r.questionId))
      expect(
        [...events].filter((id) => !storedEvents.has(id)),
        context
      ).toEqual([])
      expect(
        [...attempts].filter((id) => !storedAttemptIds.has(id)),
        context
      ).toEqual([])
      // Atomicity of the two-row write: no attempt without its review item, acknowledged or not.
      expect(
        storedAttempts.filter((a) => !queued.has(a.questionId)),
        context
      ).toEqual([])
    } finally {
      store.close()
    }
  }
  return { events: events.size, attempts: attempts.size, earlyKills }
}

describe('durability under SIGKILL', () => {
  it(`keeps every acknowledged write across ${TRIALS} random kills, and the file stays sound`, async () => {
    // Five files side by side, ten kills each: the same 50 trials in a fraction of the wall time.
    const lanes = await Promise.all([0, 1, 2, 3, 4].map((lane) => runLane(lane, TRIALS / 5)))
    const total = (key: 'events' | 'attempts' | 'earlyKills'): number => lanes.reduce((n, l) => n + l[key], 0)
    console.info(
      `kill test: ${TRIALS} SIGKILL trials; ${total('events')} acknowledged events and ${total('attempts')} acknowledged attempts, all present after reopening; integrity_check ok every time; ${total('earlyKills')} kills landed before the first write`
    )
    expect(total('events')).toBeGreaterThan(TRIALS)
  }, 300_000)
})
