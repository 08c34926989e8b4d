import { createHash } from 'node:crypto'
import { z } from 'zod'

/**
 * The exported progress file, format version 1:
 * `{ format, formatVersion, checksum: "sha256:<hex>", body }`, where the checksum is SHA-256 over
 * the body in canonical JSON (RFC 8785 style: keys sorted by UTF-16 code units, no whitespace).
 * Rows carry no learner id: every row belongs to `body.learner`. Ids are the store's own, stable
 * across machines, and are what import merges by.
 */
export const PROGRESS_FORMAT = 'podnet-lab.progress'
export const PROGRESS_FORMAT_VERSION = 1

const id = z.string().min(1).max(200)
const ms = z.number().int().nonnegative()
const score = z.number().min(0).max(1)

const progressBodySchema = z.strictObject({
  /** When the file was written (ISO 8601, UTC). */
  exportedAt: z.iso.datetime(),
  learner: z.strictObject({
    id,
    name: z.string().trim().min(1).max(64),
    createdAt: ms,
    updatedAt: ms
  }),
  lessonOpens: z.array(z.strictObject({ id, lessonId: id, openedAt: ms })),
  sessions: z.array(
    z.strictObject({
      lessonId: id,
      status: z.enum(['in-progress', 'completed']),
      /** xstate persisted snapshot, as saved. */
      snapshot: z.json(),
      contentHash: z.string().min(1),
      stepId: id,
      startedAt: ms,
      completedAt: ms.nullable(),
      score: score.nullable(),
      passed: z.boolean().nullable(),
      timeSpentMs: ms,
      updatedAt: ms
    })
  ),
  events: z.array(
    z.strictObject({ id, lessonId: id, stepId: id, kind: z.string().min(1), data: z.json(), at: ms })
  ),
  attempts: z.array(
    z.strictObject({
      id,
      lessonId: id,
      stepId: id,
      questionId: id,
      kind: z.enum(['quiz', 'prediction']),
      attemptNo: z.number().int().min(1),
      answer: z.json(),
      correct: z.boolean(),
      score,
      hintsUsed: z.number().int().nonnegative(),
      durationMs: ms,
      at: ms
    })
  ),
  hintUses: z.array(
    z.strictObject({
      id,
      lessonId: id,
      stepId: id,
      kind: z.enum(['static', 'dynamic', 'solution']),
      level: z.number().int().nonnegative(),
      at: ms
    })
  ),
  reviewItems: z.array(
    z.strictObject({
      id,
      lessonId: id,
      stepId: id,
      questionId: id,
      source: z.enum(['quiz', 'prediction']),
      easiness: z.number().min(1.3),
      repetitions: z.number().int().nonnegative(),
      intervalDays: z.number().int().nonnegative(),
      dueAt: ms,
      lastGrade: z.number().int().min(0).max(5).nullable(),
      createdAt: ms,
      updatedAt: ms
    })
  ),
  /** The learner's own settings (global settings belong to the machine and are not exported). */
  settings: z.array(z.strictObject({ key: z.string().min(1), value: z.json(), updatedAt: ms }))
})

export type ProgressBody = z.infer<typeof progressBodySchema>

export const progressFileSchema = z.strictObject({
  format: z.literal(PROGRESS_FORMAT),
  formatVersion: z.literal(PROGRESS_FORMAT_VERSION),
  checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" and 64 lowercase hex digits'),
  body: progressBodySchema
})

export type ProgressFile = z.infer<typeof progressFileSchema>

/** JSON with object keys sorted at every level and no whitespace: equal data, equal bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

export function checksumOf(body: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex')}`
}
