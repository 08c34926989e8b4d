import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from '../api/classroom-contract.ts'

/** Learner tokens carry a prefix so the host tells them from the instructor token without a lookup. */
export const LEARNER_TOKEN_PREFIX = 'pnl_'

/** 256 random bits: unguessable, so a hash without salt or stretching is enough to store it. */
export function newLearnerToken(): string {
  return `${LEARNER_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
}

export function newInstructorToken(): string {
  return randomBytes(24).toString('base64url')
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** Six characters from 31 unambiguous symbols: about 887 million codes, guessed only by brute force, which the join rate limit stops. */
function unambiguousCode(): string {
  let code = ''
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)]
  return code
}

export function newJoinCode(): string {
  return unambiguousCode()
}

/** Drawn like a join code, so learners read and type both the same way. */
export function newSeatCode(): string {
  return unambiguousCode()
}

export function newClassId(): string {
  return `cls_${randomBytes(12).toString('base64url')}`
}

/** Constant-time comparison, so response timing does not reveal how much of a token matched. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
