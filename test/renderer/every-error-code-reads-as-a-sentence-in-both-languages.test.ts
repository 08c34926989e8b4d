import { afterAll, describe, expect, test } from 'vitest'
import { apiErrorCodes } from '../../src-main/api/envelope.ts'
import { ApiCallError, errorText, type CallErrorCode } from '../../src-renderer/src/lib/api-error.ts'
import { overwriteGetLocale } from '../../src-renderer/src/lib/i18n/paraglide/runtime.js'

let locale: 'en' | 'zh-CN' = 'en'
overwriteGetLocale(() => locale)
afterAll(() => overwriteGetLocale(() => 'en'))

function inEach(read: () => string): { en: string; zh: string } {
  locale = 'en'
  const en = read()
  locale = 'zh-CN'
  const zh = read()
  locale = 'en'
  return { en, zh }
}

const han = /\p{Script=Han}/u
/** What a scenario file's validation says: the detail the learner needs to fix the file. */
const validation = 'scenario.yaml: pods[3].node: no node named "node-9"'

describe('error texts', () => {
  // The host's codes as the contract lists them, and the renderer's own for a call that got no answer.
  const codes: CallErrorCode[] = [...apiErrorCodes, 'network']

  test.each(codes)('%s has a sentence of its own in English and in Chinese', (code) => {
    const error = new ApiCallError(code, validation, 30)
    const { en, zh } = inEach(() => errorText(error))
    expect(en).not.toMatch(han)
    expect(zh, 'zh-CN falls back to another language').toMatch(han)
    for (const text of [en, zh]) expect(text).not.toBe(validation)
  })

  test('no two codes share a sentence', () => {
    const texts = codes.map((code) => inEach(() => errorText(new ApiCallError(code, validation, 30))).en)
    expect(new Set(texts).size).toBe(codes.length)
  })

  test('the field the host named is kept inside the localised sentence', () => {
    const { en, zh } = inEach(() => errorText(new ApiCallError('invalid_input', validation)))
    expect(en).toContain(validation)
    expect(zh).toContain(validation)
    expect(zh.replace(validation, '')).toMatch(han)
  })

  test('a rate limit says how long to wait, in the learner’s grammar', () => {
    const wait = (seconds: number): { en: string; zh: string } =>
      inEach(() => errorText(new ApiCallError('rate_limited', 'too many join attempts', seconds)))
    expect(wait(1).en).toMatch(/\bWait 1 second,/)
    expect(wait(30).en).toMatch(/\bWait 30 seconds,/)
    expect(wait(30).zh).toContain('30 秒')
  })

  test('a call that never reached the host does not pass on the browser’s words', () => {
    const error = new ApiCallError('network', 'TypeError: Failed to fetch')
    const { en, zh } = inEach(() => errorText(error))
    for (const text of [en, zh]) expect(text).not.toMatch(/Failed to fetch|unreachable|TypeError/)
  })

  test('the internals behind an internal error stay in the host’s log', () => {
    const error = new ApiCallError('internal', 'SQLITE_CORRUPT: database disk image is malformed')
    const { en, zh } = inEach(() => errorText(error))
    for (const text of [en, zh]) expect(text).not.toContain('SQLITE')
  })

  test('an error’s message is already the learner’s sentence; the host’s words stay its detail', () => {
    const error = new ApiCallError('lesson_locked', 'lessonId: lesson "tour" is locked in this class')
    expect(error.message).toBe(errorText(error))
    expect(error.detail).toBe('lessonId: lesson "tour" is locked in this class')
  })

  test('a fault in the page itself is still a sentence of the app', () => {
    const { en, zh } = inEach(() => errorText(new TypeError('x is undefined')))
    expect(en).toMatch(/^Something went wrong on this page: x is undefined$/)
    expect(zh).toMatch(han)
  })
})
