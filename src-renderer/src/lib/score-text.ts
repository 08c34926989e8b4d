// The compiled messages themselves rather than i18n/index.ts: no reactive state here, so the rule
// can be tested outside Svelte's compiler.
import * as m from './i18n/paraglide/messages.js'

/**
 * How a learner reads a score. Retries cost a third of a question's points and partly right
 * answers earn a share, so raw scores such as 7.33 are common; a third of a point means nothing
 * to a learner. The rule, everywhere a score is shown:
 *
 * - a whole number of points is shown as points ("7 of 9 points", "1 of 1 point");
 * - anything else as the whole percentage of the maximum ("81% of 9 points");
 * - percentages are rounded half up, except that rounding never reaches a mark the learner has
 *   not: 99.6% shows as 99%, and a score just under the pass mark shows under it.
 */

/** Below this, a difference is the floating point of summed thirds, not a score. */
const epsilon = 1e-6

/** The pass mark as the learner reads it: a fraction of a percent more is still needed. */
export function passPercent(passScore: number): number {
  return Math.ceil(passScore * 100 - epsilon)
}

/** A 0..1 score as a whole percentage; with `passScore`, never shown at a pass mark not reached. */
export function wholePercent(fraction: number, passScore?: number): number {
  let percent = Math.round(fraction * 100)
  if (fraction < 1 - epsilon) percent = Math.min(percent, 99)
  if (passScore !== undefined && fraction < passScore - epsilon)
    percent = Math.min(percent, passPercent(passScore) - 1)
  return Math.max(0, percent)
}

/** Whether a score is a whole number of points (up to the floating point of summed thirds). */
export function isWholePoints(score: number): boolean {
  return Math.abs(score - Math.round(score)) < epsilon
}

/** Points earned of the maximum, in the current language, by the rule above. */
export function scoreText(score: number, maxScore: number): string {
  if (isWholePoints(score)) return m.score_points({ score: Math.round(score), max: maxScore })
  const fraction = maxScore === 0 ? 1 : score / maxScore
  return m.score_percent({ percent: wholePercent(fraction), max: maxScore })
}
