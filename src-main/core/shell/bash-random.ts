/**
 * bash 5.2's `$RANDOM` once a script seeds it (`RANDOM=N`): the Park–Miller minimal standard
 * generator on a 32-bit seed, folded to 15 bits as compatibility level 51 and later do, never
 * giving the same number twice in a row. Seeding is what makes a sequence repeatable, so a
 * learner comparing with a real bash sees the same numbers.
 */
export interface BashRandom {
  seed: number
  last: number
}

const MODULUS = 0x7fffffff

/** A generator `RANDOM=N` seeded: bash keeps the seed as an unsigned 32-bit number. */
export function seededBashRandom(seed: bigint): BashRandom {
  return { seed: Number(BigInt.asUintN(32, seed)), last: 0 }
}

function nextSeed(last: number): number {
  // A zero seed would stay zero; bash swaps in a fixed one.
  const x = last === 0 ? 123459876 : last
  const high = Math.floor(x / 127773)
  const low = x - 127773 * high
  const t = 16807 * low - 2836 * high
  return t < 0 ? t + MODULUS : t
}

export function nextBashRandom(state: BashRandom): number {
  let value: number
  do {
    state.seed = nextSeed(state.seed)
    value = ((state.seed >>> 16) ^ (state.seed & 0xffff)) & 0x7fff
  } while (value === state.last)
  state.last = value
  return value
}

/**
 * The seed an assignment to RANDOM gives: RANDOM has the integer attribute, so bash evaluates
 * the value as a number: decimal, `0x` hex or leading-zero octal, with a sign and blanks around
 * it; an empty value is 0. Anything else is an arithmetic expression the lab does not evaluate,
 * and the seed stays as it was.
 */
export function randomSeedOf(value: string): bigint | undefined {
  const m = /^[ \t\n]*(?:([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*))?[ \t\n]*$/.exec(value)
  if (!m) return undefined
  const digits = m[2] ?? '0'
  const magnitude = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits)
  return m[1] === '-' ? -magnitude : magnitude
}
