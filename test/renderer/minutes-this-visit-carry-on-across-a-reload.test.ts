import { describe, expect, test } from 'vitest'
import {
  visitMinutes,
  visitStartedAt,
  type VisitStorage
} from '../../src-renderer/src/lib/state/lesson-visit.ts'

/** One tab's sessionStorage: what a reload keeps and a new tab starts without. */
class TabStorage implements VisitStorage {
  readonly #items = new Map<string, string>()
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, value)
  }
}

const minute = 60_000
const opened = Date.UTC(2026, 0, 5, 9, 0)

describe('the minutes a lesson took in this visit', () => {
  test('carry on across a reload of the tab: the lesson opened again counts from the first opening', () => {
    const tab = new TabStorage()
    expect(visitStartedAt(() => tab, 'ada', 'tour', opened)).toBe(opened)
    const afterReload = visitStartedAt(() => tab, 'ada', 'tour', opened + 25 * minute)
    expect(visitMinutes(afterReload, opened + 40 * minute)).toBe(40)
  })

  test('start again in a new tab, and separately for each lesson and each learner', () => {
    const tab = new TabStorage()
    visitStartedAt(() => tab, 'ada', 'tour', opened)
    const later = opened + 30 * minute
    expect(visitStartedAt(() => new TabStorage(), 'ada', 'tour', later)).toBe(later)
    expect(visitStartedAt(() => tab, 'ada', 'pods', later)).toBe(later)
    expect(visitStartedAt(() => tab, 'lin', 'tour', later)).toBe(later)
  })

  test('start at the opening when the storage is refused or holds something unusable', () => {
    const refused = (): VisitStorage => {
      throw new DOMException('denied', 'SecurityError')
    }
    expect(visitStartedAt(refused, 'ada', 'tour', opened)).toBe(opened)
    const tab = new TabStorage()
    tab.setItem('podnet:ada:visit:tour', 'yesterday')
    expect(visitStartedAt(() => tab, 'ada', 'tour', opened)).toBe(opened)
    // A start in the future (the clock was set back) is not a visit that lasted negative minutes.
    tab.setItem('podnet:ada:visit:tour', String(opened + 60 * minute))
    expect(visitStartedAt(() => tab, 'ada', 'tour', opened)).toBe(opened)
  })

  test('count at least one minute', () => {
    expect(visitMinutes(opened, opened + 10_000)).toBe(1)
  })
})
