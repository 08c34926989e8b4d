import { describe, expect, test } from 'vitest'
import { pack_imported } from '../../src-renderer/src/lib/i18n/paraglide/messages.js'
import { inEach } from './localised-refusal.ts'

describe('a pack import counts its lessons with each language’s plural rule', () => {
  test('one lesson, several lessons', () => {
    expect(inEach(() => pack_imported({ count: 1 }))).toEqual({
      en: 'Imported 1 lesson.',
      zh: '已导入 1 门课程。'
    })
    expect(inEach(() => pack_imported({ count: 3 }))).toEqual({
      en: 'Imported 3 lessons.',
      zh: '已导入 3 门课程。'
    })
  })
})
