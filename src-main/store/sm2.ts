/** The scheduling state SM-2 keeps per review item. */
export interface Sm2State {
  /** E-Factor, never below 1.3; new items start at 2.5. */
  easiness: number
  /** Successful reviews in a row (grade >= 3). */
  repetitions: number
  /** Days until the next review. */
  intervalDays: number
}

export const initialSm2: Sm2State = { easiness: 2.5, repetitions: 0, intervalDays: 0 }

/**
 * One SM-2 step (Wozniak 1990) for a grade 0–5. A grade below 3 restarts the repetitions and
 * keeps the E-Factor, as the original algorithm says; the learner sees the item again tomorrow.
 */
export function sm2(state: Sm2State, grade: number): Sm2State {
  if (!Number.isInteger(grade) || grade < 0 || grade > 5) {
    throw new RangeError(`SM-2 grade must be an integer 0–5, got ${grade}`)
  }
  if (grade < 3) return { easiness: state.easiness, repetitions: 0, intervalDays: 1 }
  const intervalDays =
    state.repetitions === 0
      ? 1
      : state.repetitions === 1
        ? 6
        : Math.round(state.intervalDays * state.easiness)
  const easiness = Math.max(1.3, state.easiness + (0.1 - (5 - grade) * (0.08 + (5 - grade) * 0.02)))
  return { easiness, repetitions: state.repetitions + 1, intervalDays }
}
