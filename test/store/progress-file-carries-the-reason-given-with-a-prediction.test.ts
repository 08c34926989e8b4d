import { describe, expect, it } from 'vitest'
import type { ProgressStore } from '../../src-main/store/index.ts'
import { checksumOf } from '../../src-main/store/progress-file.ts'
import { openTempStore, seedLearner } from './helpers.ts'

interface ParsedFile {
  formatVersion: number
  checksum: string
  body: { attempts: Record<string, unknown>[] } & Record<string, unknown>
}

/** Ada predicts where a packet goes and picks the reason the lesson asks for. */
function predictWithReason(store: ProgressStore, learnerId: string): void {
  store.attempts.record({
    learnerId,
    lessonId: '02-bridge',
    stepId: 'predict-arp',
    questionId: 'p-arp',
    kind: 'prediction',
    answer: 'dropped',
    justification: 'no-route',
    correct: false,
    score: 0,
    hintsUsed: 0,
    durationMs: 5100
  })
}

const reasons = (store: ProgressStore, learnerId: string): (string | null)[] =>
  store.attempts.list(learnerId).map((a) => a.justification)

describe('the progress file carries the reason a learner gave with a prediction', () => {
  it('export → import into a fresh store keeps the reason beside its prediction', () => {
    const home = openTempStore()
    const id = seedLearner(home.store, home.clock)
    predictWithReason(home.store, id)
    expect(reasons(home.store, id)).toEqual([null, null, 'no-route'])

    const school = openTempStore()
    const report = school.store.importProgress(home.store.exportProgress(id))

    expect(report.changes.attempts).toBe(3)
    expect(reasons(school.store, id)).toEqual([null, null, 'no-route'])
    expect(school.store.attempts.list(id)).toEqual(home.store.attempts.list(id))
  })

  it('a file written before attempts carried a reason still imports, its attempts without one', () => {
    const home = openTempStore()
    const id = seedLearner(home.store, home.clock)
    const file = JSON.parse(home.store.exportProgress(id)) as ParsedFile
    expect(file.body.attempts.some((a) => 'justification' in a)).toBe(false)
    const version3 = JSON.stringify({ ...file, formatVersion: 3, checksum: checksumOf(file.body) })

    const school = openTempStore()
    expect(school.store.importProgress(version3).changes.attempts).toBe(2)
    expect(reasons(school.store, id)).toEqual([null, null])
  })

  it('a version-3 file that names a reason is refused: that version never wrote one', () => {
    const home = openTempStore()
    const id = seedLearner(home.store, home.clock)
    predictWithReason(home.store, id)
    const file = JSON.parse(home.store.exportProgress(id)) as ParsedFile
    const version3 = JSON.stringify({ ...file, formatVersion: 3, checksum: checksumOf(file.body) })

    const school = openTempStore()
    expect(() => school.store.importProgress(version3)).toThrow(/body\.attempts\[2\]: .*justification/)
  })
})
