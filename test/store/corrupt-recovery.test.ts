import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openProgressStore, type RecoveryReason } from '../../src-main/store/index.ts'
import { fakeClock, seedLearner, tempDir } from './helpers.ts'

/** A real store with enough rows to span many pages, closed so everything is in the main file. */
function writeRealStore(file: string): void {
  const clock = fakeClock()
  const { store } = openProgressStore(file, { now: clock.now })
  const id = seedLearner(store, clock)
  for (let i = 0; i < 500; i++) {
    store.events.append({
      learnerId: id,
      lessonId: '01-pods',
      stepId: 'intro',
      kind: 'pad',
      data: 'x'.repeat(200)
    })
  }
  store.close()
}

const damages: { name: string; reason: RecoveryReason; damage: (file: string) => void }[] = [
  {
    name: 'random bytes',
    reason: 'not-a-database',
    damage: (file) => writeFileSync(file, randomBytes(64 * 1024))
  },
  {
    name: 'a truncated database',
    reason: 'corrupt',
    damage: (file) => {
      writeRealStore(file)
      truncateSync(file, Math.floor(statSync(file).size / 2))
    }
  },
  {
    name: 'a file that is not a database',
    reason: 'not-a-database',
    damage: (file) => writeFileSync(file, 'These are my notes about veth pairs.\n'.repeat(200))
  },
  {
    name: 'a directory in its place',
    reason: 'directory',
    damage: (file) => {
      mkdirSync(file)
      writeFileSync(join(file, 'keep-me.txt'), 'mine')
    }
  }
]

describe('a damaged store at start', () => {
  for (const { name, reason, damage } of damages) {
    it(`sets ${name} aside with a timestamp, reports it, and starts a fresh store`, () => {
      const file = join(tempDir(), 'progress.sqlite')
      damage(file)
      const isDir = statSync(file).isDirectory()
      const original = isDir ? null : readFileSync(file)
      const clock = fakeClock()

      const { store, recovered } = openProgressStore(file, { now: clock.now })
      expect(recovered).toEqual({
        movedTo: `${file}.damaged-20261125T090000000Z`,
        reason,
        detail: expect.any(String) as string
      })
      if (isDir) expect(readFileSync(join(recovered!.movedTo, 'keep-me.txt'), 'utf8')).toBe('mine')
      else expect(readFileSync(recovered!.movedTo).equals(original!)).toBe(true)

      expect(store.integrityCheck()).toEqual(['ok'])
      store.profiles.create('Fresh start')
      store.close()
      const reopened = openProgressStore(file, { now: clock.now })
      expect(reopened.recovered).toBeNull()
      expect(reopened.store.profiles.list().map((p) => p.name)).toEqual(['Fresh start'])
      reopened.store.close()
    })
  }

  it('never overwrites an earlier set-aside file from the same instant', () => {
    const file = join(tempDir(), 'progress.sqlite')
    const clock = fakeClock()
    writeFileSync(file, 'first damage')
    const a = openProgressStore(file, { now: clock.now })
    a.store.close()
    writeFileSync(file, 'second damage, same millisecond')
    const b = openProgressStore(file, { now: clock.now })
    b.store.close()
    expect(b.recovered!.movedTo).toBe(`${a.recovered!.movedTo}-2`)
    expect(readFileSync(a.recovered!.movedTo, 'utf8')).toBe('first damage')
  })

  it('does not set aside a healthy store', () => {
    const file = join(tempDir(), 'progress.sqlite')
    writeRealStore(file)
    const { store, recovered } = openProgressStore(file, { now: Date.now })
    expect(recovered).toBeNull()
    expect(store.profiles.list().map((p) => p.name)).toEqual(['Ada'])
    store.close()
  })
})
