import { describe, expect, it } from 'vitest'
import { loadCourse } from '../../src-main/core/lesson/course-loader.ts'
import {
  activitySeconds,
  ESTIMATE,
  estimateMinutes,
  readingSeconds,
  solutionSeconds
} from '../../src-main/core/lesson/estimate.ts'
import { lessonSchema, type Step } from '../../src-main/core/lesson/lesson.schema.ts'
import type { ProseSections } from '../../src-main/core/lesson/markdown-sections.ts'
import { lessonFilesFromDir } from '../../src-main/api/lesson-files.ts'
import { LESSONS_DIR, loadTour } from './tour-lesson.ts'

const t = (en: string, zh = '中文'): { en: string; 'zh-CN': string } => ({ en, 'zh-CN': zh })
const words = (n: number): string => Array.from({ length: n }, (_, i) => `word${i}`).join(' ')
const han = (n: number): string => '网'.repeat(n)

function lessonWith(steps: unknown[], extra: Record<string, unknown> = {}) {
  return lessonSchema.parse({
    formatVersion: 1,
    id: 'timed',
    title: t('Timed'),
    summary: t('Timed'),
    objectives: [t('test')],
    topics: ['test'],
    steps,
    ...extra
  })
}

const proseOf = (en: string, zh: string): Record<'en' | 'zh-CN', ProseSections> => ({
  en: { intro: words(5000), sections: { one: en } },
  'zh-CN': { intro: han(5000), sections: { one: zh } }
})

describe('reading time', () => {
  it('reads English by the word and Chinese by the character, each at its own rate', () => {
    expect(readingSeconds(words(ESTIMATE.englishWordsPerMinute))).toBeCloseTo(60)
    expect(readingSeconds(han(ESTIMATE.chineseCharactersPerMinute))).toBeCloseTo(60)
    // Commands and names inside Chinese prose are read as words.
    expect(readingSeconds(`${han(ESTIMATE.chineseCharactersPerMinute)} ${words(200)}`)).toBeCloseTo(120)
    expect(readingSeconds('ip addr on 10.244.1.2, cni0 and node-1/flannel.1')).toBeCloseTo((7 / 200) * 60)
  })
})

describe('the estimate of a lesson', () => {
  it('is the prose of each locale at its reading rate; the introduction, which no step shows, does not count', () => {
    const lesson = lessonWith([{ id: 'one', kind: 'read', title: t('One', '一') }])
    const minutes = estimateMinutes(lesson, proseOf(words(2000), han(2400)))
    expect(minutes).toEqual({ en: 10, 'zh-CN': 6 })
  })

  it('adds the work each step asks for: questions, predictions, tasks with their commands, traces', () => {
    const task: Step = lessonWith([
      {
        id: 'one',
        kind: 'task',
        title: t('One'),
        goal: { kind: 'link-state', link: 'node-1/cni0', state: 'down' },
        solution: [{ on: 'node-1', run: 'ip link set cni0 down' }, { trace: { from: 'client', to: 'web-1' } }]
      }
    ]).steps[0] as Step
    const { keystrokeSeconds: k, pointSeconds: p, clickSeconds: c, prepareSeconds: m } = ESTIMATE
    expect(solutionSeconds({ on: 'node-1', run: 'ip link set cni0 down' })).toBeCloseTo(
      m + p + c + k * 22 + ESTIMATE.readOutputSeconds
    )
    expect(activitySeconds(task)).toBeCloseTo(
      ESTIMATE.taskSeconds +
        solutionSeconds({ on: 'node-1', run: 'ip link set cni0 down' }) +
        solutionSeconds({ trace: { from: 'client', to: 'web-1', protocol: 'icmp' } })
    )
    const question = (id: string) => ({
      id,
      kind: 'numeric',
      prompt: t('q'),
      explanation: t('e'),
      answer: 1
    })
    const quiz = lessonWith([
      { id: 'one', kind: 'quiz', title: t('One'), questions: [question('a'), question('b'), question('c')] }
    ]).steps[0] as Step
    expect(activitySeconds(quiz)).toBe(3 * ESTIMATE.questionSeconds)
    const trace = lessonWith([
      {
        id: 'one',
        kind: 'trace',
        title: t('One'),
        trace: { from: 'client', to: 'web-1' },
        questions: [{ hop: 'node-1/cni0', question: question('a') }]
      }
    ]).steps[0] as Step
    expect(activitySeconds(trace)).toBe(ESTIMATE.traceSeconds + ESTIMATE.questionSeconds)

    // Twenty quiz questions take five more minutes than none, in either language.
    const many = lessonWith([
      {
        id: 'one',
        kind: 'quiz',
        title: t('One'),
        questions: Array.from({ length: 20 }, (_, i) => question(`q${i}`))
      }
    ])
    const read = lessonWith([{ id: 'one', kind: 'read', title: t('One') }])
    const prose = proseOf(words(1000), han(2000))
    const more = estimateMinutes(many, prose)
    const less = estimateMinutes(read, prose)
    expect(more.en - less.en).toBeGreaterThanOrEqual(Math.floor((20 * ESTIMATE.questionSeconds) / 60))
    expect(more['zh-CN'] - less['zh-CN']).toBeGreaterThanOrEqual(
      Math.floor((20 * ESTIMATE.questionSeconds) / 60)
    )
  })

  it('ignores a hand-written estimatedMinutes, which older lessons may still carry', () => {
    const steps = [{ id: 'one', kind: 'read', title: t('One') }]
    const prose = proseOf(words(600), han(1200))
    expect(estimateMinutes(lessonWith(steps, { estimatedMinutes: 45 }), prose)).toEqual(
      estimateMinutes(lessonWith(steps), prose)
    )
  })

  it('gives the tour far less than the 20 minutes it used to claim, and about the same in both languages', () => {
    const tour = loadTour()
    const minutes = estimateMinutes(tour.lesson, tour.prose)
    expect(minutes.en).toBeLessThan(15)
    expect(minutes.en).toBeGreaterThanOrEqual(5)
    expect(Math.abs(minutes.en - minutes['zh-CN'])).toBeLessThanOrEqual(2)
  })

  it('keeps every course lesson within a fifth between its English and Chinese estimates', () => {
    for (const entry of loadCourse(lessonFilesFromDir(LESSONS_DIR)).lessons) {
      if (entry.status !== 'available') throw new Error(`${entry.dir} did not load`)
      const { en, 'zh-CN': zh } = estimateMinutes(entry.lesson.lesson, entry.lesson.prose)
      expect({ dir: entry.dir, close: Math.abs(en - zh) <= Math.max(2, en / 5) }).toEqual({
        dir: entry.dir,
        close: true
      })
    }
  })
})
