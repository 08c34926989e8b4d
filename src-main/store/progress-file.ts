import { createHash } from 'node:crypto'
import { z } from 'zod'
import { splitLegacySnapshot } from './migrations.ts'

/**
 * The exported progress file, format version 4:
 * `{ format, formatVersion, checksum: "sha256:<hex>", body }`, where the checksum is SHA-256 over
 * the body in canonical JSON (RFC 8785 style: keys sorted by UTF-16 code units, no whitespace).
 * Rows carry no learner id: every row belongs to `body.learner`. Ids are the store's own, stable
 * across machines, and are what import merges by.
 *
 * Version 2 added each session's lab `journal` (entries with their positions); a version-1 file
 * kept the journal inside the session's `snapshot` and is still read (see `upgradeBody`).
 * Version 3 has the same shape; it says the file was written after lesson `services-clusterip`
 * was split, so a version 1 or 2 file still holds the second half's progress under the old
 * lesson, and its import splits it as migration 11 split the store (transfer.ts).
 * Version 4 adds an attempt's optional `justification`, the reason picked with a prediction; the
 * number changes so that a version-3 app refuses such a file as newer instead of losing the reason.
 */
export const PROGRESS_FORMAT = 'podnet-lab.progress'
export const PROGRESS_FORMAT_VERSION = 4
/** The first version written after lesson `services-clusterip` lost its second half. */
export const SPLIT_LESSON_FORMAT_VERSION = 3

const id = z.string().min(1).max(200)
const ms = z.number().int().nonnegative()
const score = z.number().min(0).max(1)

/** A session as version 1 wrote it; its snapshot may still hold the lab journal inline. */
const sessionV1Schema = z.strictObject({
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

/** An attempt as versions 1 to 3 wrote it, without the reason given with a prediction. */
const attemptV1Schema = z.strictObject({
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

/** Version 1's body; frozen, so that old files keep importing. */
const progressBodyV1Schema = z.strictObject({
  /** When the file was written (ISO 8601, UTC). */
  exportedAt: z.iso.datetime(),
  learner: z.strictObject({
    id,
    name: z.string().trim().min(1).max(64),
    createdAt: ms,
    updatedAt: ms
  }),
  lessonOpens: z.array(z.strictObject({ id, lessonId: id, openedAt: ms })),
  sessions: z.array(sessionV1Schema),
  events: z.array(
    z.strictObject({ id, lessonId: id, stepId: id, kind: z.string().min(1), data: z.json(), at: ms })
  ),
  attempts: z.array(attemptV1Schema),
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

/** One lab journal row; positions are unique within the session, in any order in the file. */
const journalEntrySchema = z.strictObject({
  position: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** What the lab host appended (a command or a trace), as saved. */
  entry: z.json(),
  status: z.enum(['ok', 'stopped'])
})

/** Versions 2 and 3: each session carries its lab journal beside (no longer inside) its snapshot. */
const progressBodyV2Schema = progressBodyV1Schema.extend({
  sessions: z.array(
    sessionV1Schema.extend({
      /** The machine's persisted snapshot; the lab journal is in `journal`. */
      snapshot: z.json(),
      journal: z.array(journalEntrySchema)
    })
  )
})

/** Version 4: a prediction's attempt keeps the reason option the learner picked with it. */
const progressBodySchema = progressBodyV2Schema.extend({
  attempts: z.array(attemptV1Schema.extend({ justification: id.optional() }))
})

export type ProgressBody = z.infer<typeof progressBodySchema>
type ProgressBodyV1 = z.infer<typeof progressBodyV1Schema>

const checksum = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" and 64 lowercase hex digits')

export const progressFileSchema = z.strictObject({
  format: z.literal(PROGRESS_FORMAT),
  formatVersion: z.literal(PROGRESS_FORMAT_VERSION),
  checksum,
  body: progressBodySchema
})

const progressFileV2Schema = progressFileSchema.extend({
  formatVersion: z.literal([2, 3]),
  body: progressBodyV2Schema
})

const progressFileV1Schema = z.strictObject({
  format: z.literal(PROGRESS_FORMAT),
  formatVersion: z.literal(1),
  checksum,
  body: progressBodyV1Schema
})

export type ProgressFile = z.infer<typeof progressFileSchema>

/**
 * Checks a parsed file against the schema of the version it declares (the latest for anything
 * else, which then names `formatVersion` as the problem) and returns its body in the latest
 * shape, with the version it was written in.
 */
export function parseProgressFileJson(
  raw: unknown
): { success: true; data: ProgressFile; writtenIn: number } | { success: false; error: z.ZodError } {
  const declared = (raw as { formatVersion?: unknown }).formatVersion
  if (declared === 1) {
    const v1 = progressFileV1Schema.safeParse(raw)
    if (!v1.success) return v1
    return {
      success: true,
      data: { ...v1.data, formatVersion: PROGRESS_FORMAT_VERSION, body: upgradeBody(v1.data.body) },
      writtenIn: 1
    }
  }
  if (declared === 2 || declared === 3) {
    const v2 = progressFileV2Schema.safeParse(raw)
    if (!v2.success) return v2
    return {
      success: true,
      data: { ...v2.data, formatVersion: PROGRESS_FORMAT_VERSION },
      writtenIn: v2.data.formatVersion
    }
  }
  const latest = progressFileSchema.safeParse(raw)
  return latest.success ? { ...latest, writtenIn: PROGRESS_FORMAT_VERSION } : latest
}

/**
 * Version 1 → 2, as schema migration 5 does it in the store: a snapshot holding a `journal` array
 * gives it up as entries 0..n-1 (status `ok`); any other snapshot is kept as it is, with an empty
 * journal, because in version 1 the lab lived only inside the snapshot.
 */
function upgradeBody(body: ProgressBodyV1): ProgressBody {
  return {
    ...body,
    sessions: body.sessions.map((session) => {
      const split = splitLegacySnapshot(session.snapshot)
      if (!split) return { ...session, journal: [] }
      return {
        ...session,
        snapshot: split.snapshot as z.core.util.JSONType,
        journal: split.journal.map((entry, position) => ({
          position,
          entry: entry as z.core.util.JSONType,
          status: 'ok' as const
        }))
      }
    })
  }
}

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
