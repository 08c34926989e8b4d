import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { openProgressStore, type LessonTopics, type ProgressStore } from '../src-main/store/index.ts'
import type { Figure } from './figure.ts'

/**
 * Progress-store figures: step events that are each durable when the call returns, at
 * both durability levels, and the instructor's class report over a full class.
 */
const EVENTS = 10_000
const LEARNERS = 300
const LESSONS = 12
const QUESTIONS_PER_LESSON = 8

let dir = ''
/**
 * CPU milliseconds per sample, by figure: on a shared machine the wall-clock median mostly measures
 * the neighbours, so the details line shows what the store itself spent.
 */
const cpuMs = new Map<string, number[]>()

function timed<T>(figure: string, fn: () => T): { result: T; ms: number } {
  const cpu = process.cpuUsage()
  const start = performance.now()
  const result = fn()
  const ms = performance.now() - start
  const used = process.cpuUsage(cpu)
  cpuMs.set(figure, [...(cpuMs.get(figure) ?? []), (used.user + used.system) / 1000])
  return { result, ms }
}

function cpuLine(figure: string): string {
  const samples = [...(cpuMs.get(figure) ?? [])].sort((a, b) => a - b)
  const median = samples[Math.floor(samples.length / 2)] ?? Number.NaN
  return `CPU time ${median.toFixed(0)} ms (median); load average ${loadavg()[0]!.toFixed(1)} at the end`
}
const makeDir = (): void => void (dir = mkdtempSync(join(tmpdir(), 'pnl-bench-store-')))
const removeDir = (): void => rmSync(dir, { recursive: true, force: true })

/** Opens a fresh file, writes EVENTS events one call (one transaction, one commit) each, returns ms. */
function timeEvents(durability: 'normal' | 'full', run: number): number {
  const { store } = openProgressStore(join(dir, `events-${durability}-${run}.sqlite`), {
    now: Date.now,
    durability
  })
  try {
    const learner = store.profiles.create('Bench')
    return timed(`events-${durability}`, () => {
      for (let i = 0; i < EVENTS; i++) {
        store.events.append({
          learnerId: learner.id,
          lessonId: '03-vxlan',
          stepId: `step-${i % 20}`,
          kind: 'sim.commandRan',
          data: { command: 'ip route get 10.244.2.5', exitCode: 0 }
        })
      }
    }).ms
  } finally {
    store.close()
  }
}

let classStore: ProgressStore | undefined
const topicsByLesson: Record<string, LessonTopics> = {}

/** 300 learners × 12 lessons: a session, an opening and 8 first attempts (some retried) per lesson. */
function buildClass(): void {
  makeDir()
  let t = Date.UTC(2026, 8, 1)
  const { store } = openProgressStore(join(dir, 'class.sqlite'), { now: () => t })
  for (let l = 0; l < LESSONS; l++)
    topicsByLesson[`lesson-${l}`] = { topics: [`topic-${l % 5}`, `topic-${(l + 2) % 5}`] }
  store.transaction(() => {
    for (let s = 0; s < LEARNERS; s++) {
      const learnerId = store.profiles.create(`Learner ${s}`).id
      for (let l = 0; l < LESSONS; l++) {
        const lessonId = `lesson-${l}`
        t += 60_000
        store.lessonOpens.record(learnerId, lessonId)
        store.sessions.saveSnapshot({
          learnerId,
          lessonId,
          snapshot: { value: 'step-3' },
          contentHash: 'h',
          stepId: 'step-3',
          activeMsDelta: 600_000
        })
        for (let q = 0; q < QUESTIONS_PER_LESSON; q++) {
          const correct = (s + l + q) % 3 !== 0
          const attempt = {
            learnerId,
            lessonId,
            stepId: `quiz-${q}`,
            questionId: `q-${q}`,
            kind: 'quiz' as const,
            answer: [q],
            hintsUsed: 0,
            durationMs: 5000
          }
          store.attempts.record({ ...attempt, correct, score: correct ? 1 : 0 })
          if (!correct) store.attempts.record({ ...attempt, correct: true, score: 0.5 })
        }
        if ((s + l) % 4 !== 0) store.sessions.complete({ learnerId, lessonId, score: 0.8, passed: true })
      }
    }
  })
  classStore = store
}

let normalRun = 0
let fullRun = 0

const figures: Figure[] = [
  {
    name: 'store.step-events-10k.sync-normal',
    unit: 'ms',
    target: '< 1000 ms',
    runs: 5,
    setup: makeDir,
    sample: () => timeEvents('normal', normalRun++),
    teardown: removeDir,
    details: () => [
      `${EVENTS} events, one committed transaction each, WAL + synchronous=NORMAL (survives a process kill)`,
      cpuLine('events-normal')
    ]
  },
  {
    name: 'store.step-events-10k.sync-full',
    unit: 'ms',
    target: 'none',
    runs: 3,
    setup: makeDir,
    sample: () => timeEvents('full', fullRun++),
    teardown: removeDir,
    details: () => [
      'the same with synchronous=FULL (an fsync per commit; also survives power loss)',
      cpuLine('events-full')
    ]
  },
  {
    name: 'store.class-report.300x12',
    unit: 'ms',
    target: '< 50 ms',
    runs: 15,
    setup: buildClass,
    sample: () => {
      const { result, ms } = timed('class-report', () => classStore!.summary.classReport(topicsByLesson))
      if (result.length !== LEARNERS || result[0]!.lessons.length !== LESSONS) {
        throw new Error('class report is incomplete')
      }
      return ms
    },
    teardown: () => {
      classStore?.close()
      removeDir()
    },
    details: () => [
      `${LEARNERS} learners × ${LESSONS} lessons, ${QUESTIONS_PER_LESSON} questions each (~${Math.round((LEARNERS * LESSONS * QUESTIONS_PER_LESSON * 4) / 3)} attempts), with per-topic mastery`,
      cpuLine('class-report')
    ]
  }
]

export default figures
