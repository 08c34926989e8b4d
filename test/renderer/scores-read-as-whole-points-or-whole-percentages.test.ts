import { afterAll, describe, expect, test } from 'vitest'
import { quiz_attempts_left } from '../../src-renderer/src/lib/i18n/paraglide/messages.js'
import { overwriteGetLocale } from '../../src-renderer/src/lib/i18n/paraglide/runtime.js'
import { isWholePoints, passPercent, scoreText, wholePercent } from '../../src-renderer/src/lib/score-text.ts'

let locale: 'en' | 'zh-CN' = 'en'
overwriteGetLocale(() => locale)
afterAll(() => overwriteGetLocale(() => 'en'))

function zh(read: () => string): string {
  locale = 'zh-CN'
  try {
    return read()
  } finally {
    locale = 'en'
  }
}

/** A score as the lesson machine sums it: thirds of a point from retries, rounded to 1e-6. */
const sum = (...scores: number[]): number => Math.round(scores.reduce((a, b) => a + b, 0) * 1e6) / 1e6

describe('score texts', () => {
  test('whole points are counted, with the plural only where English has one', () => {
    expect(scoreText(1, 1)).toBe('1 of 1 point')
    expect(scoreText(0, 1)).toBe('0 of 1 point')
    expect(scoreText(7, 9)).toBe('7 of 9 points')
    expect(zh(() => scoreText(7, 9))).toBe('7 / 9 分')
  })

  test('a score with a fraction of a point is a whole percentage of the maximum', () => {
    // Seven questions right at once, one at the second attempt, one missed: 7⅔ of 9.
    const score = sum(1, 1, 1, 1, 1, 1, 1, 2 / 3, 0)
    expect(scoreText(score, 9)).toBe('85% of 9 points')
    expect(scoreText(2 / 3, 1)).toBe('67% of 1 point')
    expect(zh(() => scoreText(2 / 3, 1))).toBe('1 分中的 67%')
  })

  test('thirds that add up to whole points are whole points', () => {
    expect(isWholePoints(sum(1 / 3, 1 / 3, 1 / 3))).toBe(true)
    expect(scoreText(sum(2 / 3, 1 / 3, 1), 3)).toBe('2 of 3 points')
  })

  test('percentages round half up', () => {
    expect(wholePercent(2 / 3)).toBe(67)
    expect(wholePercent(1 / 3)).toBe(33)
    expect(wholePercent(0.125)).toBe(13)
  })

  test('rounding never reaches full marks or a pass mark the learner has not', () => {
    expect(wholePercent(0.996)).toBe(99)
    expect(wholePercent(1)).toBe(100)
    expect(wholePercent(0.697, 0.7)).toBe(69)
    expect(wholePercent(0.7, 0.7)).toBe(70)
    expect(passPercent(0.7)).toBe(70)
    // A pass mark of two thirds needs 66.7%: it reads as 67%, and 66.6% does not pass.
    expect(passPercent(2 / 3)).toBe(67)
    expect(wholePercent(0.666, 2 / 3)).toBe(66)
  })

  test('attempts and points left on a question read naturally too', () => {
    expect(quiz_attempts_left({ n: 1, points: 1 })).toBe('1 attempt left · 1 point')
    expect(quiz_attempts_left({ n: 2, points: 3 })).toBe('2 attempts left · 3 points')
  })
})
